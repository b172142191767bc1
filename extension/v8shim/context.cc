/*
 * context.cc -- UdfV8Context: one V8 context of one deployment and role.
 *
 * Lifecycle: the C side (extension/runtime.c) decides when to make and drop
 * contexts. udf_v8_context_new makes the isolate first if there is none.
 * With a startup snapshot (the usual case) a new context already holds the
 * runtime, set up at build time (snapshot.cc); without one, the natives are
 * installed and the runtime bundle is compiled and run, from a code cache of
 * it made on the first compile. Making a context is a top-level entry like
 * any other (EnterCall/LeaveCall): the watchdog watches the bundle run.
 *
 * Memory: a UdfV8Context is C++ memory owned by the shim (new/delete). Its
 * Globals belong to the isolate: they are reset while the isolate lives, and
 * a context freed after its isolate was disposed is leaked rather than
 * destroyed (its Globals' destructors would touch freed memory). Each
 * context has its own microtask queue; V8 may still reach a freed context's
 * queue until the isolate goes, so freed queues are retired, and dropped
 * only with the isolate.
 *
 * The runtime's functions (globalThis.__udf.*) are found by RuntimeFunction;
 * call.cc caches the entry points per context.
 */
#include "shim_internal.h"

#include <string.h>

#include <vector>

using namespace v8;
using namespace udf_shim;

namespace
{

/* V8 code cache of the runtime bundle, made on first compile */
std::vector<uint8_t> g_runtime_cache_bytes;

} /* namespace */

namespace udf_shim
{

/* Compile the runtime bundle, using (and on first use making) a code cache. */
bool
RunRuntime(Local<Context> ctx, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();
	TryCatch	tc(iso);
	ScriptOrigin origin(iso, V8Str(iso, "udf:runtime"));
	ScriptCompiler::CachedData *cache = nullptr;

	if (!g_runtime_cache_bytes.empty())
		cache = new ScriptCompiler::CachedData(g_runtime_cache_bytes.data(),
											   static_cast<int>(g_runtime_cache_bytes.size()));
	ScriptCompiler::Source source(V8Str(iso, g_runtime_source, static_cast<int>(g_runtime_source_len)), origin, cache);
	Local<Script> script;
	bool		ok = ScriptCompiler::Compile(ctx, &source,
										 cache ? ScriptCompiler::kConsumeCodeCache
										 : ScriptCompiler::kNoCompileOptions).ToLocal(&script);

	if (ok && cache && cache->rejected)
		g_runtime_cache_bytes.clear();
	if (ok && g_runtime_cache_bytes.empty())
	{
		std::unique_ptr<ScriptCompiler::CachedData> made(
			ScriptCompiler::CreateCodeCache(script->GetUnboundScript()));

		if (made)
			g_runtime_cache_bytes.assign(made->data, made->data + made->length);
	}
	Local<Value> result;

	if (!ok || !script->Run(ctx).ToLocal(&result))
	{
		DescribeException(ctx, tc, UDF_V8_INTERNAL, err);
		return false;
	}
	return true;
}

/* globalThis.__udf and its function `name`; false if either is missing. */
bool
RuntimeFunction(Local<Context> ctx, const char *name, Local<Object> *udf, Local<Function> *fn)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Value> u;
	Local<Value> f;

	if (!ctx->Global()->Get(ctx, V8Str(iso, "__udf")).ToLocal(&u) || !u->IsObject() ||
		!u.As<Object>()->Get(ctx, V8Str(iso, name)).ToLocal(&f) || !f->IsFunction())
		return false;
	*udf = u.As<Object>();
	*fn = f.As<Function>();
	return true;
}

} /* namespace udf_shim */

/* A new context with the runtime loaded; NULL and err filled on failure. */
extern "C" UdfV8Context *
udf_v8_context_new(UdfV8Error *err)
{
	if (!g_isolate && !CreateIsolate(err))
		return nullptr;
	Isolate    *iso = g_isolate;
	Isolate::Scope is(iso);
	HandleScope hs(iso);
	UdfV8Context *c = new UdfV8Context();

	c->microtasks = MicrotaskQueue::New(iso, MicrotasksPolicy::kExplicit);
	Local<Context> ctx = Context::New(iso, nullptr, MaybeLocal<ObjectTemplate>(), MaybeLocal<Value>(),
									  DeserializeInternalFieldsCallback(), c->microtasks.get());
	Context::Scope cs(ctx);

	ctx->SetAlignedPointerInEmbedderData(kContextSlot, c);
	/* from a snapshot the runtime has already run in the context */
	bool		ok = true;

	EnterCall();
	if (!g_snapshot.data)
	{
		ok = InstallNatives(ctx);
		if (!ok)
			SetError(err, UDF_V8_INTERNAL, "could not install udf's native functions");
		else
			ok = RunRuntime(ctx, err);
	}

	if (LeaveCall(ok ? UDF_V8_OK : err->status, err) != UDF_V8_OK || !ok)
	{
		RetireQueue(std::move(c->microtasks));
		delete c;
		return nullptr;
	}
	c->context.Reset(iso, ctx);
	/* V8 has read what it needs of the snapshot for this context */
	ReleaseSnapshotPages();
	return c;
}

/* Free a context; after its isolate was disposed, leak it instead. */
extern "C" void
udf_v8_context_free(UdfV8Context *c)
{
	if (!c)
		return;
	/*
	 * The Globals belong to the isolate. If it is gone, their destructors
	 * would touch freed memory: leak the (small) struct instead.
	 */
	if (!g_isolate)
		return;
	{
		Isolate::Scope is(g_isolate);

		for (auto &kv : c->modules)
		{
			kv.second.module.Reset();
			kv.second.evaluated = false;
		}
		for (auto &kv : c->entries)
			kv.second.Reset();
		c->runtime.Reset();
		c->call_token = 0;
		for (auto &n : c->names)
			n.str.Reset();
		c->context.Reset();
	}
	RetireQueue(std::move(c->microtasks));
	delete c;
}

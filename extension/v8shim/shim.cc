/*
 * shim.cc -- V8 isolate, contexts and ES modules for udf.
 *
 * Lifecycle: V8 and its platform are initialised once per backend process on
 * the first call (never in the postmaster). One isolate per process is kept
 * for reuse; it is thrown away and rebuilt after it ran out of memory. A
 * context (UdfV8Context) holds the runtime bundle plus the modules of one
 * deployment for one role; the C side decides when to make and drop them.
 *
 * Boundaries: nothing here calls PostgreSQL. Calls into the host go through
 * UdfV8Host callbacks, which are C functions that catch their own errors and
 * return them as values, so no longjmp ever unwinds a C++ or V8 frame. No
 * C++ exception leaves this file (V8 does not throw them, and we build with
 * -fno-exceptions).
 *
 * Threads: V8 runs with --single-threaded. The platform still starts one
 * worker thread; every signal is blocked while it is created, so PostgreSQL's
 * signal handlers only ever run on the backend's main thread.
 *
 * Modules: a module is compiled (with all its static imports, recursively)
 * before it is instantiated, so a syntax error or a missing import is reported
 * with the module, line and column that caused it. Builtin modules
 * (convex/server, convex/values, the _generated modules) are small re-export modules
 * whose source the runtime generates.
 */
#include "udf_v8.h"
#include "code_cache.h"
#include "host_values.h"
#include "watchdog.h"

#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <v8.h>
#include <libplatform/libplatform.h>

using namespace v8;

namespace
{

/* Embedder-data slot of a Context that points back to its UdfV8Context. */
constexpr int kContextSlot = 1;

/* Builtin module names as the resolver maps specifiers to them. */
const char *const kBuiltinPrefix = "builtin:";

struct ModuleEntry
{
	std::string source;
	std::string source_map;
	std::string cache_key;		/* empty: not cached */
	bool		builtin = false;
	Global<Module> module;
};

/* ArrayBuffer memory counted against the same limit as the heap. */
class CountingAllocator : public ArrayBuffer::Allocator
{
public:
	explicit CountingAllocator(size_t limit) : limit_(limit) {}

	void *Allocate(size_t length) override
	{
		if (!Reserve(length))
			return nullptr;
		void	   *p = calloc(length ? length : 1, 1);
		if (!p)
			used_ -= length;
		return p;
	}
	void *AllocateUninitialized(size_t length) override
	{
		if (!Reserve(length))
			return nullptr;
		void	   *p = malloc(length ? length : 1);
		if (!p)
			used_ -= length;
		return p;
	}
	void Free(void *data, size_t length) override
	{
		free(data);
		used_ -= length;
	}
	size_t used() const { return used_; }

private:
	bool Reserve(size_t length)
	{
		if (used_ + length > limit_)
			return false;
		used_ += length;
		return true;
	}
	size_t		limit_;
	size_t		used_ = 0;
};

UdfV8Host	g_host;
/* never destroyed: a backend leaves through exit(), with V8 threads alive */
Platform   *g_platform = nullptr;
bool		g_v8_ready = false;
std::string g_runtime_source;
size_t		g_max_heap_mb = 0;
Isolate    *g_isolate = nullptr;
CountingAllocator *g_allocator = nullptr;
std::atomic<bool> g_oom(false);
/*
 * Set whenever termination was asked for (heap limit, watchdog, host), until
 * the outermost call ends: host callbacks then build nothing in V8 and
 * report nothing as a catchable error, whatever the host answered.
 */
std::atomic<bool> g_stopping(false);
/* when the heap limit was hit, and how long the call then took to stop */
struct timespec g_oom_at;
double		g_last_oom_unwind_ms = 0;
bool		g_poisoned = false;
uint64_t	g_isolates_created = 0;
/* V8 code cache of the runtime bundle, made on first compile. */
std::vector<uint8_t> g_runtime_cache_bytes;
/* promises rejected with no handler during the current top-level call */
struct Unhandled
{
	Global<Promise> promise;
	Global<Value> reason;
};
std::vector<Unhandled> *g_unhandled = nullptr;
/* queues of freed contexts: V8 may still reach them until the isolate goes */
std::vector<std::unique_ptr<MicrotaskQueue>> *g_retired_queues = nullptr;
/* startup snapshot with the runtime already run in its default context, if any */
StartupData g_snapshot = {nullptr, 0};
/* nesting of entry points (a syscall may re-enter JS); 0 when idle */
int			g_depth = 0;
double		g_time_limit_ms = 0;

} /* namespace */

struct UdfV8Context
{
	/*
	 * Each context has its own microtask queue: a nested call (which runs in
	 * a context of its own, from inside the caller's microtasks) can then
	 * drain its queue to completion, which V8 refuses on a queue that is
	 * already running.
	 */
	std::unique_ptr<MicrotaskQueue> microtasks;
	Global<Context> context;
	Global<Object> runtime;		/* globalThis.__udf */
	std::unordered_map<std::string, Global<Function>> entries;	/* its functions, by name */
	std::unordered_map<std::string, ModuleEntry> modules;
	/* identity hash of a compiled module -> its path (for the resolver) */
	std::unordered_multimap<int, std::string> paths_by_hash;
	ObjectShapes shapes;		/* for host values */
	/*
	 * The running entry's token (empty between entries). V8 hands a context's
	 * continuation-preserved embedder data to every promise reaction made
	 * while it is set, so a continuation left behind by an earlier call (a
	 * promise resolved only later, from module state) still carries that
	 * call's token when it runs: its syscalls are refused.
	 */
	Global<Object> call_token;
};

namespace
{

char *
HostStrdup(const char *s, size_t len)
{
	char	   *p = static_cast<char *>(g_host.alloc(len + 1));

	/* the host's allocator returns NULL rather than raising; degrade to "" */
	if (!p)
		return const_cast<char *>("");
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
HostStrdup(const std::string &s)
{
	return HostStrdup(s.data(), s.size());
}

char *
HostStrdup(Isolate *iso, Local<Value> v)
{
	Local<String> s;

	if (!v->IsString())
	{
		String::Utf8Value u(iso, v);

		return *u ? HostStrdup(*u, u.length()) : HostStrdup("", 0);
	}
	/* a string (a call's result JSON, often): written once, straight into host memory */
	s = v.As<String>();
	int			len = s->Utf8Length(iso);
	char	   *p = static_cast<char *>(g_host.alloc(len + 1));

	if (!p)
		return const_cast<char *>("");
	s->WriteUtf8(iso, p, len, nullptr, String::NO_NULL_TERMINATION | String::REPLACE_INVALID_UTF8);
	p[len] = '\0';
	return p;
}

void
SetError(UdfV8Error *err, UdfV8Status status, const std::string &message)
{
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->message = HostStrdup(message);
}

/* A V8 string; the empty string if V8 cannot make it (too long, or the call is being stopped). */
Local<String>
V8Str(Isolate *iso, const char *s, int len = -1)
{
	Local<String> str;

	if (!String::NewFromUtf8(iso, s, NewStringType::kNormal, len).ToLocal(&str))
		return String::Empty(iso);
	return str;
}

Local<String>
V8Str(Isolate *iso, const std::string &s)
{
	return V8Str(iso, s.data(), static_cast<int>(s.size()));
}

std::string
ToStdString(Isolate *iso, Local<Value> v)
{
	String::Utf8Value u(iso, v);

	return *u ? std::string(*u, u.length()) : std::string();
}

/* Read a string property of an object; empty optional when absent. */
bool
GetStringProp(Local<Context> ctx, Local<Object> obj, const char *name, std::string *out)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Value> v;

	if (!obj->Get(ctx, V8Str(iso, name)).ToLocal(&v) || v->IsUndefined() || v->IsNull())
		return false;
	*out = ToStdString(iso, v);
	return true;
}

char *
PropOrNull(Local<Context> ctx, Local<Object> obj, const char *name)
{
	std::string s;

	return GetStringProp(ctx, obj, name, &s) ? HostStrdup(s) : nullptr;
}

/* Called by V8 when the heap nears its limit: stop JS instead of aborting. */
size_t
NearHeapLimit(void *data, size_t current_limit, size_t initial_limit)
{
	if (!g_oom)
		clock_gettime(CLOCK_MONOTONIC, &g_oom_at);
	g_oom = true;
	g_stopping = true;
	g_isolate->TerminateExecution();
	/* room for the termination to unwind; the isolate is discarded afterwards */
	return current_limit * 2;
}

UdfV8Context *OwnerOf(Local<Context> ctx);

/* Does the running code belong to the entry now running in its context? */
bool
FromCurrentEntry(Isolate *iso, Local<Context> ctx)
{
	UdfV8Context *owner = OwnerOf(ctx);

	if (!owner)
		return true;			/* the snapshot's build-time warm-up */
	if (owner->call_token.IsEmpty())
		return false;
	return ctx->GetContinuationPreservedEmbedderData()->StrictEquals(owner->call_token.Get(iso));
}

/* __udfNative.syscall(op, argsJson) -> resultJson or a host value, or throws an Error. */
void
NativeSyscall(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();
	Local<Context> ctx = iso->GetCurrentContext();

	if (info.Length() < 2 || !info[0]->IsString() || !info[1]->IsString())
	{
		iso->ThrowException(Exception::TypeError(V8Str(iso, "syscall(op, argsJson) takes two strings")));
		return;
	}
	String::Utf8Value op(iso, info[0]);
	String::Utf8Value args(iso, info[1]);
	UdfV8HostResult r;

	if (!FromCurrentEntry(iso, ctx))
	{
		iso->ThrowException(Exception::Error(V8Str(iso,
			std::string("udf refused the syscall ") + (*op ? *op : "?") +
			": it comes from a promise left over from an earlier call, which has ended")));
		return;
	}
	memset(&r, 0, sizeof(r));
	WatchdogPause();
	g_host.syscall(*op, *args, args.length(), &r);
	WatchdogResume();
	/* the call is being stopped (here or in a nested call): let the termination unwind */
	if (g_stopping || iso->IsExecutionTerminating())
		return;
	if (r.error_message)
	{
		Local<Value> exc = Exception::Error(V8Str(iso, r.error_message));
		Local<Object> obj = exc.As<Object>();

		/* a failed Set can only mean the call is being stopped: nothing to throw then */
		if ((r.error_code && obj->Set(ctx, V8Str(iso, "code"), V8Str(iso, r.error_code)).IsNothing()) ||
			(r.error_detail && obj->Set(ctx, V8Str(iso, "detail"), V8Str(iso, r.error_detail)).IsNothing()) ||
			(r.error_hint && obj->Set(ctx, V8Str(iso, "hint"), V8Str(iso, r.error_hint)).IsNothing()))
			return;
		iso->ThrowException(exc);
		return;
	}
	if (r.result_is_values)
	{
		Local<Value> v;
		std::string error;
		UdfV8Context *owner = OwnerOf(ctx);

		if (!HostValuesToV8(iso, ctx, owner ? &owner->shapes : nullptr, r.result, r.result_len, &v, &error))
		{
			iso->ThrowException(Exception::Error(V8Str(iso, "udf: " + error)));
			return;
		}
		/* the runtime hands it to the convex package in place of JSON text */
		info.GetReturnValue().Set(v);
		return;
	}
	info.GetReturnValue().Set(V8Str(iso, r.result ? r.result : "null"));
}

/* __udfNative.console(level, line) */
void
NativeConsole(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();

	if (info.Length() < 2)
		return;
	String::Utf8Value level(iso, info[0]);
	String::Utf8Value line(iso, info[1]);
	UdfV8HostResult r;

	memset(&r, 0, sizeof(r));
	g_host.console(*level ? *level : "log", *line ? *line : "", *line ? line.length() : 0, &r);
	if (g_stopping || iso->IsExecutionTerminating())
		return;
	if (r.error_message)
		iso->ThrowException(Exception::Error(V8Str(iso, r.error_message)));
}

/* Track rejections nobody handles; a call that leaves one behind fails. */
void
OnPromiseReject(PromiseRejectMessage message)
{
	Isolate    *iso = g_isolate;
	Local<Promise> promise = message.GetPromise();

	if (!g_unhandled)
		g_unhandled = new std::vector<Unhandled>();
	if (message.GetEvent() == kPromiseRejectWithNoHandler)
	{
		Unhandled u;

		u.promise.Reset(iso, promise);
		u.reason.Reset(iso, message.GetValue());
		g_unhandled->push_back(std::move(u));
	}
	else if (message.GetEvent() == kPromiseHandlerAddedAfterReject)
	{
		for (auto it = g_unhandled->begin(); it != g_unhandled->end(); ++it)
		{
			if (it->promise.Get(iso) == promise)
			{
				g_unhandled->erase(it);
				break;
			}
		}
	}
}

/* import() is refused, as Convex refuses it: every import must be static. */
MaybeLocal<Promise>
RefuseDynamicImport(Local<Context> ctx, Local<Data> options, Local<Value> resource,
					Local<String> specifier, Local<FixedArray> assertions)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Promise::Resolver> resolver;

	if (!Promise::Resolver::New(ctx).ToLocal(&resolver))
		return MaybeLocal<Promise>();
	std::string spec = ToStdString(iso, specifier);

	if (resolver->Reject(ctx, Exception::TypeError(V8Str(iso,
		"udf does not support dynamic import(\"" + spec + "\"): import modules statically"))).IsNothing())
		return MaybeLocal<Promise>();
	return resolver->GetPromise();
}

void
ClearUnhandled(void)
{
	if (g_unhandled)
		g_unhandled->clear();
}

/* The C++ functions a snapshot refers to, in a fixed order (V8 needs them listed). */
const intptr_t *
ExternalReferences(void)
{
	static const intptr_t refs[] = {
		reinterpret_cast<intptr_t>(NativeSyscall),
		reinterpret_cast<intptr_t>(NativeConsole),
		0
	};

	return refs;
}

bool
CreateIsolate(UdfV8Error *err)
{
	Isolate::CreateParams params;
	size_t		heap = g_max_heap_mb * 1024 * 1024;

	g_allocator = new CountingAllocator(heap);
	params.array_buffer_allocator = g_allocator;
	params.external_references = ExternalReferences();
	if (g_snapshot.data)
		params.snapshot_blob = &g_snapshot;
	params.constraints.ConfigureDefaultsFromHeapSize(0, heap);
	g_isolate = Isolate::New(params);
	if (!g_isolate)
	{
		delete g_allocator;
		g_allocator = nullptr;
		SetError(err, UDF_V8_INTERNAL, "could not create a V8 isolate");
		return false;
	}
	g_isolate->SetMicrotasksPolicy(MicrotasksPolicy::kExplicit);
	g_isolate->AddNearHeapLimitCallback(NearHeapLimit, nullptr);
	g_isolate->SetCaptureStackTraceForUncaughtExceptions(true, 10);
	g_isolate->SetPromiseRejectCallback(OnPromiseReject);
	g_isolate->SetHostImportModuleDynamicallyCallback(RefuseDynamicImport);
	g_oom = false;
	g_poisoned = false;
	g_isolates_created++;
	return true;
}

/*
 * Describe a thrown value, using the runtime's formatter (Convex's
 * "Uncaught X: msg" plus a cleaned, source-mapped stack) when it can run.
 * msg, if not empty, gives the location.
 */
void
DescribeValue(Local<Context> ctx, Local<Value> exc, Local<Message> msg, UdfV8Status status,
			  UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();

	memset(err, 0, sizeof(*err));
	err->status = status;
	if (msg.IsEmpty() && !exc.IsEmpty())
		msg = Exception::CreateMessage(iso, exc);
	if (!msg.IsEmpty())
	{
		err->line = msg->GetLineNumber(ctx).FromMaybe(0);
		err->column = msg->GetStartColumn(ctx).FromMaybe(-1) + 1;
		Local<Value> res = msg->GetScriptResourceName();

		if (!res.IsEmpty() && res->IsString())
			err->module = HostStrdup(iso, res);
	}

	TryCatch	inner(iso);
	Local<Value> udf;
	Local<Value> fmt;
	Local<Value> described;

	if (ctx->Global()->Get(ctx, V8Str(iso, "__udf")).ToLocal(&udf) && udf->IsObject() &&
		udf.As<Object>()->Get(ctx, V8Str(iso, "describeError")).ToLocal(&fmt) && fmt->IsFunction() &&
		fmt.As<Function>()->Call(ctx, udf, 1, &exc).ToLocal(&described) && described->IsObject())
	{
		Local<Object> d = described.As<Object>();

		err->message = PropOrNull(ctx, d, "message");
		err->detail = PropOrNull(ctx, d, "detail");
		err->hint = PropOrNull(ctx, d, "hint");
		err->code = PropOrNull(ctx, d, "code");
	}
	if (inner.HasTerminated() || g_oom)
	{
		err->status = g_oom ? UDF_V8_OUT_OF_MEMORY : UDF_V8_TERMINATED;
		return;
	}
	if (!err->message)
		err->message = HostStrdup(iso, exc);
}

/* Describe what tc caught (or a termination), then clear tc. */
void
DescribeException(Local<Context> ctx, TryCatch &tc, UdfV8Status status, UdfV8Error *err)
{
	if (tc.HasTerminated() || !tc.HasCaught() || g_oom)
	{
		memset(err, 0, sizeof(*err));
		err->status = g_oom ? UDF_V8_OUT_OF_MEMORY : UDF_V8_TERMINATED;
		err->message = HostStrdup(g_oom ? "JavaScript execution ran out of memory"
								  : "JavaScript execution was terminated");
		return;
	}
	Local<Value> exc = tc.Exception();
	Local<Message> msg = tc.Message();

	/* no exception may be pending while the formatter runs */
	tc.Reset();
	DescribeValue(ctx, exc, msg, status, err);
}

void
TerminateFromWatchdog(void)
{
	g_stopping = true;
	if (g_isolate)
		g_isolate->TerminateExecution();
}

/* Every entry point begins here: the outermost one arms the watchdog. */
void
EnterCall(void)
{
	if (g_depth++ == 0)
	{
		/* a stop asked for between calls belongs to no call: drop it */
		if (g_stopping.exchange(false) && g_isolate)
			g_isolate->CancelTerminateExecution();
		ClearUnhandled();
		WatchdogArm(g_time_limit_ms);
	}
	else
	{
		/* a nested entry runs inside a syscall, where the watchdog was paused */
		WatchdogResume();
	}
}

/*
 * Every entry point ends here. The outermost one disarms the watchdog,
 * clears any termination so the isolate can run again, and turns a
 * termination into the reason it happened.
 */
UdfV8Status
LeaveCall(UdfV8Status st, UdfV8Error *err)
{
	if (--g_depth > 0)
	{
		/* back to the caller's syscall: its time is not JavaScript time */
		WatchdogPause();
		return st;
	}
	int			fired = WatchdogDisarm();
	bool		stopped = g_isolate->IsExecutionTerminating() || fired != UDF_WATCHDOG_NONE || g_stopping;

	ClearUnhandled();

	if (stopped)
		g_isolate->CancelTerminateExecution();
	g_stopping = false;
	if (g_oom)
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		g_last_oom_unwind_ms = (now.tv_sec - g_oom_at.tv_sec) * 1e3 + (now.tv_nsec - g_oom_at.tv_nsec) / 1e6;
		g_poisoned = true;
		if (st != UDF_V8_OK)
		{
			memset(err, 0, sizeof(*err));
			err->status = st = UDF_V8_OUT_OF_MEMORY;
			err->message = HostStrdup("JavaScript execution ran out of memory");
		}
	}
	else if (st != UDF_V8_OK && stopped)
	{
		/* whatever failed on the way out (a builtin module's source, say) failed because of the stop */
		memset(err, 0, sizeof(*err));
		if (fired == UDF_WATCHDOG_TIMEOUT)
		{
			err->status = st = UDF_V8_TIMED_OUT;
			err->message = HostStrdup("JavaScript execution timed out");
		}
		else
		{
			err->status = st = UDF_V8_TERMINATED;
			err->message = HostStrdup("JavaScript execution was terminated");
		}
	}
	return st;
}

bool
IsRelative(const std::string &s)
{
	return s.rfind("./", 0) == 0 || s.rfind("../", 0) == 0;
}

/* Join a relative specifier to the referrer's directory; false if it escapes the root. */
bool
JoinPath(const std::string &referrer, const std::string &spec, std::string *out)
{
	std::vector<std::string> parts;
	size_t		slash = referrer.rfind('/');
	std::string base = slash == std::string::npos ? "" : referrer.substr(0, slash);
	std::string all = base.empty() ? spec : base + "/" + spec;
	size_t		start = 0;

	while (start <= all.size())
	{
		size_t		end = all.find('/', start);

		if (end == std::string::npos)
			end = all.size();
		std::string seg = all.substr(start, end - start);

		if (seg == "..")
		{
			if (parts.empty())
				return false;
			parts.pop_back();
		}
		else if (!seg.empty() && seg != ".")
			parts.push_back(seg);
		start = end + 1;
	}
	out->clear();
	for (size_t i = 0; i < parts.size(); i++)
	{
		if (i)
			*out += "/";
		*out += parts[i];
	}
	return !out->empty();
}

bool
HasExtension(const std::string &path)
{
	size_t		slash = path.rfind('/');
	size_t		dot = path.rfind('.');

	return dot != std::string::npos && (slash == std::string::npos || dot > slash);
}

/*
 * Map an import specifier to a module key: a deployed module path or a
 * builtin. Returns false and sets *why when it cannot be resolved.
 */
bool
ResolveSpecifier(UdfV8Context *c, const std::string &referrer, const std::string &spec,
				 std::string *key, std::string *why)
{
	if (spec == "convex/server" || spec == "convex/values")
	{
		*key = kBuiltinPrefix + spec;
		return true;
	}
	if (!IsRelative(spec))
	{
		*why = "only relative imports, \"convex/server\" and \"convex/values\" can be imported";
		return false;
	}
	std::string joined;

	if (!JoinPath(referrer, spec, &joined))
	{
		*why = "the path leaves the deployment's root";
		return false;
	}
	std::vector<std::string> candidates = {joined};

	if (!HasExtension(joined))
		candidates.push_back(joined + ".js");
	for (const std::string &cand : candidates)
	{
		if (c->modules.count(cand))
		{
			*key = cand;
			return true;
		}
	}
	for (const std::string &cand : candidates)
	{
		if (cand == "_generated/server.js" || cand == "_generated/api.js")
		{
			*key = kBuiltinPrefix + cand.substr(0, cand.size() - 3);
			return true;
		}
	}
	*why = "no such module in the deployment";
	return false;
}

/* Source text of a builtin module, generated by the runtime. */
bool
BuiltinSource(Local<Context> ctx, const std::string &name, std::string *out)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Value> udf;
	Local<Value> fn;
	Local<Value> arg = V8Str(iso, name);
	Local<Value> src;

	if (!ctx->Global()->Get(ctx, V8Str(iso, "__udf")).ToLocal(&udf) || !udf->IsObject() ||
		!udf.As<Object>()->Get(ctx, V8Str(iso, "builtinModuleSource")).ToLocal(&fn) ||
		!fn->IsFunction() ||
		!fn.As<Function>()->Call(ctx, udf, 1, &arg).ToLocal(&src) || !src->IsString())
		return false;
	*out = ToStdString(iso, src);
	return true;
}

/*
 * Compile the module `key` and, recursively, every module it imports.
 * Errors name the module, line and column.
 */
UdfV8Status
CompileTree(UdfV8Context *c, Local<Context> ctx, const std::string &key, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();
	auto		it = c->modules.find(key);

	if (it == c->modules.end())
	{
		if (key.rfind(kBuiltinPrefix, 0) != 0)
		{
			SetError(err, UDF_V8_MODULE_ERROR, "module \"" + key + "\" is not in the deployment");
			return err->status;
		}
		ModuleEntry e;

		e.builtin = true;
		if (!BuiltinSource(ctx, key.substr(strlen(kBuiltinPrefix)), &e.source))
		{
			SetError(err, UDF_V8_INTERNAL, "the runtime has no builtin module " + key);
			return err->status;
		}
		it = c->modules.emplace(key, std::move(e)).first;
	}
	if (!it->second.module.IsEmpty())
		return UDF_V8_OK;

	TryCatch	tc(iso);
	ScriptOrigin origin(iso, V8Str(iso, key), 0, 0, false, -1, Local<Value>(), false, false, true);
	const std::string &cache_key = it->second.cache_key;
	std::string cached;
	bool		damaged = false;
	ScriptCompiler::CachedData *cached_data = nullptr;

	if (!cache_key.empty() && CodeCacheLookup(cache_key, &cached, &damaged))
		cached_data = new ScriptCompiler::CachedData(reinterpret_cast<const uint8_t *>(cached.data()),
													 static_cast<int>(cached.size()));
	/* the source owns cached_data (not its bytes, which stay in cached) */
	ScriptCompiler::Source source(V8Str(iso, it->second.source), origin, cached_data);
	Local<Module> mod;

	if (!ScriptCompiler::CompileModule(iso, &source,
									   cached_data ? ScriptCompiler::kConsumeCodeCache
									   : ScriptCompiler::kNoCompileOptions).ToLocal(&mod))
	{
		if (!tc.HasCaught() || tc.HasTerminated())
		{
			DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
			return err->status;
		}
		/* a syntax error has no useful stack: V8's own text and the location */
		Local<Message> msg = tc.Message();

		memset(err, 0, sizeof(*err));
		err->status = UDF_V8_SYNTAX_ERROR;
		err->message = HostStrdup(iso, tc.Exception());
		err->module = HostStrdup(key);
		if (!msg.IsEmpty())
		{
			err->line = msg->GetLineNumber(ctx).FromMaybe(0);
			err->column = msg->GetStartColumn(ctx).FromMaybe(-1) + 1;
		}
		return err->status;
	}
	if (!cache_key.empty())
	{
		bool		rejected = damaged || (cached_data && source.GetCachedData()->rejected);

		CodeCacheCount(cached_data != nullptr, rejected);
		if (rejected)
			CodeCacheDrop(cache_key);
		if (!cached_data || rejected)
		{
			/* made before instantiation, as V8 requires: the module's top level */
			std::unique_ptr<ScriptCompiler::CachedData> made(
				ScriptCompiler::CreateCodeCache(mod->GetUnboundModuleScript()));

			if (made && made->length > 0)
				CodeCacheStore(cache_key, made->data, static_cast<size_t>(made->length));
		}
	}
	it->second.module.Reset(iso, mod);
	c->paths_by_hash.emplace(mod->GetIdentityHash(), key);

	Local<FixedArray> requests = mod->GetModuleRequests();

	for (int i = 0; i < requests->Length(); i++)
	{
		Local<ModuleRequest> req = requests->Get(ctx, i).As<ModuleRequest>();
		std::string spec = ToStdString(iso, req->GetSpecifier());
		std::string dep;
		std::string why;

		if (!ResolveSpecifier(c, key, spec, &dep, &why))
		{
			Location loc = mod->SourceOffsetToLocation(req->GetSourceOffset());

			memset(err, 0, sizeof(*err));
			err->status = UDF_V8_MODULE_ERROR;
			err->message = HostStrdup("cannot import \"" + spec + "\" from \"" + key + "\": " + why);
			err->module = HostStrdup(key);
			err->line = loc.GetLineNumber() + 1;
			err->column = loc.GetColumnNumber() + 1;
			return err->status;
		}
		UdfV8Status st = CompileTree(c, ctx, dep, err);

		if (st != UDF_V8_OK)
			return st;
	}
	return UDF_V8_OK;
}

/* The UdfV8Context that owns a V8 context. */
UdfV8Context *
OwnerOf(Local<Context> ctx)
{
	return static_cast<UdfV8Context *>(ctx->GetAlignedPointerFromEmbedderData(kContextSlot));
}

/* Marks one entry into a context as the running one, for as long as it is in scope. */
class EntryToken
{
public:
	EntryToken(Isolate *iso, Local<Context> ctx, UdfV8Context *c) : ctx_(ctx), c_(c), outer_(iso, c->call_token)
	{
		Local<Object> token = Object::New(iso);

		c_->call_token.Reset(iso, token);
		ctx_->SetContinuationPreservedEmbedderData(token);
	}
	~EntryToken()
	{
		Isolate    *iso = ctx_->GetIsolate();

		if (outer_.IsEmpty())
		{
			c_->call_token.Reset();
			ctx_->SetContinuationPreservedEmbedderData(Undefined(iso));
		}
		else
		{
			c_->call_token.Reset(iso, outer_);
			ctx_->SetContinuationPreservedEmbedderData(outer_.Get(iso));
		}
	}

private:
	Local<Context> ctx_;
	UdfV8Context *c_;
	Global<Object> outer_;		/* an entry this one runs inside of, if any */
};

/* Instantiation-time resolver: every module was compiled by CompileTree already. */
MaybeLocal<Module>
ResolveCallback(Local<Context> ctx, Local<String> specifier,
				Local<FixedArray> import_assertions, Local<Module> referrer)
{
	Isolate    *iso = ctx->GetIsolate();
	UdfV8Context *c = OwnerOf(ctx);
	std::string referrer_key;
	auto		range = c->paths_by_hash.equal_range(referrer->GetIdentityHash());

	for (auto it = range.first; it != range.second; ++it)
	{
		if (c->modules[it->second].module.Get(iso) == referrer)
		{
			referrer_key = it->second;
			break;
		}
	}
	std::string spec = ToStdString(iso, specifier);
	std::string key;
	std::string why;

	if (ResolveSpecifier(c, referrer_key, spec, &key, &why))
	{
		auto		it = c->modules.find(key);

		if (it != c->modules.end() && !it->second.module.IsEmpty())
			return it->second.module.Get(iso);
	}
	iso->ThrowException(Exception::Error(V8Str(iso, "cannot import \"" + spec + "\": " + why)));
	return MaybeLocal<Module>();
}

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
	ScriptCompiler::Source source(V8Str(iso, g_runtime_source), origin, cache);
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

/* globalThis.__udfNative = {syscall, console}; false if V8 could not make them. */
bool
InstallNatives(Local<Context> ctx)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Object> native = Object::New(iso);
	Local<Function> syscall;
	Local<Function> console;

	return Function::New(ctx, NativeSyscall).ToLocal(&syscall) &&
		Function::New(ctx, NativeConsole).ToLocal(&console) &&
		native->Set(ctx, V8Str(iso, "syscall"), syscall).FromMaybe(false) &&
		native->Set(ctx, V8Str(iso, "console"), console).FromMaybe(false) &&
		ctx->Global()->Set(ctx, V8Str(iso, "__udfNative"), native).FromMaybe(false);
}

} /* namespace */

extern "C" bool
udf_v8_initialize(const UdfV8Host *host, const char *runtime_source, size_t runtime_len,
				  size_t max_heap_mb, UdfV8Error *err)
{
	g_host = *host;
	g_runtime_source.assign(runtime_source, runtime_len);
	g_max_heap_mb = max_heap_mb;
	if (!g_v8_ready)
	{
		sigset_t	all;
		sigset_t	old;
		static const char flags[] = "--single-threaded --no-expose-wasm";

		V8::SetFlagsFromString(flags, sizeof(flags) - 1);
		V8::InitializeICU();
		/* the platform's worker thread must never receive PostgreSQL's signals */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		g_platform = platform::NewDefaultPlatform(1).release();
		pthread_sigmask(SIG_SETMASK, &old, nullptr);
		V8::InitializePlatform(g_platform);
		V8::Initialize();
		/* ready now, so that a failed watchdog start is retried without starting V8 again */
		g_v8_ready = true;
	}
	if (!WatchdogStart(g_host.interrupt_pending, TerminateFromWatchdog))
	{
		SetError(err, UDF_V8_INTERNAL, "could not start the watchdog thread");
		return false;
	}
	if (!g_isolate)
		return CreateIsolate(err);
	return true;
}

/* Exported by libnode but in no public V8 header: the platform V8 was given, nullptr before. */
namespace v8 { namespace debug { Platform *GetCurrentPlatform(); } }

/* Who started V8 in this process, judged by the platform V8 holds. */
extern "C" UdfV8Owner
udf_v8_owner(void)
{
	Platform   *current = v8::debug::GetCurrentPlatform();

	if (!current)
		return UDF_V8_NOT_STARTED;
	return current == g_platform ? UDF_V8_STARTED_BY_UDF : UDF_V8_STARTED_ELSEWHERE;
}

extern "C" bool
udf_v8_isolate_alive(void)
{
	return g_isolate != nullptr && !g_poisoned;
}

extern "C" void
udf_v8_dispose_isolate(void)
{
	if (!g_isolate)
		return;
	g_isolate->Dispose();
	g_isolate = nullptr;
	if (g_retired_queues)
		g_retired_queues->clear();
	delete g_allocator;
	g_allocator = nullptr;
	g_poisoned = false;
	g_oom = false;
	g_stopping = false;
}

extern "C" void
udf_v8_heap_stats(size_t *used, size_t *total, size_t *limit)
{
	*used = *total = *limit = 0;
	if (!g_isolate)
		return;
	HeapStatistics hs;

	g_isolate->GetHeapStatistics(&hs);
	*used = hs.used_heap_size() + (g_allocator ? g_allocator->used() : 0);
	*total = hs.total_heap_size();
	*limit = hs.heap_size_limit();
}

extern "C" uint64_t
udf_v8_isolates_created(void)
{
	return g_isolates_created;
}

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
		if (!g_retired_queues)
			g_retired_queues = new std::vector<std::unique_ptr<MicrotaskQueue>>();
		g_retired_queues->push_back(std::move(c->microtasks));
		delete c;
		return nullptr;
	}
	c->context.Reset(iso, ctx);
	return c;
}

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
			kv.second.module.Reset();
		for (auto &kv : c->entries)
			kv.second.Reset();
		c->runtime.Reset();
		c->call_token.Reset();
		c->context.Reset();
	}
	if (!g_retired_queues)
		g_retired_queues = new std::vector<std::unique_ptr<MicrotaskQueue>>();
	g_retired_queues->push_back(std::move(c->microtasks));
	delete c;
}

extern "C" void
udf_v8_context_add_module(UdfV8Context *c, const char *path, const char *source, size_t source_len,
						  const char *source_map, size_t map_len, const char *cache_key)
{
	ModuleEntry e;

	e.source.assign(source, source_len);
	if (cache_key)
		e.cache_key = cache_key;
	if (source_map)
		e.source_map.assign(source_map, map_len);
	c->modules[path] = std::move(e);
}

extern "C" bool
udf_v8_module_ready(UdfV8Context *c, const char *path)
{
	auto		it = c->modules.find(path);

	if (it == c->modules.end() || it->second.module.IsEmpty())
		return false;
	Isolate::Scope is(g_isolate);
	HandleScope hs(g_isolate);

	return it->second.module.Get(g_isolate)->GetStatus() == Module::kEvaluated;
}

static UdfV8Status
LoadModuleImpl(UdfV8Context *c, const char *path, UdfV8Error *err)
{
	Isolate    *iso = g_isolate;
	Isolate::Scope is(iso);
	HandleScope hs(iso);
	Local<Context> ctx = c->context.Get(iso);
	Context::Scope cs(ctx);
	EntryToken	token(iso, ctx, c);
	std::string key(path);

	memset(err, 0, sizeof(*err));
	if (!c->modules.count(key))
	{
		SetError(err, UDF_V8_MODULE_ERROR, "module \"" + key + "\" is not in the deployment");
		return err->status;
	}
	UdfV8Status st = CompileTree(c, ctx, key, err);

	if (st != UDF_V8_OK)
	{
		return st;
	}
	Local<Module> mod = c->modules[key].module.Get(iso);

	if (mod->GetStatus() == Module::kEvaluated)
		return UDF_V8_OK;
	if (mod->GetStatus() == Module::kErrored)
	{
		DescribeValue(ctx, mod->GetException(), Local<Message>(), UDF_V8_MODULE_ERROR, err);
		return err->status;
	}

	TryCatch	tc(iso);

	if (mod->GetStatus() == Module::kUninstantiated &&
		!mod->InstantiateModule(ctx, ResolveCallback).FromMaybe(false))
	{
		DescribeException(ctx, tc, UDF_V8_MODULE_ERROR, err);
		return err->status;
	}
	Local<Value> result;

	if (!mod->Evaluate(ctx).ToLocal(&result))
	{
		DescribeException(ctx, tc, UDF_V8_MODULE_ERROR, err);
		return err->status;
	}
	c->microtasks->PerformCheckpoint(iso);
	if (tc.HasTerminated() || g_oom)
	{
		DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
		return err->status;
	}
	if (result->IsPromise())
	{
		Local<Promise> p = result.As<Promise>();

		if (p->State() == Promise::kRejected)
		{
			DescribeValue(ctx, p->Result(), Local<Message>(), UDF_V8_MODULE_ERROR, err);
				return err->status;
		}
		if (p->State() == Promise::kPending)
		{
			SetError(err, UDF_V8_UNFINISHED,
					 "module \"" + key + "\" did not finish evaluating (a top-level await never settled)");
			return err->status;
		}
	}
	return UDF_V8_OK;
}

/*
 * A promise the function rejected and never handled fails a call that
 * otherwise succeeded, as in Convex. A call that failed keeps its own error:
 * a leftover's rejection (a syscall refused after the call ended) must not
 * hide why it failed.
 */
static bool
FailOnUnhandledRejection(Local<Context> ctx, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();

	if (g_depth != 1 || !g_unhandled || g_unhandled->empty())
		return false;
	Local<Value> reason = (*g_unhandled)[0].reason.Get(iso);

	DescribeValue(ctx, reason, Local<Message>(), UDF_V8_JS_ERROR, err);
	std::string msg = err->message ? err->message : "";

	if (msg.rfind("Uncaught ", 0) == 0)
		msg = "Uncaught (in promise) " + msg.substr(9);
	err->message = HostStrdup(msg);
	return true;
}

static UdfV8Status
CallImpl(UdfV8Context *c, const char *entry, const char *module_path,
		 const UdfV8Arg *args, int nargs, char **result_json, UdfV8Error *err)
{
	Isolate    *iso = g_isolate;
	Isolate::Scope is(iso);
	HandleScope hs(iso);
	Local<Context> ctx = c->context.Get(iso);
	Context::Scope cs(ctx);
	EntryToken	token(iso, ctx, c);
	std::vector<Local<Value>> argv;
	Local<Value> udf;
	Local<Value> fn;

	TryCatch	tc(iso);

	memset(err, 0, sizeof(*err));
	*result_json = nullptr;
	if (module_path)
	{
		auto		it = c->modules.find(module_path);

		if (it == c->modules.end() || it->second.module.IsEmpty() ||
			it->second.module.Get(iso)->GetStatus() != Module::kEvaluated)
		{
			SetError(err, UDF_V8_INTERNAL, std::string("module not loaded: ") + module_path);
			return err->status;
		}
		argv.push_back(it->second.module.Get(iso)->GetModuleNamespace());
	}
	for (int i = 0; i < nargs; i++)
	{
		if (args[i].is_values)
		{
			Local<Value> v;
			std::string error;

			if (!HostValuesToV8(iso, ctx, &c->shapes, args[i].str, args[i].len, &v, &error))
			{
				SetError(err, UDF_V8_INTERNAL, "udf: " + error);
				return err->status;
			}
			argv.push_back(v);
		}
		else if (args[i].is_number)
			argv.push_back(Number::New(iso, args[i].num));
		else if (args[i].str)
			argv.push_back(V8Str(iso, args[i].str));
		else
			argv.push_back(Null(iso));
	}

	auto		cached = c->entries.find(entry);

	/* the entry points never change: look each up once per context */
	if (cached != c->entries.end())
	{
		udf = c->runtime.Get(iso);
		fn = cached->second.Get(iso);
	}
	else
	{
		if (!ctx->Global()->Get(ctx, V8Str(iso, "__udf")).ToLocal(&udf) || !udf->IsObject() ||
			!udf.As<Object>()->Get(ctx, V8Str(iso, entry)).ToLocal(&fn) || !fn->IsFunction())
		{
			SetError(err, UDF_V8_INTERNAL, std::string("the runtime has no entry point ") + entry);
			return err->status;
		}
		c->runtime.Reset(iso, udf.As<Object>());
		c->entries[entry].Reset(iso, fn.As<Function>());
	}
	Local<Value> ret;

	if (!fn.As<Function>()->Call(ctx, udf, static_cast<int>(argv.size()), argv.data()).ToLocal(&ret))
	{
		DescribeException(ctx, tc, UDF_V8_JS_ERROR, err);
		return err->status;
	}
	c->microtasks->PerformCheckpoint(iso);
	if (tc.HasTerminated() || g_oom)
	{
		DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
		return err->status;
	}
	if (ret->IsPromise())
	{
		Local<Promise> p = ret.As<Promise>();

		if (p->State() == Promise::kPending)
		{
			SetError(err, UDF_V8_UNFINISHED, "the function did not finish: its promise never settled");
			return err->status;
		}
		if (p->State() == Promise::kRejected)
		{
			DescribeValue(ctx, p->Result(), Local<Message>(), UDF_V8_JS_ERROR, err);
				return err->status;
		}
		ret = p->Result();
	}
	/* invoke answers a success with the result's JSON text alone */
	if (ret->IsString())
	{
		if (FailOnUnhandledRejection(ctx, err))
			return err->status;
		*result_json = HostStrdup(iso, ret);
		return UDF_V8_OK;
	}
	if (!ret->IsObject())
	{
		SetError(err, UDF_V8_INTERNAL, std::string("runtime entry point ") + entry + " returned a non-object");
		return err->status;
	}
	Local<Object> obj = ret.As<Object>();
	Local<Value> ok;

	if (obj->Get(ctx, V8Str(iso, "ok")).ToLocal(&ok) && ok->BooleanValue(iso))
	{
		std::string json;

		if (FailOnUnhandledRejection(ctx, err))
			return err->status;

		GetStringProp(ctx, obj, "json", &json);
		*result_json = HostStrdup(json);
		return UDF_V8_OK;
	}
	err->status = UDF_V8_JS_ERROR;
	err->message = PropOrNull(ctx, obj, "message");
	err->detail = PropOrNull(ctx, obj, "detail");
	err->hint = PropOrNull(ctx, obj, "hint");
	err->code = PropOrNull(ctx, obj, "code");
	if (!err->message)
		err->message = HostStrdup("unknown error");
	return err->status;
}

extern "C" UdfV8Status
udf_v8_load_module(UdfV8Context *c, const char *path, UdfV8Error *err)
{
	EnterCall();
	return LeaveCall(LoadModuleImpl(c, path, err), err);
}

extern "C" UdfV8Status
udf_v8_call_typed(UdfV8Context *c, const char *entry, const char *module_path,
				  const UdfV8Arg *args, int nargs, char **result_json, UdfV8Error *err)
{
	EnterCall();
	return LeaveCall(CallImpl(c, entry, module_path, args, nargs, result_json, err), err);
}

extern "C" UdfV8Status
udf_v8_call(UdfV8Context *c, const char *entry, const char *module_path,
			const char *const *args, int nargs, char **result_json, UdfV8Error *err)
{
	std::vector<UdfV8Arg> typed;

	for (int i = 0; i < nargs; i++)
	{
		UdfV8Arg	a = {args[i], 0, false, false, 0};

		typed.push_back(a);
	}
	return udf_v8_call_typed(c, entry, module_path, typed.data(), nargs, result_json, err);
}

extern "C" double
udf_v8_last_oom_unwind_ms(void)
{
	return g_last_oom_unwind_ms;
}

extern "C" void
udf_v8_use_snapshot(const char *data, size_t len)
{
	g_snapshot.data = data;
	g_snapshot.raw_size = static_cast<int>(len);
}

/*
 * Build time: run the runtime's warm-up call, so the bytecode of the call
 * path is compiled into the snapshot rather than lazily in every backend.
 */
static bool
WarmUp(Local<Context> ctx)
{
	Isolate    *iso = ctx->GetIsolate();
	TryCatch	tc(iso);
	Local<Value> udf;
	Local<Value> fn;
	Local<Value> ret;

	if (!ctx->Global()->Get(ctx, V8Str(iso, "__udf")).ToLocal(&udf) || !udf->IsObject() ||
		!udf.As<Object>()->Get(ctx, V8Str(iso, "warmUp")).ToLocal(&fn) || !fn->IsFunction() ||
		!fn.As<Function>()->Call(ctx, udf, 0, nullptr).ToLocal(&ret) || !ret->IsPromise())
	{
		fprintf(stderr, "udf snapshot: the warm-up call could not start\n");
		return false;
	}
	iso->PerformMicrotaskCheckpoint();
	Local<Promise> p = ret.As<Promise>();
	Local<Value> ok;

	if (p->State() != Promise::kFulfilled || !p->Result()->IsObject() ||
		!p->Result().As<Object>()->Get(ctx, V8Str(iso, "ok")).ToLocal(&ok) || !ok->IsTrue())
	{
		std::string why = "it did not finish";

		if (p->State() == Promise::kFulfilled && p->Result()->IsObject())
			GetStringProp(ctx, p->Result().As<Object>(), "message", &why);
		else if (p->State() == Promise::kRejected)
			why = ToStdString(iso, p->Result());

		fprintf(stderr, "udf snapshot: the warm-up call failed: %s\n", why.c_str());
		return false;
	}
	return true;
}

/*
 * Build time: run the runtime bundle in a fresh context and write a startup
 * snapshot of it to out_path. Returns 0 on success.
 */
extern "C" int
udf_v8_make_snapshot(const char *runtime_source, size_t runtime_len, const char *out_path)
{
	static const char flags[] = "--single-threaded --no-expose-wasm";

	if (!g_host.alloc)
		g_host.alloc = malloc;
	V8::SetFlagsFromString(flags, sizeof(flags) - 1);
	V8::InitializeICU();
	std::unique_ptr<Platform> platform = platform::NewDefaultPlatform(1);

	V8::InitializePlatform(platform.get());
	V8::Initialize();
	g_runtime_source.assign(runtime_source, runtime_len);
	StartupData blob;

	{
		SnapshotCreator creator(ExternalReferences());
		Isolate    *iso = creator.GetIsolate();

		g_isolate = iso;
		{
			HandleScope hs(iso);
			Local<Context> ctx = Context::New(iso);
			Context::Scope cs(ctx);
			UdfV8Error	err;

			memset(&err, 0, sizeof(err));
			if (!InstallNatives(ctx) || !RunRuntime(ctx, &err))
			{
				fprintf(stderr, "udf snapshot: the runtime failed: %s\n", err.message ? err.message : "?");
				return 1;
			}
			if (!WarmUp(ctx))
				return 1;
			creator.SetDefaultContext(ctx);
		}
		g_isolate = nullptr;
		blob = creator.CreateBlob(SnapshotCreator::FunctionCodeHandling::kKeep);
	}
	FILE	   *f = fopen(out_path, "wb");

	if (!f || fwrite(blob.data, 1, blob.raw_size, f) != static_cast<size_t>(blob.raw_size) || fclose(f) != 0)
	{
		fprintf(stderr, "udf snapshot: could not write %s\n", out_path);
		return 1;
	}
	delete[] blob.data;
	return 0;
}

extern "C" void
udf_v8_set_time_limit(double ms)
{
	g_time_limit_ms = ms;
}

extern "C" void
udf_v8_terminate(void)
{
	g_stopping = true;
	if (g_isolate)
		g_isolate->TerminateExecution();
}

extern "C" bool
udf_v8_stopping(void)
{
	return g_stopping;
}

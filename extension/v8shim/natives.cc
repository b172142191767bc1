/*
 * natives.cc -- what JS calls in the host: __udfNative.syscall (Convex's
 * versioned syscalls, JSON text in), __udfNative.op (the runtime's typed
 * ops: strings, numbers, booleans and null in), __udfNative.console, and
 * __udfNative.wait (the event loop's wait for host work, call.cc),
 * __udfNative.lazySource (the text of a part loaded on first use),
 * __udfNative.settle (a handler's value, settled now if it can be: the
 * call's fast path, udf-runtime/src/call.js), and the entry tokens that
 * decide who may call them.
 *
 * A native runs on the backend's main thread with V8 frames on the stack.
 * It calls the host's C callback (UdfV8Host.syscall, .op, .console), which
 * catches every PostgreSQL error itself and answers with a value, so no
 * longjmp crosses a V8 frame; nothing here calls PostgreSQL.
 *
 * Time: a syscall's time in the host (SQL) is not JavaScript time, so the
 * watchdog is paused around it; JavaScript the host runs meanwhile (a
 * CHECK constraint or trigger calling udf_invoke) is a nested entry, which
 * resumes the watchdog for its own run and pauses it again on leaving
 * (call.cc).
 *
 * Stopping: once a stop is asked for (g_stopping: cancel, timeout, the heap
 * limit, here or in a nested call) or V8 is terminating, a native builds
 * nothing in V8 and throws nothing, whatever the host answered: the
 * termination unwinds, and JavaScript can catch nothing on its way. Every
 * Maybe is checked; none is forced.
 *
 * Entry tokens: every entry into a context (a call, a module load) sets a
 * fresh token object as the context's continuation-preserved embedder data,
 * which V8 hands to every promise reaction made meanwhile. A continuation
 * left over from an earlier entry (a promise resolved later from module
 * state) still carries its old token when a later entry runs it, and its
 * syscalls are refused. Nested entries into one context restore the outer
 * token when they end.
 *
 * A startup snapshot refers to the natives by address; ExternalReferences
 * lists them for the SnapshotCreator and for every isolate made from it.
 */
#include "shim_internal.h"
#include "watchdog.h"

#include <string.h>

using namespace v8;
using namespace udf_shim;

namespace
{

bool		FromCurrentEntry(Isolate *iso, Local<Context> ctx);
bool		RefuseLeftover(Isolate *iso, Local<Context> ctx, const char *what);
void		Answer(const FunctionCallbackInfo<Value> &info, UdfV8HostResult *r);
void		NativeSyscall(const FunctionCallbackInfo<Value> &info);
void		NativeOp(const FunctionCallbackInfo<Value> &info);
void		NativeConsole(const FunctionCallbackInfo<Value> &info);
void		NativeWait(const FunctionCallbackInfo<Value> &info);
void		NativeLazySource(const FunctionCallbackInfo<Value> &info);
void		NativeSettle(const FunctionCallbackInfo<Value> &info);

/* Does the running code belong to the entry now running in its context? */
bool
FromCurrentEntry(Isolate *iso, Local<Context> ctx)
{
	UdfV8Context *owner = OwnerOf(ctx);

	if (!owner)
		return true;			/* the snapshot's build-time warm-up */
	if (owner->call_token == 0)
		return false;
	Local<Value> data = ctx->GetContinuationPreservedEmbedderData();

	return data->IsUint32() && data.As<Uint32>()->Value() == owner->call_token;
}

/* Refuse a call from a promise left over from an earlier entry; true if refused. */
bool
RefuseLeftover(Isolate *iso, Local<Context> ctx, const char *what)
{
	if (FromCurrentEntry(iso, ctx))
		return false;
	iso->ThrowException(Exception::Error(V8Str(iso,
		std::string("udf refused the syscall ") + (what && *what ? what : "?") +
		": it comes from a promise left over from an earlier call, which has ended")));
	return true;
}

/* Give JS what the host answered: its value, its text, or its error thrown. */
void
Answer(const FunctionCallbackInfo<Value> &info, UdfV8HostResult *r)
{
	Isolate    *iso = info.GetIsolate();
	Local<Context> ctx = iso->GetCurrentContext();

	/* the call is being stopped (here or in a nested call): let the termination unwind */
	if (g_stopping || iso->IsExecutionTerminating())
		return;
	if (r->error_message)
	{
		Local<Value> exc = Exception::Error(V8Str(iso, r->error_message));
		Local<Object> obj = exc.As<Object>();

		/* a failed Set can only mean the call is being stopped: nothing to throw then */
		if ((r->error_code && obj->Set(ctx, V8Str(iso, "code"), V8Str(iso, r->error_code)).IsNothing()) ||
			(r->error_detail && obj->Set(ctx, V8Str(iso, "detail"), V8Str(iso, r->error_detail)).IsNothing()) ||
			(r->error_hint && obj->Set(ctx, V8Str(iso, "hint"), V8Str(iso, r->error_hint)).IsNothing()))
			return;
		iso->ThrowException(exc);
		return;
	}
	if (r->result_is_values)
	{
		Local<Value> v;
		std::string error;
		UdfV8Context *owner = OwnerOf(ctx);

		if (!HostValuesToV8(iso, ctx, owner ? &owner->shapes : nullptr, r->result, r->result_len, &v, &error))
		{
			iso->ThrowException(Exception::Error(V8Str(iso, "udf: " + error)));
			return;
		}
		info.GetReturnValue().Set(v);
		return;
	}
	info.GetReturnValue().Set(V8Str(iso, r->result ? r->result : "null"));
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

	if (RefuseLeftover(iso, ctx, *op))
		return;
	memset(&r, 0, sizeof(r));
	WatchdogPause();
	g_host.syscall(*op, *args, args.length(), &r);
	WatchdogResume();
	Answer(info, &r);
}

/*
 * __udfNative.op(name, ...args) -> text or a host value, or throws an Error.
 * Arguments are strings, numbers, booleans (as 1 and 0), null/undefined, or
 * bytes (an ArrayBuffer or a view of one, copied: a string argument with
 * its length, which may hold NULs).
 */
void
NativeOp(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();
	Local<Context> ctx = iso->GetCurrentContext();
	const int	max_args = 8;
	std::string strings[max_args];
	UdfV8Arg	args[max_args];
	int			nargs = info.Length() - 1;
	UdfV8HostResult r;

	if (info.Length() < 1 || !info[0]->IsString() || nargs > max_args)
	{
		iso->ThrowException(Exception::TypeError(V8Str(iso, "op(name, ...args) takes a name and at most 8 arguments")));
		return;
	}
	String::Utf8Value name(iso, info[0]);

	if (RefuseLeftover(iso, ctx, *name))
		return;
	for (int i = 0; i < nargs; i++)
	{
		Local<Value> a = info[i + 1];

		memset(&args[i], 0, sizeof(args[i]));
		if (a->IsString())
		{
			String::Utf8Value s(iso, a);

			strings[i].assign(*s ? *s : "", *s ? s.length() : 0);
			args[i].str = strings[i].c_str();
			args[i].len = strings[i].size();
		}
		else if (a->IsArrayBufferView() || a->IsArrayBuffer())
		{
			/* bytes travel as a string argument with its length (crypto keys, data) */
			size_t		len;

			if (a->IsArrayBuffer())
			{
				std::shared_ptr<BackingStore> store = a.As<ArrayBuffer>()->GetBackingStore();

				len = a.As<ArrayBuffer>()->ByteLength();
				strings[i].assign(static_cast<const char *>(store->Data()), len);
			}
			else
			{
				len = a.As<ArrayBufferView>()->ByteLength();
				strings[i].resize(len);
				if (len > 0)
					a.As<ArrayBufferView>()->CopyContents(&strings[i][0], len);
			}
			args[i].str = strings[i].c_str();
			args[i].len = len;
		}
		else if (a->IsNumber())
		{
			args[i].is_number = true;
			args[i].num = a.As<Number>()->Value();
		}
		else if (a->IsBoolean())
		{
			args[i].is_number = true;
			args[i].num = a->IsTrue() ? 1 : 0;
		}
		else if (!a->IsNullOrUndefined())
		{
			iso->ThrowException(Exception::TypeError(V8Str(iso,
				std::string("op ") + *name + ": argument " + std::to_string(i + 1) +
				" is not a string, number, boolean, bytes or null")));
			return;
		}
	}
	memset(&r, 0, sizeof(r));
	WatchdogPause();
	g_host.op(*name, args, nargs, &r);
	WatchdogResume();
	Answer(info, &r);
}

/*
 * __udfNative.wait(timeoutMs) -> the host's completions (an array) or null.
 * Unlike a syscall, the watchdog is not paused: an action's waiting is its
 * time, and a cancel arriving meanwhile stops it as it would stop JS.
 */
void
NativeWait(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();
	Local<Context> ctx = iso->GetCurrentContext();
	UdfV8HostResult r;

	if (info.Length() < 1 || !info[0]->IsNumber())
	{
		iso->ThrowException(Exception::TypeError(V8Str(iso, "wait(timeoutMs) takes a number")));
		return;
	}
	if (RefuseLeftover(iso, ctx, "wait"))
		return;
	memset(&r, 0, sizeof(r));
	/* the build-time snapshot tool has no host to wait in */
	if (g_host.wait)
		g_host.wait(info[0].As<Number>()->Value(), &r);
	if (!r.result && !r.error_message)
	{
		info.GetReturnValue().SetNull();
		return;
	}
	Answer(info, &r);
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

/* A lazy part's text, udf.so's static bytes as they are: V8 must never free them. */
class StaticSource : public String::ExternalOneByteStringResource
{
  public:
	StaticSource(const char *data, size_t len) : data_(data), len_(len) {}
	const char *data() const override { return data_; }
	size_t		length() const override { return len_; }

  private:
	const char *data_;
	size_t		len_;
};

/*
 * __udfNative.lazySource(name) -> the text of the runtime's part loaded on
 * first use (setup/lazy.js), an external string over udf.so's bytes, or
 * undefined if the host has no such part (the snapshot tool has none).
 */
void
NativeLazySource(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();

	if (info.Length() < 1 || !info[0]->IsString())
		return;
	String::Utf8Value name(iso, info[0]);

	for (int i = 0; *name && i < g_host.n_lazy_sources; i++)
	{
		const UdfV8LazySource *s = &g_host.lazy_sources[i];
		Local<String> text;

		if (strcmp(s->name, *name) != 0)
			continue;
		/* V8 deletes the resource (not the bytes) when the string dies; if it made none, we do */
		StaticSource *resource = new StaticSource(s->source, s->len);

		if (String::NewExternalOneByte(iso, resource).ToLocal(&text))
			info.GetReturnValue().Set(text);
		else
			delete resource;
		return;
	}
}

/*
 * __udfNative.settle(value, pending) -> value settled now: the context's
 * microtasks are run (as an await would let them run), then a fulfilled
 * promise answers its result and any other value itself; a promise still
 * pending or rejected, or another object (it may be a thenable), answers
 * `pending`, for JS to await. The checkpoint is V8's own: it does nothing
 * while the queue is already running (a call nested in a microtask), and
 * nothing runs once a stop is asked for.
 */
void
NativeSettle(const FunctionCallbackInfo<Value> &info)
{
	Isolate    *iso = info.GetIsolate();
	Local<Context> ctx = iso->GetCurrentContext();

	if (info.Length() < 2)
		return;
	info.GetReturnValue().Set(info[1]);
	if (g_stopping || iso->IsExecutionTerminating())
		return;
	if (ctx->GetMicrotaskQueue())
		ctx->GetMicrotaskQueue()->PerformCheckpoint(iso);
	if (g_stopping || iso->IsExecutionTerminating())
		return;
	Local<Value> value = info[0];

	if (value->IsPromise())
	{
		Local<Promise> p = value.As<Promise>();

		if (p->State() == Promise::kFulfilled)
			info.GetReturnValue().Set(p->Result());
	}
	else if (!value->IsObject())
		info.GetReturnValue().Set(value);
}

} /* namespace */

namespace udf_shim
{

/* An entry begins: a fresh token, kept as the context's continuation data. */
EntryToken::EntryToken(Isolate *iso, Local<Context> ctx, UdfV8Context *c)
	: ctx_(ctx), c_(c), outer_(c->call_token)
{
	/*
	 * Tokens are numbered, never 0, and stay below 2^30 so that V8 keeps
	 * them as small integers; one wraps around only after a billion entries.
	 */
	static uint32_t last_token = 0;

	last_token = last_token >= (1u << 30) - 1 ? 1 : last_token + 1;
	c_->call_token = last_token;
	ctx_->SetContinuationPreservedEmbedderData(TokenValue(iso, last_token));
}

/* The entry ends: the outer entry's token again, or none. */
EntryToken::~EntryToken()
{
	Isolate    *iso = ctx_->GetIsolate();

	c_->call_token = outer_;
	if (outer_ == 0)
		ctx_->SetContinuationPreservedEmbedderData(Undefined(iso));
	else
		ctx_->SetContinuationPreservedEmbedderData(TokenValue(iso, outer_));
}

/* globalThis.__udfNative = {syscall, op, console, wait, lazySource, settle}; false if V8 could not make them. */
bool
InstallNatives(Local<Context> ctx)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Object> native = Object::New(iso);
	Local<Function> syscall;
	Local<Function> op;
	Local<Function> console;
	Local<Function> wait;

	Local<Function> lazy;
	Local<Function> settle;

	return Function::New(ctx, NativeSyscall).ToLocal(&syscall) &&
		Function::New(ctx, NativeSettle).ToLocal(&settle) &&
		native->Set(ctx, V8Str(iso, "settle"), settle).FromMaybe(false) &&
		Function::New(ctx, NativeLazySource).ToLocal(&lazy) &&
		native->Set(ctx, V8Str(iso, "lazySource"), lazy).FromMaybe(false) &&
		Function::New(ctx, NativeWait).ToLocal(&wait) &&
		native->Set(ctx, V8Str(iso, "wait"), wait).FromMaybe(false) &&
		Function::New(ctx, NativeOp).ToLocal(&op) &&
		Function::New(ctx, NativeConsole).ToLocal(&console) &&
		native->Set(ctx, V8Str(iso, "syscall"), syscall).FromMaybe(false) &&
		native->Set(ctx, V8Str(iso, "op"), op).FromMaybe(false) &&
		native->Set(ctx, V8Str(iso, "console"), console).FromMaybe(false) &&
		ctx->Global()->Set(ctx, V8Str(iso, "__udfNative"), native).FromMaybe(false);
}

/* The C++ functions a snapshot refers to, in a fixed order (V8 needs them listed). */
const intptr_t *
ExternalReferences(void)
{
	static const intptr_t refs[] = {
		reinterpret_cast<intptr_t>(NativeSyscall),
		reinterpret_cast<intptr_t>(NativeOp),
		reinterpret_cast<intptr_t>(NativeConsole),
		reinterpret_cast<intptr_t>(NativeWait),
		reinterpret_cast<intptr_t>(NativeLazySource),
		reinterpret_cast<intptr_t>(NativeSettle),
		0
	};

	return refs;
}

} /* namespace udf_shim */

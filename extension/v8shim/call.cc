/*
 * call.cc -- entering JS: the one typed call of a runtime entry point, and
 * the entry and settle steps every entry shares.
 *
 * Entries: every entry point into JS (a call, a module load, a new context)
 * runs between EnterCall and LeaveCall. The outermost one arms the watchdog
 * with the call's time limit and drops a stop asked for between calls; a
 * nested one (JS the host runs from inside a syscall) resumes the watchdog,
 * which its syscall had paused, and pauses it again on leaving. The
 * outermost LeaveCall disarms the watchdog, cancels any termination so the
 * isolate can run again, clears g_stopping, and turns a termination -- or
 * anything that failed while the call was being stopped -- into its reason:
 * the heap limit (the isolate is poisoned, isolate.cc), the call's own time
 * limit, or a cancel.
 *
 * Settling: a call and a module load end the same way (Settle): the
 * context's microtasks are drained, a termination or the heap limit is
 * noticed before any value is read, and a promise is read as pending (the
 * function or the top-level await never settled), rejected or fulfilled.
 * Nothing is forced: termination and the heap limit can empty any Maybe.
 *
 * The event loop: while the promise is pending after a checkpoint, Settle
 * turns the runtime's event loop (udf-runtime/src/loop.js, __udf.pump):
 * each turn fires a due timer, or delivers host completions (fetches), or
 * blocks in the host's wait (UdfV8Host.wait, which polls interrupts), and
 * is followed by a checkpoint. The loop ends when the promise settles or
 * pump answers false (nothing left to wait for: "never settled"). A timer
 * callback that throws fails the call with its exception, as an uncaught
 * exception ends a Deno program. The hot path never looks the pump up:
 * invoke answers a query or mutation at once, its handler's promise settled
 * by __udfNative.settle (natives.cc) inside the call, so Settle finds no
 * promise and its checkpoint an empty queue.
 *
 * Answers: every runtime entry point (udf-runtime/src/runtime.js) answers in
 * one form: the result's JSON text on success, an object {code, message,
 * detail, hint} on failure. The hot entry, invoke, thus answers a success
 * with the string the convex package's invoke protocol already made; no
 * object is built for it, and the shim copies the string once, straight into
 * host memory. A host that asked for them gets a plain result as host values
 * (a Uint8Array) or a number as a double, framed by a leading byte no JSON
 * text begins with (udf_v8.h).
 *
 * Cost per call: the arguments are built on the stack (at most
 * kMaxEntryArgs), the entry point's function is looked up once per context
 * and then found by comparing a handful of names (no key is built), and the
 * string arguments of udf_v8_call become typed ones on the stack: the shim
 * allocates nothing of its own per call beyond the entry token's V8 object
 * and handle.
 */
#include "shim_internal.h"
#include "watchdog.h"

#include <string.h>

using namespace v8;
using namespace udf_shim;

namespace
{

/* nesting of entry points (a syscall may re-enter JS); 0 when idle */
int			g_depth = 0;
double		g_time_limit_ms = 0;

UdfV8Status CallImpl(UdfV8Context *c, const char *entry, const char *module_path,
					 const UdfV8Arg *args, int nargs, char **result_json, UdfV8Error *err);

/* Call the runtime entry point `entry` with typed arguments, inside an entry token. */
UdfV8Status
CallImpl(UdfV8Context *c, const char *entry, const char *module_path,
		 const UdfV8Arg *args, int nargs, char **result_json, UdfV8Error *err)
{
	Isolate    *iso = g_isolate;
	Isolate::Scope is(iso);
	HandleScope hs(iso);
	Local<Context> ctx = c->context.Get(iso);
	Context::Scope cs(ctx);
	EntryToken	token(iso, ctx, c);
	Local<Value> argv[kMaxEntryArgs];
	int			argc = 0;
	Local<Object> udf;
	Local<Function> fn;
	Local<Value> ret;

	TryCatch	tc(iso);

	memset(err, 0, sizeof(*err));
	*result_json = nullptr;
	if (nargs < 0 || nargs + (module_path ? 1 : 0) > kMaxEntryArgs)
	{
		SetError(err, UDF_V8_INTERNAL, std::string("too many arguments for the runtime entry point ") + entry);
		return err->status;
	}
	if (module_path)
	{
		ModuleEntry *m = FindModule(c, module_path);
		Local<Module> mod;

		if (m == nullptr || m->module.IsEmpty() ||
			(mod = m->module.Get(iso))->GetStatus() != Module::kEvaluated)
		{
			SetError(err, UDF_V8_INTERNAL, std::string("module not loaded: ") + module_path);
			return err->status;
		}
		argv[argc++] = mod->GetModuleNamespace();
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
			argv[argc++] = v;
		}
		else if (args[i].is_number)
			argv[argc++] = Number::New(iso, args[i].num);
		else if (args[i].is_name && args[i].str)
			argv[argc++] = CachedName(c, args[i].str);
		else if (args[i].str)
			argv[argc++] = V8Str(iso, args[i].str);
		else
			argv[argc++] = Null(iso);
	}

	/* the entry points never change: look each up once per context */
	for (const auto &known : c->entries)
	{
		/* strcmp stops at the first differing byte: no length is taken */
		if (strcmp(known.first.c_str(), entry) == 0)
		{
			udf = c->runtime.Get(iso);
			fn = known.second.Get(iso);
			break;
		}
	}
	if (fn.IsEmpty())
	{
		if (!RuntimeFunction(ctx, entry, &udf, &fn))
		{
			SetError(err, UDF_V8_INTERNAL, std::string("the runtime has no entry point ") + entry);
			return err->status;
		}
		c->runtime.Reset(iso, udf);
		c->entries.emplace_back(entry, Global<Function>(iso, fn));
	}

	UdfV8Status st = Settle(ctx, c->microtasks.get(), tc, fn->Call(ctx, udf, argc, argv),
							UDF_V8_JS_ERROR, "the function did not finish: its promise never settled",
							&ret, err);

	if (st != UDF_V8_OK)
		return st;
	st = ReadAnswer(ctx, ret, entry, result_json, err);
	/*
	 * A promise the function rejected and never handled fails a call that
	 * otherwise succeeded, as in Convex. A call that failed keeps its own
	 * error: a leftover's rejection (a syscall refused after the call ended)
	 * must not hide why it failed.
	 */
	if (st == UDF_V8_OK && g_depth == 1 && DescribeUnhandled(ctx, err))
		return err->status;
	return st;
}

} /* namespace */

namespace udf_shim
{

/* The V8 string of a name the host keeps (UDF_V8_NAME), made once per context and address. */
Local<String>
CachedName(UdfV8Context *c, const char *name)
{
	Isolate    *iso = g_isolate;
	UdfV8Context::NameEntry &e = c->names[(reinterpret_cast<uintptr_t>(name) >> 3) % (sizeof(c->names) / sizeof(c->names[0]))];

	if (e.ptr == name && e.text == name)
		return e.str.Get(iso);
	Local<String> s = V8Str(iso, name);

	e.ptr = name;
	e.text = name;
	e.str.Reset(iso, s);
	return s;
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
		return PoisonAfterOom(st, err);
	if (st != UDF_V8_OK && stopped)
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

/*
 * Turn the runtime's event loop until promise p settles or nothing is left
 * to wait for; a failure (a termination, a timer callback's exception)
 * answers its status.
 */
UdfV8Status
RunLoop(Local<Context> ctx, MicrotaskQueue *queue, TryCatch &tc, Local<Promise> p,
		UdfV8Status failed, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Object> udf;
	Local<Function> pump;

	/* the build-time snapshot's warm-up runs before the runtime is complete */
	if (!RuntimeFunction(ctx, "pump", &udf, &pump))
		return UDF_V8_OK;
	UdfV8Context *owner = OwnerOf(ctx);

	while (p->State() == Promise::kPending)
	{
		Local<Value> more;

		/*
		 * The loop runs on behalf of the current entry: a checkpoint leaves
		 * the last job's continuation data behind, so give the pump (and the
		 * timer callbacks it runs) the entry's token again.
		 */
		if (owner && owner->call_token != 0)
			ctx->SetContinuationPreservedEmbedderData(TokenValue(iso, owner->call_token));
		if (!pump->Call(ctx, udf, 0, nullptr).ToLocal(&more))
		{
			DescribeException(ctx, tc, tc.HasTerminated() || g_oom ? UDF_V8_TERMINATED : failed, err);
			return err->status;
		}
		queue->PerformCheckpoint(iso);
		if (tc.HasTerminated() || g_oom)
		{
			DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
			return err->status;
		}
		if (!more->IsTrue())
			break;
	}
	return UDF_V8_OK;
}

/*
 * The one tail of every entry into JS: what `ran` returned (empty: it threw,
 * reported with status `failed`), microtasks drained from `queue`, a
 * termination noticed, and a promise read as pending (UDF_V8_UNFINISHED with
 * `unfinished`), rejected (status `failed`) or fulfilled (*out its value).
 */
UdfV8Status
Settle(Local<Context> ctx, MicrotaskQueue *queue, TryCatch &tc, MaybeLocal<Value> ran,
	   UdfV8Status failed, const char *unfinished, Local<Value> *out, UdfV8Error *err)
{
	Isolate    *iso = ctx->GetIsolate();
	Local<Value> value;

	if (!ran.ToLocal(&value))
	{
		DescribeException(ctx, tc, failed, err);
		return err->status;
	}
	queue->PerformCheckpoint(iso);
	if (tc.HasTerminated() || g_oom)
	{
		DescribeException(ctx, tc, UDF_V8_TERMINATED, err);
		return err->status;
	}
	if (value->IsPromise())
	{
		Local<Promise> p = value.As<Promise>();

		if (p->State() == Promise::kPending)
		{
			UdfV8Status pumped = RunLoop(ctx, queue, tc, p, failed, err);

			if (pumped != UDF_V8_OK)
				return pumped;
		}
		if (p->State() == Promise::kPending)
		{
			SetError(err, UDF_V8_UNFINISHED, unfinished);
			return err->status;
		}
		if (p->State() == Promise::kRejected)
		{
			DescribeValue(ctx, p->Result(), Local<Message>(), failed, err);
			return err->status;
		}
		value = p->Result();
	}
	*out = value;
	return UDF_V8_OK;
}

/*
 * An entry point's answer: a string is the result's JSON, a Uint8Array the
 * result as host values (UDF_RESULT_VALUES), a number the number
 * (UDF_RESULT_NUMBER), an object a failure.
 */
UdfV8Status
ReadAnswer(Local<Context> ctx, Local<Value> answer, const char *entry, char **result_json,
		   UdfV8Error *err)
{
	if (answer->IsString())
	{
		*result_json = HostStrdup(ctx->GetIsolate(), answer);
		return UDF_V8_OK;
	}
	if (answer->IsUint8Array())
	{
		Local<Uint8Array> values = answer.As<Uint8Array>();
		uint32_t	len = static_cast<uint32_t>(values->ByteLength());
		char	   *framed = static_cast<char *>(g_host.alloc(1 + sizeof(len) + len));

		if (framed == nullptr)
		{
			SetError(err, UDF_V8_INTERNAL, "out of memory for a function's result");
			return err->status;
		}
		framed[0] = UDF_RESULT_VALUES;
		memcpy(framed + 1, &len, sizeof(len));
		values->CopyContents(framed + 1 + sizeof(len), len);
		*result_json = framed;
		return UDF_V8_OK;
	}
	if (answer->IsNumber())
	{
		double		num = answer.As<Number>()->Value();
		char	   *framed = static_cast<char *>(g_host.alloc(1 + sizeof(num)));

		if (framed == nullptr)
		{
			SetError(err, UDF_V8_INTERNAL, "out of memory for a function's result");
			return err->status;
		}
		framed[0] = UDF_RESULT_NUMBER;
		memcpy(framed + 1, &num, sizeof(num));
		*result_json = framed;
		return UDF_V8_OK;
	}
	if (!answer->IsObject())
	{
		SetError(err, UDF_V8_INTERNAL, std::string("runtime entry point ") + entry +
				 " answered neither JSON text nor a failure object");
		return err->status;
	}
	Local<Object> obj = answer.As<Object>();

	memset(err, 0, sizeof(*err));
	err->status = UDF_V8_JS_ERROR;
	err->message = PropOrNull(ctx, obj, "message");
	err->detail = PropOrNull(ctx, obj, "detail");
	err->hint = PropOrNull(ctx, obj, "hint");
	err->code = PropOrNull(ctx, obj, "code");
	if (!err->message)
		err->message = HostStrdup("unknown error");
	return err->status;
}

} /* namespace udf_shim */

/* Call a runtime entry point with typed arguments: a top-level or nested entry. */
extern "C" UdfV8Status
udf_v8_call_typed(UdfV8Context *c, const char *entry, const char *module_path,
				  const UdfV8Arg *args, int nargs, char **result_json, UdfV8Error *err)
{
	EnterCall();
	return LeaveCall(CallImpl(c, entry, module_path, args, nargs, result_json, err), err);
}

/* udf_v8_call_typed with string arguments, made typed on the stack. */
extern "C" UdfV8Status
udf_v8_call(UdfV8Context *c, const char *entry, const char *module_path,
			const char *const *args, int nargs, char **result_json, UdfV8Error *err)
{
	UdfV8Arg	typed[kMaxEntryArgs];

	/* past kMaxEntryArgs CallImpl refuses the call before it reads any argument */
	for (int i = 0; i < nargs && i < kMaxEntryArgs; i++)
	{
		typed[i].str = args[i];
		typed[i].num = 0;
		typed[i].is_number = false;
		typed[i].is_values = false;
		typed[i].len = 0;
		typed[i].is_name = false;
	}
	return udf_v8_call_typed(c, entry, module_path, typed, nargs, result_json, err);
}

/* Time limit for the next top-level entry, in ms of JS time; <= 0 for none. */
extern "C" void
udf_v8_set_time_limit(double ms)
{
	g_time_limit_ms = ms;
}

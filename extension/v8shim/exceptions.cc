/*
 * exceptions.cc -- what went wrong in JS, described for the host.
 *
 * Every failure leaves the shim as a UdfV8Error: a status, and message,
 * detail, hint and SQLSTATE in host memory (UdfV8Host.alloc, palloc on the C
 * side, so memory contexts free them). A thrown value is described by the
 * runtime's own formatter, __udf.describeError (Convex's "Uncaught X: msg",
 * a cleaned and source-mapped stack, a ConvexError's data, a SQL error's
 * SQLSTATE), run under a TryCatch of its own; when it cannot run, V8's
 * string form of the value is the message. A termination or the heap limit
 * is never described by running JS: it is reported as itself, whatever else
 * was caught.
 *
 * Unhandled rejections: the isolate's promise-reject callback keeps the
 * promises rejected with no handler during the current top-level call
 * (forgetting one when a handler is added later); a function call that
 * leaves one behind fails with it, as in Convex (call.cc). The list is
 * cleared when a top-level call begins and ends.
 *
 * Allocation: the host's allocator returns NULL rather than raising; a
 * string that cannot be copied degrades to "". Nothing here calls
 * PostgreSQL.
 */
#include "shim_internal.h"

#include <string.h>

#include <vector>

using namespace v8;
using namespace udf_shim;

namespace
{

/* A promise rejected with no handler during the current top-level call. */
struct Unhandled
{
	Global<Promise> promise;
	Global<Value> reason;
};

std::vector<Unhandled> *g_unhandled = nullptr;

} /* namespace */

namespace udf_shim
{

/* A copy of s[0..len) in host memory, NUL-terminated. */
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

/* A copy of s in host memory. */
char *
HostStrdup(const std::string &s)
{
	return HostStrdup(s.data(), s.size());
}

/* A value's string form in host memory; a string is written once, straight there. */
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

/* Fill err with a status and a message of the shim's own. */
void
SetError(UdfV8Error *err, UdfV8Status status, const std::string &message)
{
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->message = HostStrdup(message);
}

/* A string property of obj; false when absent, null or undefined. */
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

/* A string property of obj in host memory, or NULL when absent. */
char *
PropOrNull(Local<Context> ctx, Local<Object> obj, const char *name)
{
	std::string s;

	return GetStringProp(ctx, obj, name, &s) ? HostStrdup(s) : nullptr;
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
	Local<Object> udf;
	Local<Function> fmt;
	Local<Value> described;

	if (RuntimeFunction(ctx, "describeError", &udf, &fmt) &&
		fmt->Call(ctx, udf, 1, &exc).ToLocal(&described) && described->IsObject())
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

/* The first rejection nobody handled during this call, as "Uncaught (in promise) ..." */
bool
DescribeUnhandled(Local<Context> ctx, UdfV8Error *err)
{
	if (!g_unhandled || g_unhandled->empty())
		return false;
	Local<Value> reason = (*g_unhandled)[0].reason.Get(ctx->GetIsolate());

	DescribeValue(ctx, reason, Local<Message>(), UDF_V8_JS_ERROR, err);
	std::string msg = err->message ? err->message : "";

	if (msg.rfind("Uncaught ", 0) == 0)
		msg = "Uncaught (in promise) " + msg.substr(9);
	err->message = HostStrdup(msg);
	return true;
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
		Unhandled	u;

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

/* Forget the tracked rejections (a top-level call begins or ends). */
void
ClearUnhandled(void)
{
	if (g_unhandled)
		g_unhandled->clear();
}

} /* namespace udf_shim */

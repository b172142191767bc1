/*
 * httpstream.c -- streamed answers of HTTP actions: a Response whose body
 * is a ReadableStream goes to the client as the handler produces it, with
 * chunked transfer encoding (libmicrohttpd's callback responses), while the
 * handler still runs.
 *
 * Who runs where. Everything stays on the worker's one thread, in this
 * order. The worker's loop serves a queued request (httpd.c) and, for an
 * HTTP action, names it here (HttpStreamServe) before the call. The
 * runtime (udf-runtime/src/http.js), seeing a stream body, asks for
 * http/streamStart(status, headers): the request keeps them as its answer's
 * head and its suspended connection is resumed (HTTP_REQ_STREAMING), so
 * libmicrohttpd calls the access handler once more, which queues a callback
 * response (HttpStreamQueue). Each chunk the stream yields then comes in by
 * http/streamWrite(bytes): it is appended to the request's out buffer and
 * the daemon is run right there (httpd.c's daemon run, with no wait) until it has
 * taken and written what it can, so the chunk is on the wire before the
 * handler's next await. libmicrohttpd's callbacks run inside that op but do
 * nothing but move bytes (StreamRead copies from the out buffer; 0 when it
 * is empty, and libmicrohttpd asks again at its next run), so no database
 * or V8 work is ever re-entered. When the call ends, HttpStreamEnd marks the
 * out buffer done (or failed, cutting the response off without its final
 * chunk) and the worker's loop drains the rest.
 *
 * Limits and flow. The runtime stops a stream past 20 MiB (Convex's limit)
 * by failing the call, which the host logs with the route. A client slower
 * than the handler makes the out buffer grow; past STREAM_HIGH_WATER a
 * write waits (the daemon running, interrupts checked every
 * STREAM_SLICE_MS) until the client has taken enough, and a client that
 * takes nothing for udf.http_timeout is given up on. While the handler
 * produces, the connection's own idle timeout is off (the gaps between
 * chunks are the handler's, not the client's); it is set back when the
 * call ends. A client that goes away is seen at the next run: the request
 * is marked closed (httpd.c), writes answer false, and the runtime cancels
 * the stream.
 *
 * Memory: the out buffer is malloc'd with the request and freed with it.
 * What may raise: the ops (bad arguments, an interrupt while waiting); an
 * op's error ends the call, as every op's does.
 */
#include "udf.h"

#include "miscadmin.h"
#include "portability/instr_time.h"

#include "httpconn.h"

/* Bytes a write may leave queued before it waits for the client. */
#define STREAM_HIGH_WATER (1024 * 1024)
/* The longest one wait for the client sleeps before it looks at interrupts, in ms. */
#define STREAM_SLICE_MS 10
/* Runs of the daemon after a write, at most, before the handler goes on. */
#define STREAM_MAX_RUNS 16
/* The size of the chunks libmicrohttpd asks for. */
#define STREAM_BLOCK_SIZE (64 * 1024)

/* the request whose HTTP action is running now, if it came from the endpoint */
static HttpRequest *serving = NULL;

static HttpDaemonRun daemon_run_once = NULL;

static ssize_t StreamRead(void *cls, uint64_t pos, char *buf, size_t max);
static void StreamPump(HttpRequest *req);
static bool StreamWait(HttpRequest *req);
static bool StreamAppend(HttpRequest *req, const char *data, size_t len);
static HttpRequest *Streaming(const char *op, HttpRequestState want, UdfV8HostResult *out);

/* The daemon to run while an answer streams (httpd.c's, given at the worker's start). */
void
HttpStreamSetDaemon(HttpDaemonRun run_once)
{
	daemon_run_once = run_once;
}

/* The endpoint is about to run req's HTTP action: its answer may be streamed. */
void
HttpStreamServe(HttpRequest *req)
{
	serving = req;
}

/* Whether an HTTP action from the endpoint is running (and so may stream its answer). */
bool
HttpStreamActive(void)
{
	return serving != NULL;
}

/*
 * req's HTTP action ended, ok or not: a streamed answer gets its end (its
 * last chunk, or a cut-off when the action failed). Nothing for an answer
 * that was not streamed.
 */
void
HttpStreamEnd(HttpRequest *req, bool ok)
{
	serving = NULL;
	if (req->state != HTTP_REQ_STREAMING)
		return;
	req->out_done = true;
	/* a client given up on (StreamWait) stays cut off, whatever the handler then did */
	if (!ok)
		req->out_failed = true;
	if (!req->closed)
	{
		/* the client's own pace counts again */
		MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int) HttpTimeoutSeconds());
		StreamPump(req);
	}
}

/*
 * libmicrohttpd's content reader of a streamed answer: the bytes produced so
 * far; 0 (asked again at the next run) when none are waiting; the end, or an
 * error that closes the connection, once the handler is done.
 */
static ssize_t
StreamRead(void *cls, uint64_t pos, char *buf, size_t max)
{
	HttpRequest *req = cls;
	size_t		n = req->out_len - req->out_off;

	if (n == 0)
	{
		if (req->out_failed)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (req->out_done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		return 0;
	}
	n = Min(n, max);
	memcpy(buf, req->out + req->out_off, n);
	req->out_off += n;
	if (req->out_off == req->out_len)
		req->out_off = req->out_len = 0;
	return (ssize_t) n;
}

/*
 * From the access handler, once the connection of a streamed answer is
 * resumed: queue its head with a callback response for its body. An answer
 * that failed before any byte was produced is a plain 500 instead, as its
 * head has not gone out yet.
 */
enum MHD_Result
HttpStreamQueue(HttpRequest *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (req->out_queued)
		return MHD_YES;
	req->out_queued = true;
	if (req->out_failed && req->out_len == 0)
	{
		struct MHD_Response *err = MHD_create_response_from_buffer(strlen("Internal Server Error"),
																   "Internal Server Error",
																   MHD_RESPMEM_PERSISTENT);

		if (err == NULL)
			return MHD_NO;
		MHD_add_response_header(err, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
		ret = MHD_queue_response(req->conn, 500, err);
		MHD_destroy_response(err);
		return ret;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, StreamRead, req, NULL);
	if (resp == NULL)
		return MHD_NO;
	for (int i = 0; i < req->answer.nheaders; i++)
		MHD_add_response_header(resp, req->answer.headers[i].name, req->answer.headers[i].value);
	ret = MHD_queue_response(req->conn, req->answer.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Let the daemon take and send what it can of req's bytes now, without waiting for the client. */
static void
StreamPump(HttpRequest *req)
{
	for (int i = 0; i < STREAM_MAX_RUNS && !req->closed; i++)
	{
		/* queued and written: until then a run moves it on (resume, queue, fill, write) */
		if (daemon_run_once(0) == 0 && req->out_queued && req->out_len == req->out_off)
			break;
	}
}

/*
 * While more than STREAM_HIGH_WATER bytes wait for the client, run the
 * daemon until it has taken enough; false when the client is gone or has
 * taken nothing for udf.http_timeout. Raises on an interrupt (a cancel).
 */
static bool
StreamWait(HttpRequest *req)
{
	instr_time	since;
	size_t		left = req->out_len - req->out_off;

	INSTR_TIME_SET_CURRENT(since);
	while (!req->closed && req->out_len - req->out_off > STREAM_HIGH_WATER)
	{
		instr_time	now;

		CHECK_FOR_INTERRUPTS();
		(void) daemon_run_once(STREAM_SLICE_MS);
		INSTR_TIME_SET_CURRENT(now);
		if (req->out_len - req->out_off < left)
		{
			/* the client took some: its idle time starts again */
			left = req->out_len - req->out_off;
			since = now;
			continue;
		}
		INSTR_TIME_SUBTRACT(now, since);
		if (INSTR_TIME_GET_MILLISEC(now) > HttpTimeoutSeconds() * 1000.0)
		{
			ereport(LOG,
					(errmsg("udf http: the client of the streamed response to %s %s took nothing for %d s; its answer is cut off",
							req->method, req->path, HttpTimeoutSeconds())));
			req->out_failed = true;
			return false;
		}
	}
	return !req->closed;
}

/* Append len bytes to req's out buffer; false when out of memory. */
static bool
StreamAppend(HttpRequest *req, const char *data, size_t len)
{
	if (req->out_off > 0)
	{
		/* drop what was taken before growing */
		memmove(req->out, req->out + req->out_off, req->out_len - req->out_off);
		req->out_len -= req->out_off;
		req->out_off = 0;
	}
	if (req->out_len + len > req->out_cap)
	{
		size_t		cap = Max(req->out_cap * 2, req->out_len + len);
		char	   *out = realloc(req->out, cap);

		if (out == NULL)
			return false;
		req->out = out;
		req->out_cap = cap;
	}
	memcpy(req->out + req->out_len, data, len);
	req->out_len += len;
	req->out_total += len;
	return true;
}

/* The streamed request, or an error for the op: the runtime streams only when the endpoint said it may. */
static HttpRequest *
Streaming(const char *op, HttpRequestState want, UdfV8HostResult *out)
{
	if (serving == NULL || serving->state != want)
	{
		out->error_message = psprintf("udf internal error: %s without an HTTP answer to stream", op);
		out->error_code = "XX000";
		return NULL;
	}
	return serving;
}

/* Op http/streamStart(status, headers JSON): the head of the streamed answer; it goes out now. */
void
HttpStreamStartOp(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	HttpRequest *req = Streaming("http/streamStart", HTTP_REQ_QUEUED, out);
	double		status = OpArgNumber(args, 0);
	const char *headers = OpArgString(args, 1);

	if (req == NULL)
		return;
	if (status < 200 || status > 599 || headers == NULL)
	{
		out->error_message = "udf internal error: http/streamStart needs a status and headers";
		out->error_code = "XX000";
		return;
	}
	HttpResponseFree(&req->answer);
	if (!HttpResponseHeadersJson(headers, &req->answer))
	{
		out->error_message = "udf internal error: http/streamStart's headers are not [[name, value], ...]";
		out->error_code = "XX000";
		return;
	}
	req->answer.status = (int) status;
	req->state = HTTP_REQ_STREAMING;
	/* the gaps between chunks are the handler's: no idle timeout while it produces */
	MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0U);
	MHD_resume_connection(req->conn);
	StreamPump(req);
	out->result = "null";
}

/* Op http/streamWrite(bytes): the next chunk, sent before the handler goes on; "false" once the client is gone. */
void
HttpStreamWriteOp(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	HttpRequest *req = Streaming("http/streamWrite", HTTP_REQ_STREAMING, out);

	if (req == NULL)
		return;
	if (args[0].is_number || args[0].str == NULL)
	{
		out->error_message = "udf internal error: http/streamWrite needs bytes";
		out->error_code = "XX000";
		return;
	}
	if (req->closed || req->out_failed)
	{
		out->result = "false";
		return;
	}
	if (!StreamAppend(req, args[0].str, args[0].len))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory for a streamed HTTP response")));
	StreamPump(req);
	out->result = StreamWait(req) ? "true" : "false";
}

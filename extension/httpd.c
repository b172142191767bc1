/*
 * httpd.c -- the HTTP endpoint: libmicrohttpd inside udf's background
 * workers, serving file uploads and downloads (httpfiles.c) and HTTP
 * actions (httpaction.c, streamed answers in httpstream.c) of one database.
 *
 * Processes. With udf preloaded and udf.http_port set, the launcher
 * (bgworker.c) starts udf.http_workers workers of kind BGW_KIND_HTTP per
 * database; those of every database but udf.http_database end at once,
 * idle (those of udf.http_database wait, polling each second, until udf
 * is installed there). Each remaining worker is a backend of
 * its own, connected as the bootstrap superuser, with its own libmicrohttpd
 * daemon bound to the same address and port with SO_REUSEPORT: the kernel
 * spreads connections over the workers, so a slow request holds up only
 * its own worker, and each worker has its own isolate.
 *
 * Threads. The daemon runs without threads of its own ("external select"
 * mode): the worker's loop asks it for its sockets, waits for them with
 * select() (at most HTTP_POLL_MS, so interrupts and config reloads are
 * seen), and lets it run (HttpdRunOnce). Every callback of libmicrohttpd
 * therefore runs in the backend's one thread.
 *
 * The life of a request. libmicrohttpd's callbacks do no database or V8
 * work at all -- they only collect, queue and hand over bytes, in malloc'd
 * memory -- because they may also run while a handler is running: a
 * streamed answer drives the daemon from inside the handler's call (below).
 * The access handler buffers the body (HTTP_REQ_RECEIVING); once the
 * request is complete it answers at once what needs no database (413, a
 * CORS preflight, 405, a malformed file path) or suspends the connection
 * and queues the request (HTTP_REQ_QUEUED). The worker's loop, outside any
 * callback, serves the queue in order: one transaction per request
 * (RunRequestWork), the answer stored in the request (HTTP_REQ_ANSWERED),
 * the connection resumed; libmicrohttpd then calls the access handler once
 * more, which sends the answer (HTTP_REQ_SENT). A streamed answer instead
 * resumes the connection as soon as its head is known (HTTP_REQ_STREAMING;
 * httpstream.c), and its body follows chunk by chunk while the handler
 * still runs. The completion callback frees a request, except one the
 * worker is serving (running): that one is marked closed and freed when
 * its work ends.
 *
 * Errors. No PostgreSQL error may longjmp through libmicrohttpd's frames,
 * and none can: the callbacks call nothing that raises. Every request's
 * database work runs in RunRequestWork (httpresponse.c), a PG_TRY around a transaction of
 * its own; an error is logged (EmitErrorReport), the transaction aborted,
 * the error state flushed, and the client gets a 500 with a short body,
 * never the message or a stack. FATAL (SIGTERM, postmaster death) exits the
 * process from inside, which is fine: the sockets close. Nothing here calls
 * V8 directly; HTTP actions go through call.c like any call.
 *
 * Memory. A request's bookkeeping (HttpRequest, httpconn.h), its buffered
 * body and its answer are malloc'd: they live across callbacks, outside any
 * transaction. Each request's database work runs in a memory context reset
 * per request.
 *
 * Limits. Bodies are buffered up to udf.http_max_upload_size (uploads) or
 * udf.http_max_body_size (HTTP actions); a larger Content-Length, or a body
 * that grows past it, gets 413. libmicrohttpd enforces the rest:
 * udf.http_timeout for idle or slow connections (slowloris),
 * HTTP_MAX_CONNECTIONS connections per worker, a per-connection memory
 * limit for headers, and well-formed HTTP/1.1 (keep-alive, chunked bodies).
 *
 * Settings are reloadable: a worker whose port, address, database or
 * timeout changed at a reload stops its daemon and is started again (a
 * port of 0 starts none); the queue is empty then (the loop serves it
 * whole before it looks at settings), so no connection is left suspended.
 *
 * Statistics: each answered request is counted for udf_http_stats
 * (httpstats.c) with its route, status, body bytes in and out, and the
 * time from its first line to its answer.
 *
 * Routes: POST /api/storage/upload?token=... (storage.c's signed token),
 * GET or HEAD /api/storage/<id> (both for any origin: CORS preflights are
 * answered and Access-Control-Allow-Origin is *), everything else to the deployment's
 * http.js router (httpaction.c).
 */
#include "udf.h"

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sys/select.h>

#include "bgworker.h"
#include "httpd.h"
#include "httpconn.h"

#define HTTP_POLL_MS 200
#define HTTP_MAX_CONNECTIONS 256
#define HTTP_CONNECTION_MEMORY (64 * 1024)
#define STORAGE_PREFIX "/api/storage/"

static int	http_port = 0;
static char *http_listen_address = NULL;
static char *http_database = NULL;
static int	http_workers = 2;
static int	http_max_upload_kb = 100 * 1024;

static struct MHD_Daemon *mhd = NULL;

/* the requests waiting for the worker's loop, oldest first */
static HttpRequest *queue_head = NULL;
static HttpRequest *queue_tail = NULL;

static int	HttpWorkerCount(void);
static enum MHD_Result HandleRequest(void *cls, struct MHD_Connection *conn, const char *url,
									 const char *method, const char *version, const char *upload_data,
									 size_t *upload_data_size, void **req_cls);
static bool AnswerAtOnce(HttpRequest *req, HttpResponse *r);
static void *RequestStarted(void *cls, const char *uri, struct MHD_Connection *conn);
static void RequestCompleted(void *cls, struct MHD_Connection *conn, void **req_cls,
							 enum MHD_RequestTerminationCode toe);
static void FreeRequest(HttpRequest *req);
static void CountAnswer(HttpRequest *req, const char *path, const char *method, const HttpResponse *r);
static enum MHD_Result Respond(struct MHD_Connection *conn, HttpResponse *r);
static void ServeRequest(HttpRequest *req, HttpResponse *r);
static bool ServeQueue(void);
static struct MHD_Daemon *StartDaemon(void);
static int	HttpdRunOnce(long wait_ms);

/* Register the endpoint's settings and its kind of worker. */
void
HttpdInit(void)
{
	DefineCustomIntVariable("udf.http_port",
							"TCP port of the HTTP endpoint (file URLs, uploads, HTTP actions); 0: none.",
							"Needs udf in shared_preload_libraries. 0-65535.",
							&http_port, 0, 0, 65535, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("udf.http_listen_address",
							   "IP address the HTTP endpoint listens on.",
							   "An IPv4 or IPv6 address; loopback by default. 0.0.0.0 or :: listen on every interface.",
							   &http_listen_address, "127.0.0.1", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("udf.http_database",
							   "The database whose files and HTTP actions the endpoint serves.",
							   NULL,
							   &http_database, "postgres", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.http_workers",
							"HTTP endpoint workers (each a backend with its own isolate), serving requests concurrently.",
							"1-64.",
							&http_workers, 2, 1, 64, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.http_timeout",
							"Seconds an HTTP connection may stay idle or slow before it is closed.",
							"1-3600 s; also bounds a client that sends its request slowly.",
							&http_timeout_s, 30, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.http_max_body_size",
							"Largest request body of an HTTP action.",
							"As Convex: 20MB. Larger requests get 413.",
							&http_max_body_kb, 20 * 1024, 1, 1024 * 1024, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.http_max_upload_size",
							"Largest file an upload URL accepts.",
							"Larger uploads get 413. The body is buffered in the worker's memory before it is stored.",
							&http_max_upload_kb, 100 * 1024, 1, 1024 * 1024, PGC_SIGHUP, GUC_UNIT_KB, NULL, NULL, NULL);
	BgwRegisterKind(BGW_KIND_HTTP, "udf http", "udf_http_main", HttpWorkerCount);
}

/* Workers per database, for the launcher: none while the endpoint is off. */
static int
HttpWorkerCount(void)
{
	return http_port > 0 ? http_workers : 0;
}

/* Send r on conn, and free it. */
static enum MHD_Result
Respond(struct MHD_Connection *conn, HttpResponse *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
	{
		HttpResponseFree(r);
		return MHD_NO;
	}
	r->body = NULL;				/* the response owns it now */
	if (r->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	ret = MHD_queue_response(conn, r->status, resp);
	MHD_destroy_response(resp);
	HttpResponseFree(r);
	return ret;
}

/* ------------------------------------------------------------------ libmicrohttpd callbacks (no database work) */

/*
 * The answers that need no database, or false: a body too large, a CORS
 * preflight of the file routes, a file route's wrong method or malformed path.
 */
static bool
AnswerAtOnce(HttpRequest *req, HttpResponse *r)
{
	const char *url = req->path;
	bool		upload = strcmp(url, STORAGE_PREFIX "upload") == 0;
	bool		storage = strncmp(url, STORAGE_PREFIX, strlen(STORAGE_PREFIX)) == 0;
	const char *id = url + strlen(STORAGE_PREFIX);

	if (req->too_large)
		HttpResponseText(r, 413, "Payload Too Large");
	else if (storage && strcmp(req->method, "OPTIONS") == 0)
	{
		/* a browser's preflight before it uploads or fetches cross-origin */
		HttpResponseText(r, 204, "");
		r->len = 0;
		HttpResponseHeader(r, "Access-Control-Allow-Methods", upload ? "POST" : "GET, HEAD");
		HttpResponseHeader(r, "Access-Control-Allow-Headers", "Content-Type, Digest, Range");
		HttpResponseHeader(r, "Access-Control-Max-Age", "86400");
	}
	else if (upload && strcmp(req->method, "POST") != 0)
	{
		HttpResponseText(r, 405, "Method Not Allowed");
		HttpResponseHeader(r, MHD_HTTP_HEADER_ALLOW, "POST");
	}
	else if (storage && !upload && strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
	{
		HttpResponseText(r, 405, "Method Not Allowed");
		HttpResponseHeader(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	}
	else if (storage && !upload && (strlen(id) > 64 || strchr(id, '/') != NULL))
		HttpResponseText(r, 404, "Not Found");
	else
		return false;
	/* uploads and files are for any origin, as Convex serves them; HTTP actions do their own CORS */
	if (storage)
		HttpResponseHeader(r, "Access-Control-Allow-Origin", "*");
	return true;
}

/*
 * libmicrohttpd's access handler: collect the body, then answer at once or
 * queue the request for the worker's loop; called again once the worker
 * resumed the connection, it sends the answer (see the file header).
 */
static enum MHD_Result
HandleRequest(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	HttpRequest *req = *req_cls;
	HttpResponse r = {0};

	if (req == NULL)
		return MHD_NO;			/* RequestStarted ran out of memory */
	if (!req->started)
	{
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		req->started = true;
		req->conn = conn;
		req->method = strdup(method);
		req->path = strdup(url);
		if (req->method == NULL || req->path == NULL)
			return MHD_NO;
		req->limit = strcmp(url, STORAGE_PREFIX "upload") == 0 ? (size_t) http_max_upload_kb * 1024 : HttpMaxBodySize();
		if (cl && strtoull(cl, NULL, 10) > req->limit)
			req->too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		req->received += *upload_data_size;
		/* more body: keep it, unless it is already too much */
		if (!req->too_large && req->len + *upload_data_size > req->limit)
			req->too_large = true;
		if (!req->too_large)
		{
			if (req->len + *upload_data_size > req->cap)
			{
				size_t		cap = Max(req->cap * 2, req->len + *upload_data_size);
				char	   *body = realloc(req->body, Min(cap, req->limit));

				if (body == NULL)
					return MHD_NO;
				req->body = body;
				req->cap = Min(cap, req->limit);
			}
			memcpy(req->body + req->len, upload_data, *upload_data_size);
			req->len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	switch (req->state)
	{
		case HTTP_REQ_RECEIVING:
			/* the whole request is here */
			if (AnswerAtOnce(req, &r))
			{
				req->state = HTTP_REQ_SENT;
				CountAnswer(req, url, method, &r);
				return Respond(conn, &r);
			}
			req->state = HTTP_REQ_QUEUED;
			MHD_suspend_connection(conn);
			if (queue_tail)
				queue_tail->next = req;
			else
				queue_head = req;
			queue_tail = req;
			return MHD_YES;
		case HTTP_REQ_ANSWERED:
			req->state = HTTP_REQ_SENT;
			return Respond(conn, &req->answer);
		case HTTP_REQ_STREAMING:
			return HttpStreamQueue(req);
		default:
			return MHD_YES;		/* nothing to do until the worker resumes it */
	}
}

/* libmicrohttpd's URI callback, first of a request: its bookkeeping, with the URI as sent. */
static void *
RequestStarted(void *cls, const char *uri, struct MHD_Connection *conn)
{
	HttpRequest *req = calloc(1, sizeof(HttpRequest));

	if (req && (req->uri = strdup(uri)) == NULL)
	{
		free(req);
		req = NULL;
	}
	if (req)
		INSTR_TIME_SET_CURRENT(req->start);
	return req;
}

/*
 * Count an answered request for udf_http_stats: its route, status, body
 * bytes in and out (a streamed answer's as produced so far), and the time
 * from its first line to its answer (to its handler's end, when streamed).
 */
static void
CountAnswer(HttpRequest *req, const char *path, const char *method, const HttpResponse *r)
{
	bool		storage = strncmp(path, STORAGE_PREFIX, strlen(STORAGE_PREFIX)) == 0;
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, req->start);
	HttpStatsRequest(path, method, !storage, r, req->received,
					 strcmp(method, "HEAD") == 0 ? 0 : r->streamed ? req->out_total : r->len,
					 INSTR_TIME_GET_MILLISEC(now));
}

/* Free a request and everything it holds. */
static void
FreeRequest(HttpRequest *req)
{
	free(req->uri);
	free(req->path);
	free(req->method);
	free(req->body);
	free(req->out);
	HttpResponseFree(&req->answer);
	free(req);
}

/* libmicrohttpd's completion callback: free the request, however it ended, unless it is being served. */
static void
RequestCompleted(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	HttpRequest *req = *req_cls;

	*req_cls = NULL;
	if (req == NULL)
		return;
	if (req->running)
		req->closed = true;		/* its server frees it when it is done */
	else
		FreeRequest(req);
}

/* ------------------------------------------------------------------ the worker's loop */

/* Serve one queued request: its file route or its HTTP action, r getting a whole answer. */
static void
ServeRequest(HttpRequest *req, HttpResponse *r)
{
	bool		upload = strcmp(req->path, STORAGE_PREFIX "upload") == 0;
	bool		storage = strncmp(req->path, STORAGE_PREFIX, strlen(STORAGE_PREFIX)) == 0;

	if (upload)
		HttpServeUpload(req, r);
	else if (storage)
		HttpServeFile(req, req->path + strlen(STORAGE_PREFIX), strcmp(req->method, "HEAD") == 0, r);
	else
	{
		/* the action's answer may be streamed: then it went out already */
		HttpStreamServe(req);
		HttpActionServe(req->conn, req->method, req->uri, req->body, req->len, r);
		HttpStreamEnd(req, r->streamed);
	}
	if (storage)
		HttpResponseHeader(r, "Access-Control-Allow-Origin", "*");
}

/* Serve the queue in order, resuming each connection with its answer; true if it served any. */
static bool
ServeQueue(void)
{
	bool		served = queue_head != NULL;

	while (queue_head)
	{
		HttpRequest *req = queue_head;
		HttpResponse r = {0};

		queue_head = req->next;
		if (queue_head == NULL)
			queue_tail = NULL;
		req->next = NULL;
		/* a cancel that came between requests has nothing to cancel */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();
		req->running = true;
		ServeRequest(req, &r);
		req->running = false;
		CountAnswer(req, req->path, req->method, &r);
		if (req->closed)
		{
			/* the client went away while a streamed answer was under way */
			HttpResponseFree(&r);
			FreeRequest(req);
			continue;
		}
		if (req->state == HTTP_REQ_STREAMING)
		{
			/* resumed when its head was known; its body drains on its own */
			HttpResponseFree(&r);
			continue;
		}
		req->answer = r;
		req->state = HTTP_REQ_ANSWERED;
		MHD_resume_connection(req->conn);
	}
	return served;
}

/*
 * One turn of the daemon: wait up to wait_ms (less if it has a timeout due)
 * for its sockets, and let it run. Answers how many sockets were ready.
 * Called by the worker's loop, and by httpstream.c while a handler streams.
 */
static int
HttpdRunOnce(long wait_ms)
{
	fd_set		rs;
	fd_set		ws;
	fd_set		es;
	MHD_socket	max = 0;
	MHD_UNSIGNED_LONG_LONG mhd_timeout;
	struct timeval tv;
	int			ready;

	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&es);
	if (MHD_get_fdset(mhd, &rs, &ws, &es, &max) != MHD_YES)
		elog(FATAL, "udf http worker: libmicrohttpd has too many sockets for select()");
	if (MHD_get_timeout(mhd, &mhd_timeout) == MHD_YES)
		wait_ms = (long) Min((MHD_UNSIGNED_LONG_LONG) wait_ms, mhd_timeout);
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	ready = select(max + 1, &rs, &ws, &es, &tv);
	if (ready < 0 && errno != EINTR)
		elog(FATAL, "udf http worker: select() failed: %m");
	if (ready < 0)
	{
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		ready = 0;
	}
	MHD_run_from_select(mhd, &rs, &ws, &es);
	return ready;
}

/* Bind and start this worker's daemon; NULL (logged) if it cannot. */
static struct MHD_Daemon *
StartDaemon(void)
{
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	unsigned int flags = MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

	memset(&addr, 0, sizeof(addr));
	if (inet_pton(AF_INET, http_listen_address, &((struct sockaddr_in *) &addr)->sin_addr) == 1)
	{
		((struct sockaddr_in *) &addr)->sin_family = AF_INET;
		((struct sockaddr_in *) &addr)->sin_port = htons(http_port);
		addrlen = sizeof(struct sockaddr_in);
	}
	else if (inet_pton(AF_INET6, http_listen_address, &((struct sockaddr_in6 *) &addr)->sin6_addr) == 1)
	{
		((struct sockaddr_in6 *) &addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *) &addr)->sin6_port = htons(http_port);
		addrlen = sizeof(struct sockaddr_in6);
		flags |= MHD_USE_IPv6;
	}
	else
	{
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf.http_listen_address \"%s\" is not an IP address", http_listen_address)));
		return NULL;
	}
	(void) addrlen;
	return MHD_start_daemon(flags, (uint16_t) http_port, NULL, NULL, HandleRequest, NULL,
							MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
							MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
							MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) http_timeout_s,
							MHD_OPTION_CONNECTION_LIMIT, (unsigned int) HTTP_MAX_CONNECTIONS,
							MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) HTTP_CONNECTION_MEMORY,
							MHD_OPTION_URI_LOG_CALLBACK, RequestStarted, NULL,
							MHD_OPTION_NOTIFY_COMPLETED, RequestCompleted, NULL,
							MHD_OPTION_END);
}

/* Entry point of an HTTP endpoint worker. */
void
udf_http_main(Datum main_arg)
{
	int			index;
	bool		serve;
	struct
	{
		int			port;
		int			timeout_s;
		char	   *address;
		char	   *database;
	}			bound;

	BgwWorkerAttach(main_arg, BGW_KIND_HTTP, &index);
	StartTransactionCommand();
	serve = strcmp(get_database_name(MyDatabaseId), http_database) == 0;
	CommitTransactionCommand();
	if (!serve)
		BgwWorkerExit(BGW_EXIT_IDLE);
	/* the served database: wait for CREATE EXTENSION udf rather than leave */
	for (;;)
	{
		bool		installed;

		CHECK_FOR_INTERRUPTS();
		StartTransactionCommand();
		installed = OidIsValid(get_extension_oid("udf", true));
		CommitTransactionCommand();
		if (installed)
			break;
		if (!BgwWorkerWanted())
			BgwWorkerExit(BGW_EXIT_IDLE);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	mhd = StartDaemon();
	HttpStreamSetDaemon(HttpdRunOnce);
	if (mhd == NULL)
	{
		ereport(LOG,
				(errmsg("udf http worker %d could not listen on %s port %d", index, http_listen_address, http_port)));
		BgwWorkerExit(BGW_EXIT_RESTART);
	}
	ereport(LOG, (errmsg("udf http worker %d listening on %s port %d", index, http_listen_address, http_port)));
	bound.port = http_port;
	bound.timeout_s = http_timeout_s;
	bound.address = MemoryContextStrdup(TopMemoryContext, http_listen_address);
	bound.database = MemoryContextStrdup(TopMemoryContext, http_database);
	for (bool served = false;;)
	{
		/* a cancel between requests has nothing to cancel (and must not end the worker) */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* a new port, address, database or timeout: start again with them */
			if (http_port != bound.port || http_timeout_s != bound.timeout_s ||
				strcmp(http_listen_address, bound.address) != 0 || strcmp(http_database, bound.database) != 0)
			{
				MHD_stop_daemon(mhd);
				BgwWorkerExit(BGW_EXIT_RESTART);
			}
		}
		if (!BgwWorkerWanted())
		{
			MHD_stop_daemon(mhd);
			BgwWorkerExit(BGW_EXIT_IDLE);
		}
		/* a resumed connection is not among the sockets select() waits for: run at once */
		(void) HttpdRunOnce(served ? 0 : HTTP_POLL_MS);
		served = ServeQueue();
	}
}

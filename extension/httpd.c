/*
 * httpd.c -- the HTTP endpoint: libmicrohttpd inside udf's background
 * workers, serving file uploads and downloads (and HTTP actions,
 * httpaction.c) of one database.
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
 * seen), and lets it run. Every callback of libmicrohttpd therefore runs in
 * the backend's one thread, between PostgreSQL calls, never beside them.
 *
 * Errors. No PostgreSQL error may longjmp through libmicrohttpd's frames:
 * every request's database work runs in RunRequestWork, a PG_TRY around a
 * transaction of its own; an error is logged (EmitErrorReport), the
 * transaction aborted, the error state flushed, and the client gets a 500
 * with a short body, never the message or a stack. FATAL (SIGTERM, postmaster
 * death) exits the process from inside, which is fine: the sockets close.
 * Nothing here calls V8 directly; HTTP actions go through call.c like any
 * call.
 *
 * Memory. A request's bookkeeping (HttpRequest) and its buffered body are
 * malloc'd: they live across callbacks, outside any transaction, and are
 * freed by the completion callback whatever happened. Each request's
 * database work runs in a memory context reset per request.
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
 * port of 0 starts none).
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

#define HTTP_POLL_MS 200
#define HTTP_MAX_CONNECTIONS 256
#define HTTP_CONNECTION_MEMORY (64 * 1024)
#define STORAGE_PREFIX "/api/storage/"
#define FILE_CHUNK (1024 * 1024)

/* One request in flight: what arrived so far. */
typedef struct HttpRequest
{
	char	   *uri;			/* the request's path and query as sent (malloc'd) */
	bool		started;		/* the access handler has seen it */
	char	   *body;			/* malloc'd */
	size_t		len;
	size_t		cap;
	size_t		limit;			/* the most body this request may have */
	bool		too_large;
	size_t		received;		/* body bytes that arrived, kept or not */
	instr_time	start;			/* when its first line arrived */
} HttpRequest;

static int	http_port = 0;
static HttpActionHandler action_handler = NULL;
static char *http_listen_address = NULL;
static char *http_database = NULL;
static int	http_workers = 2;
static int	http_timeout_s = 30;
static int	http_max_body_kb = 20 * 1024;
static int	http_max_upload_kb = 100 * 1024;

static MemoryContext request_cxt = NULL;

static int	HttpWorkerCount(void);
static enum MHD_Result HandleRequest(void *cls, struct MHD_Connection *conn, const char *url,
									 const char *method, const char *version, const char *upload_data,
									 size_t *upload_data_size, void **req_cls);
static void *RequestStarted(void *cls, const char *uri, struct MHD_Connection *conn);
static void RequestCompleted(void *cls, struct MHD_Connection *conn, void **req_cls,
							 enum MHD_RequestTerminationCode toe);
static enum MHD_Result Respond(struct MHD_Connection *conn, HttpResponse *r);
static void ServeUpload(struct MHD_Connection *conn, HttpRequest *req, HttpResponse *r);
static void ServeFile(struct MHD_Connection *conn, const char *id, bool head, HttpResponse *r);
static bool ParseRange(const char *range, int64 size, int64 *from, int64 *to);
static struct MHD_Daemon *StartDaemon(void);

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

/* Whoever serves the paths that are not files (HTTP actions: httpaction.c registers itself). */
void
HttpdSetActionHandler(HttpActionHandler handler)
{
	action_handler = handler;
}

/* Workers per database, for the launcher: none while the endpoint is off. */
static int
HttpWorkerCount(void)
{
	return http_port > 0 ? http_workers : 0;
}

/* The largest HTTP action body (bytes), for httpaction.c and udf_http. */
size_t
HttpMaxBodySize(void)
{
	return (size_t) http_max_body_kb * 1024;
}

/* ------------------------------------------------------------------ running database work */

/*
 * Run work(arg, r) in a transaction of its own; on error log it, roll back,
 * and answer 500. Never raises, except FATAL (which exits).
 */
void
RunRequestWork(HttpWork work, void *arg, HttpResponse *r)
{
	MemoryContext cxt = request_cxt ? request_cxt : CurrentMemoryContext;

	if (request_cxt)
		MemoryContextReset(request_cxt);
	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		MemoryContextSwitchTo(cxt);
		work(arg, r);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(cxt);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		MemoryContextSwitchTo(cxt);
		HttpResponseText(r, 500, "Internal Server Error");
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* Set r to a short plain-text answer (malloc'd body); its route stays. */
void
HttpResponseText(HttpResponse *r, int status, const char *text)
{
	char	   *route = r->route;

	r->route = NULL;
	HttpResponseFree(r);
	r->route = route;
	r->status = status;
	r->body = strdup(text);
	r->len = strlen(text);
	r->content_type = "text/plain; charset=utf-8";
}

/* Free what r holds and empty it. */
void
HttpResponseFree(HttpResponse *r)
{
	free(r->body);
	for (int i = 0; i < r->nheaders; i++)
	{
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->route);
	memset(r, 0, sizeof(*r));
}

/* Add a header to r (copied, malloc'd). */
void
HttpResponseHeader(HttpResponse *r, const char *name, const char *value)
{
	r->headers = realloc(r->headers, sizeof(HttpHeader) * (r->nheaders + 1));
	if (r->headers == NULL)
		abort();
	r->headers[r->nheaders].name = strdup(name);
	r->headers[r->nheaders].value = strdup(value);
	r->nheaders++;
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

/* ------------------------------------------------------------------ files */

/* An upload's database work. */
typedef struct UploadWork
{
	const char *token;
	const char *content_type;
	HttpRequest *req;
} UploadWork;

/* Use the upload token and store the body; the answer is {"storageId": id}. */
static void
UploadInTransaction(void *arg, HttpResponse *r)
{
	UploadWork *u = arg;
	const char *why = StorageConsumeUploadToken(u->token);
	StorageWriter w;
	char	   *id;
	char	   *json;

	if (why)
	{
		HttpResponseText(r, 403, why);
		return;
	}
	StorageWriterBegin(&w);
	for (size_t off = 0; off < u->req->len; off += FILE_CHUNK)
	{
		CHECK_FOR_INTERRUPTS();
		StorageWriterAppend(&w, u->req->body + off, Min(FILE_CHUNK, u->req->len - off));
	}
	id = StorageWriterFinish(&w, u->content_type, NULL);
	json = psprintf("{\"storageId\":\"%s\"}", id);	/* ids are base32: nothing to escape */
	HttpResponseText(r, 200, json);
	r->content_type = "application/json";
}

/* POST <upload URL>: the body becomes a file. */
static void
ServeUpload(struct MHD_Connection *conn, HttpRequest *req, HttpResponse *r)
{
	UploadWork	u;

	u.token = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	u.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	u.req = req;
	if (u.token == NULL)
	{
		HttpResponseText(r, 400, "missing upload token");
		return;
	}
	pgstat_report_activity(STATE_RUNNING, "udf http: upload");
	RunRequestWork(UploadInTransaction, &u, r);
}

/* A download's database work. */
typedef struct FileWork
{
	const char *id;
	const char *range;
	const char *if_none_match;
	bool		head;
} FileWork;

/* Look the file up and answer it, whole or the requested range. */
static void
FileInTransaction(void *arg, HttpResponse *r)
{
	FileWork   *fw = arg;
	StorageFile f;
	char	   *etag;
	int64		from = 0;
	int64		to;
	struct varlena *data;

	if (!StorageLookup(fw->id, &f))
	{
		HttpResponseText(r, 404, "Not Found");
		return;
	}
	etag = psprintf("\"%s\"", StorageSha256Base64(f.sha256));
	to = f.size - 1;
	if (fw->if_none_match && strcmp(fw->if_none_match, etag) == 0)
	{
		HttpResponseText(r, 304, "");
		r->len = 0;
		HttpResponseHeader(r, MHD_HTTP_HEADER_ETAG, etag);
		return;
	}
	if (fw->range && !ParseRange(fw->range, f.size, &from, &to))
	{
		HttpResponseText(r, 416, "Range Not Satisfiable");
		HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_RANGE, psprintf("bytes */" INT64_FORMAT, f.size));
		return;
	}
	if (to - from + 1 > (int64) MaxAllocSize - VARHDRSZ)
	{
		HttpResponseText(r, 413, "file too large to serve in one response; ask for a range");
		return;
	}
	HttpResponseFree(r);
	r->status = fw->range ? 206 : 200;
	r->content_type = NULL;
	HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_TYPE, f.content_type ? f.content_type : "application/octet-stream");
	HttpResponseHeader(r, MHD_HTTP_HEADER_ETAG, etag);
	HttpResponseHeader(r, "Digest", psprintf("sha-256=%s", StorageSha256Base64(f.sha256)));
	HttpResponseHeader(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (fw->range)
		HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_RANGE,
						   psprintf("bytes " INT64_FORMAT "-" INT64_FORMAT "/" INT64_FORMAT, from, to, f.size));
	r->len = (size_t) (to - from + 1);
	r->body = malloc(Max(r->len, 1));
	if (r->body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory serving file %s", fw->id)));
	if (fw->head)
		return;					/* libmicrohttpd sends the headers (and Content-Length) only */
	for (int64 off = from; off <= to; off += FILE_CHUNK)
	{
		int32		n = (int32) Min(FILE_CHUNK, to - off + 1);

		CHECK_FOR_INTERRUPTS();
		data = StorageRead(&f, off, n);
		if (VARSIZE_ANY_EXHDR(data) != n)
			elog(ERROR, "file %s is shorter than its size", fw->id);
		memcpy(r->body + (off - from), VARDATA_ANY(data), n);
		pfree(data);
	}
}

/* GET or HEAD <file URL>: the file, with its type, length, ETag and ranges. */
static void
ServeFile(struct MHD_Connection *conn, const char *id, bool head, HttpResponse *r)
{
	FileWork	fw;

	fw.id = id;
	fw.head = head;
	fw.range = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	fw.if_none_match = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	pgstat_report_activity(STATE_RUNNING, "udf http: file");
	RunRequestWork(FileInTransaction, &fw, r);
}

/*
 * One byte range of a file of size bytes ("bytes=a-b", "bytes=a-",
 * "bytes=-n"); false if it cannot be satisfied or is not one range.
 */
static bool
ParseRange(const char *range, int64 size, int64 *from, int64 *to)
{
	const char *p;
	char	   *end;
	long long	a = -1;
	long long	b = -1;

	if (strncmp(range, "bytes=", 6) != 0 || strchr(range, ',') != NULL)
		return false;
	p = range + 6;
	if (*p != '-')
	{
		if (*p < '0' || *p > '9')
			return false;
		a = strtoll(p, &end, 10);
		p = end;
	}
	if (*p++ != '-')
		return false;
	if (*p)
	{
		if (*p < '0' || *p > '9')
			return false;
		b = strtoll(p, &end, 10);
		if (*end)
			return false;
	}
	if (a < 0)
	{
		/* the last b bytes */
		if (b <= 0 || size == 0)
			return false;
		*from = Max(0, size - b);
		*to = size - 1;
		return true;
	}
	if (a >= size || (b >= 0 && b < a))
		return false;
	*from = a;
	*to = b < 0 || b >= size ? size - 1 : b;
	return true;
}

/* ------------------------------------------------------------------ libmicrohttpd callbacks */

/* libmicrohttpd's access handler: collect the body, then route the request. */
static enum MHD_Result
HandleRequest(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	HttpRequest *req = *req_cls;
	HttpResponse r = {0};
	bool		upload = strcmp(url, STORAGE_PREFIX "upload") == 0;
	bool		storage;

	if (req == NULL)
		return MHD_NO;			/* RequestStarted ran out of memory */
	if (!req->started)
	{
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		req->started = true;
		req->limit = upload ? (size_t) http_max_upload_kb * 1024 : HttpMaxBodySize();
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

	/* the whole request is here */
	CHECK_FOR_INTERRUPTS();
	storage = strncmp(url, STORAGE_PREFIX, strlen(STORAGE_PREFIX)) == 0;
	if (req->too_large)
		HttpResponseText(&r, 413, "Payload Too Large");
	else if (storage && strcmp(method, "OPTIONS") == 0)
	{
		/* a browser's preflight before it uploads or fetches cross-origin */
		HttpResponseText(&r, 204, "");
		r.len = 0;
		HttpResponseHeader(&r, "Access-Control-Allow-Methods", upload ? "POST" : "GET, HEAD");
		HttpResponseHeader(&r, "Access-Control-Allow-Headers", "Content-Type, Digest, Range");
		HttpResponseHeader(&r, "Access-Control-Max-Age", "86400");
	}
	else if (upload)
	{
		if (strcmp(method, "POST") == 0)
			ServeUpload(conn, req, &r);
		else
		{
			HttpResponseText(&r, 405, "Method Not Allowed");
			HttpResponseHeader(&r, MHD_HTTP_HEADER_ALLOW, "POST");
		}
	}
	else if (storage)
	{
		const char *id = url + strlen(STORAGE_PREFIX);

		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		{
			HttpResponseText(&r, 405, "Method Not Allowed");
			HttpResponseHeader(&r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		}
		else if (strlen(id) > 64 || strchr(id, '/') != NULL)
			HttpResponseText(&r, 404, "Not Found");
		else
			ServeFile(conn, id, strcmp(method, "HEAD") == 0, &r);
	}
	else if (action_handler)
		action_handler(conn, method, req->uri, req->body, req->len, &r);
	else
		HttpResponseText(&r, 404, "Not Found");
	/* uploads and files are for any origin, as Convex serves them; HTTP actions do their own CORS */
	if (storage)
		HttpResponseHeader(&r, "Access-Control-Allow-Origin", "*");
	{
		instr_time	now;

		INSTR_TIME_SET_CURRENT(now);
		INSTR_TIME_SUBTRACT(now, req->start);
		HttpStatsRequest(url, method, !storage, &r, req->received, INSTR_TIME_GET_MILLISEC(now));
	}
	return Respond(conn, &r);
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

/* libmicrohttpd's completion callback: free the request, however it ended. */
static void
RequestCompleted(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	HttpRequest *req = *req_cls;

	if (req)
	{
		free(req->uri);
		free(req->body);
		free(req);
	}
	*req_cls = NULL;
}

/* Bind and start this worker's daemon; NULL (logged) if it cannot. */
static struct MHD_Daemon *
StartDaemon(void)
{
	struct sockaddr_storage addr;
	socklen_t	addrlen;
	unsigned int flags = MHD_USE_ERROR_LOG;

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
	struct MHD_Daemon *daemon;
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
	request_cxt = AllocSetContextCreate(TopMemoryContext, "udf http request", ALLOCSET_DEFAULT_SIZES);
	daemon = StartDaemon();
	if (daemon == NULL)
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
	for (;;)
	{
		fd_set		rs;
		fd_set		ws;
		fd_set		es;
		MHD_socket	max = 0;
		MHD_UNSIGNED_LONG_LONG mhd_timeout;
		struct timeval tv;
		long		wait_ms = HTTP_POLL_MS;

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
				MHD_stop_daemon(daemon);
				BgwWorkerExit(BGW_EXIT_RESTART);
			}
		}
		if (!BgwWorkerWanted())
		{
			MHD_stop_daemon(daemon);
			BgwWorkerExit(BGW_EXIT_IDLE);
		}
		FD_ZERO(&rs);
		FD_ZERO(&ws);
		FD_ZERO(&es);
		if (MHD_get_fdset(daemon, &rs, &ws, &es, &max) != MHD_YES)
			elog(FATAL, "udf http worker: libmicrohttpd has too many sockets for select()");
		if (MHD_get_timeout(daemon, &mhd_timeout) == MHD_YES)
			wait_ms = (long) Min((MHD_UNSIGNED_LONG_LONG) wait_ms, mhd_timeout);
		tv.tv_sec = wait_ms / 1000;
		tv.tv_usec = (wait_ms % 1000) * 1000;
		if (select(max + 1, &rs, &ws, &es, &tv) < 0 && errno != EINTR)
			elog(FATAL, "udf http worker: select() failed: %m");
		MHD_run_from_select(daemon, &rs, &ws, &es);
	}
}

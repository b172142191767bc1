/*
 * httpconn.h -- one request in flight on the HTTP endpoint, as the files
 * that serve it see it: httpd.c (the daemon, the worker's loop, the queue),
 * httpfiles.c (uploads and downloads) and httpstream.c (streamed answers of
 * HTTP actions). Not for the rest of udf: httpd.h is the endpoint's face.
 */
#ifndef UDF_HTTPCONN_H
#define UDF_HTTPCONN_H

#include <microhttpd.h>

#include "portability/instr_time.h"

/* Where a request is: see httpd.c's header for the life of one. */
typedef enum HttpRequestState
{
	HTTP_REQ_RECEIVING,			/* its body is arriving */
	HTTP_REQ_QUEUED,			/* complete; its connection suspended until the worker serves it */
	HTTP_REQ_ANSWERED,			/* answer ready; the connection resumed, the access handler sends it */
	HTTP_REQ_STREAMING,			/* a streamed answer's head is ready; its body follows as produced */
	HTTP_REQ_SENT				/* handed to libmicrohttpd */
} HttpRequestState;

/* One request: malloc'd, it lives across callbacks and outside any transaction. */
typedef struct HttpRequest
{
	struct MHD_Connection *conn;
	char	   *uri;			/* the request's path and query as sent */
	char	   *path;			/* its path, as libmicrohttpd decoded it */
	char	   *method;
	HttpRequestState state;
	bool		started;		/* the access handler has seen it */
	bool		running;		/* the worker is serving it: only the server frees it then */
	bool		closed;			/* libmicrohttpd is done with it (completion callback ran) */
	struct HttpRequest *next;	/* in the worker's queue */
	/* the request body, buffered whole */
	char	   *body;
	size_t		len;
	size_t		cap;
	size_t		limit;			/* the most body this request may have */
	bool		too_large;
	size_t		received;		/* body bytes that arrived, kept or not */
	instr_time	start;			/* when its first line arrived */
	/* the answer: whole, or a streamed one's status and headers */
	HttpResponse answer;
	/* a streamed answer's body: bytes produced and not yet taken by libmicrohttpd */
	char	   *out;
	size_t		out_off;		/* taken so far */
	size_t		out_len;
	size_t		out_cap;
	size_t		out_total;		/* every byte produced, for udf_http_stats */
	bool		out_queued;		/* the callback response is queued */
	bool		out_done;		/* the handler ended: no more bytes come */
	bool		out_failed;		/* ... and the answer is cut off */
} HttpRequest;


/* httpfiles.c */
extern void HttpServeUpload(HttpRequest *req, HttpResponse *r);
extern void HttpServeFile(HttpRequest *req, const char *id, bool head, HttpResponse *r);

/* httpstream.c; httpd.c hands it the daemon to run while an answer streams */
typedef int (*HttpDaemonRun) (long wait_ms);
extern void HttpStreamSetDaemon(HttpDaemonRun run_once);
extern void HttpStreamServe(HttpRequest *req);
extern void HttpStreamEnd(HttpRequest *req, bool ok);
extern enum MHD_Result HttpStreamQueue(HttpRequest *req);

#endif							/* UDF_HTTPCONN_H */

/*
 * httpresponse.h -- answers, request work and limits shared by the HTTP
 * endpoint's files (httpresponse.c).
 */
#ifndef UDF_HTTPRESPONSE_H
#define UDF_HTTPRESPONSE_H

struct json_t;

/* One response header (malloc'd strings). */
typedef struct HttpHeader
{
	char	   *name;
	char	   *value;
} HttpHeader;

/* An answer to send: everything malloc'd, so it outlives the request's transaction. */
typedef struct HttpResponse
{
	int			status;
	const char *content_type;	/* static text, or NULL when a header gives it */
	char	   *body;
	size_t		len;
	HttpHeader *headers;
	int			nheaders;
	bool		streamed;		/* an HTTP action's body went out as it was produced (httpstream.c) */
	char	   *route;			/* the HTTP action route that answered, "GET /path"; kept by HttpResponseText */
} HttpResponse;

typedef void (*HttpWork) (void *arg, HttpResponse *r);

/* udf.http_timeout (s) and udf.http_max_body_size (kB), defined by httpd.c's HttpdInit */
extern int	http_timeout_s;
extern int	http_max_body_kb;

extern size_t HttpMaxBodySize(void);
extern int	HttpTimeoutSeconds(void);
extern void RunRequestWork(HttpWork work, void *arg, HttpResponse *r);
extern void HttpResponseText(HttpResponse *r, int status, const char *text);
extern void HttpResponseFree(HttpResponse *r);
extern void HttpResponseHeader(HttpResponse *r, const char *name, const char *value);
extern void HttpResponseTakeHeaders(struct json_t *pairs, HttpResponse *r);
extern bool HttpResponseHeadersJson(const char *pairs_json, HttpResponse *r);

#endif							/* UDF_HTTPRESPONSE_H */

/*
 * httpd.h -- the HTTP endpoint (httpd.c) and HTTP actions (httpaction.c).
 */
#ifndef UDF_HTTPD_H
#define UDF_HTTPD_H

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
	char	   *route;			/* the HTTP action route that answered, "GET /path"; kept by HttpResponseText */
} HttpResponse;

typedef void (*HttpWork) (void *arg, HttpResponse *r);

struct MHD_Connection;
/* Serves a request the endpoint does not serve itself (not an upload or a file). */
typedef void (*HttpActionHandler) (struct MHD_Connection *conn, const char *method, const char *url,
								   const char *body, size_t len, HttpResponse *r);

extern void HttpdInit(void);
extern size_t HttpMaxBodySize(void);
extern void RunRequestWork(HttpWork work, void *arg, HttpResponse *r);
extern void HttpResponseText(HttpResponse *r, int status, const char *text);
extern void HttpResponseFree(HttpResponse *r);
extern void HttpResponseHeader(HttpResponse *r, const char *name, const char *value);
extern void HttpdSetActionHandler(HttpActionHandler handler);

/* httpstats.c */
extern void HttpStatsRequest(const char *url, const char *method, bool action, const HttpResponse *r,
							 size_t bytes_in, double ms);

/* httpaction.c */
extern void HttpActionInit(void);
extern void HttpActionServe(struct MHD_Connection *conn, const char *method, const char *url,
							const char *body, size_t len, HttpResponse *r);

extern PGDLLEXPORT void udf_http_main(Datum main_arg);

#endif							/* UDF_HTTPD_H */

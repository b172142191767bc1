/*
 * httpd.h -- the HTTP endpoint (httpd.c) and HTTP actions (httpaction.c).
 */
#ifndef UDF_HTTPD_H
#define UDF_HTTPD_H

#include "httpresponse.h"


struct MHD_Connection;

extern void HttpdInit(void);

/* httpstats.c */
extern void HttpStatsRequest(const char *url, const char *method, bool action, const HttpResponse *r,
							 size_t bytes_in, size_t bytes_out, double ms);

/* httpaction.c */
extern void HttpActionInit(void);
extern void HttpActionServe(struct MHD_Connection *conn, const char *method, const char *url,
							const char *body, size_t len, HttpResponse *r);

/* httpstream.c: whether the endpoint's running action may stream; the typed ops of a streamed answer */
extern bool HttpStreamActive(void);
extern void HttpStreamStartOp(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void HttpStreamWriteOp(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

extern PGDLLEXPORT void udf_http_main(Datum main_arg);

#endif							/* UDF_HTTPD_H */

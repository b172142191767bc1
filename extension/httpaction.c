/*
 * httpaction.c -- HTTP actions: requests the endpoint (httpd.c) does not
 * serve itself go to the routes of the deployment's http.js.
 *
 * Not built yet: every such request is answered 404, as Convex answers a
 * path no route matches.
 */
#include "udf.h"

#include <microhttpd.h>

#include "httpd.h"

/* Register the settings of HTTP actions. */
void
HttpActionInit(void)
{
}

/* Answer a request for an HTTP action route. */
void
HttpActionServe(struct MHD_Connection *conn, const char *method, const char *url,
				const char *body, size_t len, HttpResponse *r)
{
	HttpResponseText(r, 404, "No matching routes found");
}

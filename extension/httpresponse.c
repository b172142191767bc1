/*
 * httpresponse.c -- what every part of the HTTP endpoint shares: an answer
 * being made (HttpResponse, malloc'd so that it outlives the request's
 * transaction), a request's database work in a transaction of its own, and
 * the endpoint's size and time limits.
 *
 * httpd.c (the daemon and the worker's loop), httpfiles.c, httpstream.c and
 * httpaction.c build on this; it depends on none of them. RunRequestWork is
 * the one place a request's PostgreSQL errors are caught: logged, rolled
 * back, and answered 500 without the message. Its memory context lives for
 * the worker and is reset per request.
 */
#include "udf.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "jansson_pg.h"

int			http_timeout_s = 30;
int			http_max_body_kb = 20 * 1024;

static MemoryContext request_cxt = NULL;

/* The largest HTTP action body (bytes), udf.http_max_body_size. */
size_t
HttpMaxBodySize(void)
{
	return (size_t) http_max_body_kb * 1024;
}

/* udf.http_timeout in seconds. */
int
HttpTimeoutSeconds(void)
{
	return http_timeout_s;
}

/*
 * Run work(arg, r) in a transaction of its own; on error log it, roll back,
 * and answer 500. Never raises, except FATAL (which exits).
 */
void
RunRequestWork(HttpWork work, void *arg, HttpResponse *r)
{
	MemoryContext cxt;

	if (request_cxt == NULL)
		request_cxt = AllocSetContextCreate(TopMemoryContext, "udf http request", ALLOCSET_DEFAULT_SIZES);
	cxt = request_cxt;
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

/* Add the [name, value] pairs of a handler's answer to r, but those libmicrohttpd frames the body with. */
void
HttpResponseTakeHeaders(struct json_t *pairs, HttpResponse *r)
{
	size_t		i;
	json_t	   *pair;

	json_array_foreach(pairs, i, pair)
	{
		const char *name = json_string_value(json_array_get(pair, 0));
		const char *value = json_string_value(json_array_get(pair, 1));

		if (name && value && strcmp(name, "content-length") != 0 && strcmp(name, "transfer-encoding") != 0 &&
			strcmp(name, "connection") != 0 && strcmp(name, "keep-alive") != 0)
			HttpResponseHeader(r, name, value);
	}
}

/* The headers of a streamed answer (JSON text of [name, value] pairs) into r; false if it is not that. */
bool
HttpResponseHeadersJson(const char *pairs_json, HttpResponse *r)
{
	json_error_t jerr;
	json_t	   *pairs = json_loads(pairs_json, 0, &jerr);

	if (pairs == NULL || !json_is_array(pairs))
	{
		if (pairs)
			json_decref(pairs);
		return false;
	}
	HttpResponseTakeHeaders(pairs, r);
	json_decref(pairs);
	return true;
}

/*
 * httpstats.c -- the HTTP endpoint's statistics: udf_http_stats, one row
 * per (database, route) of the requests the endpoint answered.
 *
 * The endpoint (httpd.c) reports each request once, as it queues the
 * answer: its status, the body bytes that arrived (kept or not: a body
 * refused as too large counts what was sent), the body bytes answered (none
 * for HEAD), and the time from its first line to the answer. The route is
 * a label of bounded variety, so that no client can fill the table with
 * made-up paths: "METHOD /api/storage/upload" (kind upload) and
 * "METHOD /api/storage/:id" (kind download) for files, with METHOD one of
 * the standard ones or "*"; for HTTP actions (kind action) the route of
 * http.js that answered as the router names it, "GET /hooks/", or
 * "(unmatched)" for a request no route took (404, a body refused before
 * routing, no http.js deployed). Per-function numbers of the HTTP actions
 * themselves (their syscalls, fetches, errors) are in udf_stats, as
 * function "http.js:<route>", kind httpAction, source http.
 *
 * Nothing here allocates or raises: it runs in the endpoint's loop,
 * outside any transaction, between libmicrohttpd's callbacks.
 */
#include "udf.h"

#include "funcapi.h"
#include "utils/builtins.h"

#define UDF_HTTP_COLS 15
#define STORAGE_UPLOAD "/api/storage/upload"

PG_FUNCTION_INFO_V1(udf_http_stats);

static const char *MethodLabel(const char *method);

/* method if it is a standard one, else "*". */
static const char *
MethodLabel(const char *method)
{
	static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

	for (int i = 0; i < lengthof(known); i++)
		if (strcmp(method, known[i]) == 0)
			return known[i];
	return "*";
}

/*
 * Count a request of url (its path) and method that gets the answer r:
 * an HTTP action's (action) or a file's; bytes_in of body arrived, in ms.
 */
void
HttpStatsRequest(const char *url, const char *method, bool action, const HttpResponse *r,
				 size_t bytes_in, size_t bytes_out, double ms)
{
	StatsHttpSample s;
	char		label[64];
	const char *route;
	const char *kind;

	if (!StatsAvailable())
		return;
	if (action)
	{
		kind = "action";
		route = r->route ? r->route : "(unmatched)";
	}
	else
	{
		bool		upload = strcmp(url, STORAGE_UPLOAD) == 0;

		kind = upload ? "upload" : "download";
		snprintf(label, sizeof(label), "%s %s", MethodLabel(method), upload ? STORAGE_UPLOAD : "/api/storage/:id");
		route = label;
	}
	s.status = r->status;
	s.bytes_in = bytes_in;
	s.bytes_out = bytes_out;
	s.ms = ms;
	StatsStoreHttp(route, kind, &s);
}

/* udf_http_stats() returns setof record: one row per database and route the endpoint answered. */
Datum
udf_http_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatsRow   *rows;
	int			n;

	rows = StatsSnapshot(STATS_CLASS_HTTP, &n);
	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < n; r++)
	{
		const StatsHttpCounters *c = &rows[r].c.http;
		Datum		values[UDF_HTTP_COLS];
		bool		nulls[UDF_HTTP_COLS] = {0};
		int			i = 0;

		values[i++] = ObjectIdGetDatum(rows[r].key.dbid);
		values[i++] = CStringGetTextDatum(rows[r].function);
		values[i++] = CStringGetTextDatum(rows[r].kind);
		values[i++] = Int64GetDatum(c->requests);
		for (int k = 0; k < STATS_STATUS_CLASSES; k++)
			values[i++] = Int64GetDatum(c->status[k]);
		values[i++] = Int64GetDatum(c->bytes_in);
		values[i++] = Int64GetDatum(c->bytes_out);
		values[i++] = Float8GetDatum(c->total_ms);
		values[i++] = Float8GetDatum(c->min_ms);
		values[i++] = Float8GetDatum(c->max_ms);
		values[i++] = Float8GetDatum(c->requests > 0 ? c->total_ms / c->requests : 0.0);
		values[i++] = StatsInt8Array(c->histogram, STATS_HIST_BUCKETS);
		Assert(i == UDF_HTTP_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * httpaction.c -- HTTP actions: a request routed by the deployment's
 * http.js and answered by its handler, for the endpoint (httpd.c) and for
 * SQL (udf_http).
 *
 * One request is one call through call.c's protocol (CallRun): pin the
 * context of the current role, import http.js, push an "action" frame (so
 * ctx.storage and friends see an action), call the runtime's httpAction
 * entry point (udf-runtime/src/http.js) with the request as JSON (its
 * headers as pairs, its body in base64), and read the response back the
 * same way. The runtime routes with the router's own lookup, as Convex does
 * (exact paths before prefixes, the longest prefix first; no route for the
 * path and method: 404).
 *
 * Who runs it. From the endpoint, the handler runs as udf.http_role
 * (default udf_http, a NOLOGIN role CREATE EXTENSION makes, with no
 * privileges but those granted to it), switched to inside the request's
 * transaction (the abort of a failed request switches back); never as the
 * worker's superuser. From SQL, udf_http runs it as the calling role.
 *
 * Statistics. A request is measured as a function call for udf_stats
 * (callstats.c): function "http.js:<route>" as the router names it, kind
 * httpAction, source http from the endpoint or sql from udf_http; a
 * request no route took is not a call and is not counted there. The
 * endpoint's own numbers per route are httpstats.c's, which learns the
 * route from the response (HttpResponse.route).
 *
 * Failures. A handler that throws, or that returns no Response, gives 500
 * with a short body; the message, stack and route go to the server log
 * (LOG), never to the client. Requests and responses are capped at
 * udf.http_max_body_size (Convex: 20 MiB).
 *
 * Streaming. From the endpoint the runtime may stream a ReadableStream
 * body (httpstream.c's ops; not for HEAD); its answer then says
 * "streamed" and carries no body: r is marked streamed, and a failure after
 * the head went out is logged the same way while httpstream.c cuts the
 * response off. From SQL a stream body is read whole.
 *
 * Memory: the request JSON and the call's answers live in the current
 * (per-request) memory context; the response handed back is malloc'd
 * (httpd.h), as the endpoint sends it after the transaction ends.
 */
#include "udf.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "pgstat.h"
#include "jansson_pg.h"
#include "fetch.h"

#include <microhttpd.h>

/* fmgrprotos.h declares json_object, which jansson defines differently */
extern Datum jsonb_in(PG_FUNCTION_ARGS);
extern Datum jsonb_out(PG_FUNCTION_ARGS);

#define HTTP_MODULE "http.js"

/* The runtime step of one HTTP action. */
typedef struct HttpStep
{
	const UdfDeployment *dep;
	const char *request_json;
	const char *seed;
	double		now_ms;
	char	  **result_json;
} HttpStep;

/* One request as the endpoint's work function sees it. */
typedef struct ServeWork
{
	struct MHD_Connection *conn;
	const char *method;
	const char *uri;
	const char *body;
	size_t		len;
} ServeWork;

static char *http_role = NULL;

static UdfV8Status RunHttpStep(void *arg, UdfV8Error *err);
static char *Base64Of(const char *data, size_t len);
static void HttpActionRun(const char *method, const char *url, json_t *headers, const char *body, size_t len,
						  bool stream, StatsSource source, HttpResponse *r);
static enum MHD_Result CollectHeader(void *cls, enum MHD_ValueKind kind, const char *key, const char *value);
static void ServeInTransaction(void *arg, HttpResponse *r);

PG_FUNCTION_INFO_V1(udf_http);

/* Register the settings of HTTP actions. */
void
HttpActionInit(void)
{
	DefineCustomStringVariable("udf.http_role",
							   "The role HTTP actions served by the endpoint run as.",
							   "Give it only the privileges the handlers need; it should not be a superuser.",
							   &http_role, "udf_http", PGC_SIGHUP, 0, NULL, NULL, NULL);
}

/* Step: import http.js and run the runtime's httpAction entry point in an action frame. */
static UdfV8Status
RunHttpStep(void *arg, UdfV8Error *err)
{
	HttpStep   *hs = arg;
	volatile UdfV8Status st = UDF_V8_OK;
	UdfV8Context *ctx = ContextsFor(hs->dep);
	const UdfV8Arg args[] = {UDF_V8_STR(hs->request_json), UDF_V8_STR(hs->seed), UDF_V8_NUM(hs->now_ms)};

	PG_TRY();
	{
		CallLoadModule(ctx, HTTP_MODULE, hs->dep->import_seed, hs->dep->deployed_at_ms);
		LimitsSetCallTimeLimit("action");
		CallStackPush(HTTP_MODULE, "action", ctx);
		PG_TRY();
		{
			st = udf_v8_call_typed(ctx, "httpAction", HTTP_MODULE, args, lengthof(args), hs->result_json, err);
		}
		PG_FINALLY();
		{
			CallStackPop();
			/* the fetches the handler left in flight end with it */
			FetchDropAbove(CallStackDepth());
		}
		PG_END_TRY();
	}
	PG_FINALLY();
	{
		ContextsUnpin(ctx);
	}
	PG_END_TRY();
	return st;
}

/* Base64 of len bytes, palloc'd. */
static char *
Base64Of(const char *data, size_t len)
{
	int			enclen = pg_b64_enc_len((int) len);
	char	   *out = palloc(enclen + 1);
	int			n = pg_b64_encode(data, (int) len, out, enclen);

	if (n < 0)
		elog(ERROR, "could not encode an HTTP body");
	out[n] = '\0';
	return out;
}

/*
 * Run the HTTP action for method and url (absolute), with headers (a JSON
 * array of [name, value] pairs; taken) and body (NULL: none), called from
 * source; stream: the endpoint can stream the answer. r gets the answer.
 * May raise (bad deployment, cancel); a failing handler is a 500.
 */
static void
HttpActionRun(const char *method, const char *url, json_t *headers, const char *body, size_t len,
			  bool stream, StatsSource source, HttpResponse *r)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	json_t	   *request;
	char	   *request_text;
	char		seed[33];
	char	   *result_json = NULL;
	UdfV8Error	err = {0};
	HttpStep	hs;
	CallSpec	spec = {RunHttpStep, &hs, HTTP_MODULE, true, CALL_RETURN_RECORDED, NULL};
	volatile UdfV8Status st;
	json_error_t jerr;
	json_t	   *volatile answer = NULL;
	const char *volatile route = NULL;
	CallStats	cs;
	const char *b64;

	if (dep == NULL || !NameDeploymentHasModule(dep, HTTP_MODULE))
	{
		json_decref(headers);
		HttpResponseText(r, 404, "No matching routes found");
		return;
	}
	if (len > HttpMaxBodySize())
	{
		json_decref(headers);
		HttpResponseText(r, 413, "Payload Too Large");
		return;
	}
	request = json_pack("{s:s, s:s, s:o, s:o, s:b}", "method", method, "url", url, "headers", headers,
						"body", body ? json_string(Base64Of(body, len)) : json_null(), "stream", stream);
	request_text = json_dumps(request, JSON_COMPACT);
	json_decref(request);
	if (request_text == NULL)
		elog(ERROR, "could not encode an HTTP request");
	hs.request_json = pstrdup(request_text);
	free(request_text);
	PrngSeedHex(seed, sizeof(seed));
	hs.dep = dep;
	hs.seed = seed;
	hs.now_ms = ClockNowMs();
	hs.result_json = &result_json;
	CallStatsBeginNamed(&cs, HTTP_MODULE, "httpAction", source, CallStackDepth() == 0);
	PG_TRY();
	{
		st = CallRun(&spec, &err);
		/* the route the router chose names the call: in the answer, or a failure's hint */
		if (st == UDF_V8_OK && (answer = json_loads(result_json, 0, &jerr)) != NULL)
			route = json_string_value(json_object_get(answer, "route"));
		else if (st != UDF_V8_OK)
			route = err.hint;
		CallStatsSetFunction(&cs, route);
		CallStatsEnd(&cs, st, &err);
	}
	PG_CATCH();
	{
		CallStatsAbort(&cs);
		if (answer)
			json_decref(answer);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (route && strncmp(route, HTTP_MODULE ":", strlen(HTTP_MODULE ":")) == 0)
		r->route = strdup(route + strlen(HTTP_MODULE ":"));
	if (st != UDF_V8_OK)
	{
		ereport(LOG,
				(errmsg("HTTP action %s failed: %s", err.hint ? err.hint : url,
						err.message ? err.message : "unknown error"),
				 err.detail ? errdetail_internal("%s", err.detail) : 0));
		HttpResponseText(r, 500, "Internal Server Error");
		return;
	}
	if (answer == NULL || !json_is_integer(json_object_get(answer, "status")))
		elog(ERROR, "the runtime answered an HTTP action with something other than a response");
	{
		char	   *kept = r->route;

		r->route = NULL;
		HttpResponseFree(r);
		r->route = kept;
	}
	r->status = (int) json_integer_value(json_object_get(answer, "status"));
	if (json_is_true(json_object_get(answer, "streamed")))
	{
		/* the head and body went out already (httpstream.c) */
		if (json_is_true(json_object_get(answer, "gone")))
			ereport(LOG,
					(errmsg("udf http: the client of HTTP action %s went away during its streamed response; the stream was canceled",
							json_string_value(json_object_get(answer, "route")))));
		r->streamed = true;
		json_decref(answer);
		return;
	}
	HttpResponseTakeHeaders(json_object_get(answer, "headers"), r);
	b64 = json_string_value(json_object_get(answer, "body"));
	if (b64 && *b64)
	{
		int			declen = pg_b64_dec_len((int) strlen(b64));
		int			n;

		r->body = malloc(declen);
		if (r->body == NULL)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory for an HTTP response")));
		n = pg_b64_decode(b64, (int) strlen(b64), r->body, declen);
		if (n < 0)
			elog(ERROR, "the runtime answered an HTTP body that is not base64");
		r->len = n;
	}
	else
		r->body = strdup("");
	json_decref(answer);
}

/* ------------------------------------------------------------------ the endpoint */

/* libmicrohttpd's header iterator: append [lower-case name, value] to the array. */
static enum MHD_Result
CollectHeader(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	json_t	   *pairs = cls;
	char	   *name = pstrdup(key);

	for (char *p = name; *p; p++)
		*p = pg_tolower((unsigned char) *p);
	json_array_append_new(pairs, json_pack("[s,s]", name, value ? value : ""));
	return MHD_YES;
}

/* The request's work: switch to udf.http_role and run the action. */
static void
ServeInTransaction(void *arg, HttpResponse *r)
{
	ServeWork  *w = arg;
	Oid			role = get_role_oid(http_role, true);
	Oid			save_user;
	int			save_sec;
	json_t	   *headers = json_array();

	if (!OidIsValid(role))
	{
		json_decref(headers);
		ereport(LOG,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("udf.http_role \"%s\" does not exist, so HTTP actions cannot run", http_role),
				 errhint("CREATE ROLE %s NOLOGIN, or set udf.http_role to an existing role.", http_role)));
		HttpResponseText(r, 503, "Service Unavailable");
		return;
	}
	MHD_get_connection_values(w->conn, MHD_HEADER_KIND, CollectHeader, headers);
	GetUserIdAndSecContext(&save_user, &save_sec);
	/* an error aborts the transaction, which restores the user id */
	SetUserIdAndSecContext(role, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	/* a HEAD answer has no body to stream */
	HttpActionRun(w->method, psprintf("%s%s", StoragePublicUrl(), w->uri), headers, w->body, w->len,
				  HttpStreamActive() && strcmp(w->method, "HEAD") != 0, STATS_SOURCE_HTTP, r);
	SetUserIdAndSecContext(save_user, save_sec);
}

/* Answer a request for an HTTP action route (the raw request URI, path and query). */
void
HttpActionServe(struct MHD_Connection *conn, const char *method, const char *uri,
				const char *body, size_t len, HttpResponse *r)
{
	ServeWork	w = {conn, method, uri, body, len};

	pgstat_report_activity(STATE_RUNNING, "udf http: action");
	RunRequestWork(ServeInTransaction, &w, r);
}

/* ------------------------------------------------------------------ udf_http */

/*
 * udf_http(method, path, headers jsonb, body bytea) -> (status, headers,
 * body): an HTTP action called from SQL, as the calling role. path is the
 * path and query ("/hooks/stripe?x=1"); headers an object of names to
 * values; the answer's headers are an object too (a repeated name, such as
 * set-cookie, maps to an array).
 */
Datum
udf_http(PG_FUNCTION_ARGS)
{
	char	   *method = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *path = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *headers_text = PG_ARGISNULL(2) ? "{}" : DatumGetCString(DirectFunctionCall1(jsonb_out, PG_GETARG_DATUM(2)));
	bytea	   *body = PG_ARGISNULL(3) ? NULL : PG_GETARG_BYTEA_PP(3);
	HttpResponse r = {0};
	json_error_t jerr;
	json_t	   *in;
	json_t	   *headers = json_array();
	json_t	   *out;
	const char *key;
	json_t	   *value;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *out_text;
	bytea	   *out_body;

	if (method == NULL || path == NULL || path[0] != '/')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf_http needs a method and a path starting with \"/\"")));
	for (char *p = method; *p; p++)
		*p = pg_toupper((unsigned char) *p);
	in = json_loads(headers_text, 0, &jerr);
	if (in == NULL || !json_is_object(in))
	{
		if (in)
			json_decref(in);
		json_decref(headers);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf_http: headers must be a JSON object of names to string values")));
	}
	json_object_foreach(in, key, value)
	{
		char	   *name = pstrdup(key);

		for (char *p = name; *p; p++)
			*p = pg_tolower((unsigned char) *p);
		if (json_is_string(value))
			json_array_append_new(headers, json_pack("[s,s]", name, json_string_value(value)));
	}
	json_decref(in);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "udf_http must return a record");
	PG_TRY();
	{
		HttpActionRun(method, psprintf("%s%s", StoragePublicUrl(), path), headers,
					  body ? VARDATA_ANY(body) : NULL, body ? VARSIZE_ANY_EXHDR(body) : 0,
					  false, STATS_SOURCE_SQL, &r);
	}
	PG_CATCH();
	{
		HttpResponseFree(&r);
		PG_RE_THROW();
	}
	PG_END_TRY();
	out = json_pack("{}");
	for (int i = 0; i < r.nheaders; i++)
	{
		json_t	   *old = json_object_get(out, r.headers[i].name);

		if (old == NULL)
			json_object_set_new(out, r.headers[i].name, json_string(r.headers[i].value));
		else if (json_is_array(old))
			json_array_append_new(old, json_string(r.headers[i].value));
		else
			json_object_set_new(out, r.headers[i].name, json_pack("[O,s]", old, r.headers[i].value));
	}
	if (r.content_type && json_object_get(out, "content-type") == NULL)
		json_object_set_new(out, "content-type", json_string(r.content_type));
	out_text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
	values[0] = Int32GetDatum(r.status);
	values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(pstrdup(out_text)));
	free(out_text);
	out_body = palloc(VARHDRSZ + r.len);
	SET_VARSIZE(out_body, VARHDRSZ + r.len);
	if (r.len)
		memcpy(VARDATA(out_body), r.body, r.len);
	values[2] = PointerGetDatum(out_body);
	HttpResponseFree(&r);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

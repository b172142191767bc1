/*
 * fetch.c -- an action's outbound HTTP requests, on libcurl's multi interface.
 *
 * Lifecycle: the runtime's fetch() (udf-runtime/src/setup/07_fetch.js)
 * starts a request with the typed op fetch/start and waits for its id on the
 * context's event loop (loop.js). Every request lives in one curl multi
 * handle per backend, made on first use. Nothing runs in the background:
 * transfers move only while the host drives the multi handle, which the
 * event loop's wait does (loop.c: FetchPoll in slices of a few ms, with
 * interrupts checked between them), so several fetches under Promise.all
 * run at once and a cancel stops them all. A finished transfer becomes a
 * completion; the wait hands the completions of the waiting call level to
 * JS as host values ({id, ok, status, statusText, url, redirected, headers,
 * body} with the body as an ArrayBuffer, or {id, ok: false, message}).
 *
 * Ownership: requests, their buffers and curl handles are malloc'd and owned
 * here, outside every memory context (they outlive the op that made them).
 * A request is freed when its completion is taken, when JS aborts it, or
 * when its call level ends (FetchDropAbove, from the call path: the
 * leftovers of an action are dropped as Convex drops dangling work), which
 * removes its easy handle and so closes its connection if it was mid-way.
 *
 * Redirects are followed here, one hop at a time (curl's own following is
 * off), so that every hop's URL passes the allowlist (fetch_policy.c) before
 * it is requested; the redirect modes are WHATWG's: follow (at most 20
 * hops; 303, and 301/302 after POST, become a GET without body), error, and
 * manual (the 3xx response itself). Every connection's address is checked
 * after DNS resolution (CURLOPT_OPENSOCKETFUNCTION), so a name resolving to
 * an inner address is refused even if its name is allowed, and checked
 * again before each request is sent on it (CURLOPT_PREREQFUNCTION), since
 * curl reuses pooled connections that a request with another policy (an
 * earlier allowlist, another host's entry) opened.
 *
 * TLS: curl verifies the peer and its name, against the system's trusted
 * certificates or udf.fetch_ca_file's.
 *
 * Limits: udf.fetch_max_response_size (the body, checked as it arrives),
 * udf.fetch_timeout (each hop), udf.fetch_max_concurrent (requests in flight
 * in one backend; at most FETCH_MAX_CONNECTIONS of them hold a connection
 * at once, the others wait in curl's queue). A refusal or failure is a
 * completion with ok false and a message, which JS throws as a TypeError,
 * as fetch does.
 *
 * Only an action may start a request; the op checks the running function's
 * kind itself, whatever the runtime let through.
 *
 * Statistics: each request reports to the call that started it (its
 * CallStats, callstats.c): one fetch when it starts (or is refused), the
 * body bytes sent and received by each hop, and how it ended -- the final
 * response's status class, or a failure: refused (the allowlist, the
 * scheme, an address check), timed out, a network error, or another
 * (too large, redirects, a malformed URL). A request aborted or dropped in
 * flight reports no end.
 *
 * What may raise: the ops run under syscall.c's guard (palloc, the policy).
 * curl's callbacks never call PostgreSQL (no palloc, no ereport): they run
 * inside curl_multi_perform with curl's frames on the stack. curl's
 * resolver threads never see a signal (Perform) and call nothing of ours.
 */
#include "udf.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <curl/curl.h>
#include <jansson.h>

#include "common/base64.h"
#include "fetch.h"
#include "utils/guc.h"

#define FETCH_MAX_REDIRECTS 20
/* connections open at once per backend; further requests queue in curl */
#define FETCH_MAX_CONNECTIONS 256

typedef struct FetchRequest
{
	struct FetchRequest *next;
	int64		id;
	int			level;			/* CallStackDepth() of the call that started it */
	CallStats  *stats;			/* that call's measurements, for udf_stats */
	bool		refused;		/* the policy refused a hop or an address */
	CURL	   *easy;			/* NULL once finished */
	bool		added;			/* easy is in the multi handle (in flight) */
	struct curl_slist *headers;
	char	   *method;
	char	   *url;			/* the current hop's URL */
	char	   *host;			/* its host, for the address check's message */
	bool		private_ok;		/* an allowlist entry names the host exactly */
	char	   *body;
	size_t		body_len;
	char		redirect;		/* 'f'ollow, 'm'anual, 'e'rror */
	int			hops;
	bool		redirected;
	/* the response so far */
	char	   *resp;
	size_t		resp_len;
	size_t		resp_cap;
	char	   *resp_headers;	/* raw header lines of the last response */
	size_t		resp_headers_len;
	size_t		resp_headers_cap;
	long		status;
	bool		done;
	char		error[512];		/* set: the request failed */
} FetchRequest;

static CURLM *multi = NULL;
static FetchRequest *requests = NULL;
static int64 next_id = 1;
static int	in_flight = 0;

static int	fetch_max_response_size_kb = 10 * 1024;
static int	fetch_timeout_ms = 60 * 1000;
static int	fetch_max_concurrent = 1000;
static char *fetch_ca_file = NULL;

static bool Append(char **buf, size_t *len, size_t *cap, const char *data, size_t n);
static size_t OnBody(char *data, size_t size, size_t nmemb, void *arg);
static size_t OnHeader(char *data, size_t size, size_t nmemb, void *arg);
static curl_socket_t OnOpenSocket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr);
static int	OnPrereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port);
static bool PrepareHop(FetchRequest *req, const char *url, char *why, size_t whylen);
static void Finish(FetchRequest *req, CURLcode code);
static void Perform(int *running);
static void FreeRequest(FetchRequest *req);
static void Unlink(FetchRequest *req);
static void WriteCompletion(ValueWriter *w, FetchRequest *req);
static bool ParseHeaders(FetchRequest *req, const char *json, char **why);
static void Report(CallStats *cs, int64 started, char failure, long status, int64 sent, int64 received);

/* Register the fetch settings. */
void
FetchInit(void)
{
	DefineCustomIntVariable("udf.fetch_max_response_size",
							"Maximum body size of one fetch() response.",
							"A larger response fails the fetch with a TypeError. Range 1 kB to 1 GB.",
							&fetch_max_response_size_kb,
							10 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.fetch_timeout",
							"Maximum time of one fetch() request (each redirect hop).",
							"A slower request fails with a TypeError. Range 1 ms to 1 hour.",
							&fetch_timeout_ms,
							60 * 1000, 1, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.fetch_max_concurrent",
							"Maximum fetch() requests in flight at once in one backend.",
							"One more fails with a TypeError. Convex allows 1000 concurrent "
							"operations. Range 1 to 10000.",
							&fetch_max_concurrent,
							1000, 1, 10000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("udf.fetch_ca_file",
							   "Certificate authorities fetch() trusts for https, as a PEM file.",
							   "Empty (the default): the system's trusted certificates. A file "
							   "replaces them, e.g. for a private CA.",
							   &fetch_ca_file,
							   "",
							   PGC_SUSET, 0, NULL, NULL, NULL);
	FetchPolicyInit();
}

/* Append n bytes to a malloc'd buffer; false if out of memory (never raises). */
static bool
Append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap)
	{
		size_t		want = Max(*cap * 2, *len + n + 1);
		char	   *grown = realloc(*buf, Max(want, 256));

		if (!grown)
			return false;
		*buf = grown;
		*cap = Max(want, 256);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return true;
}

/* curl: body bytes arrived; stop past udf.fetch_max_response_size. */
static size_t
OnBody(char *data, size_t size, size_t nmemb, void *arg)
{
	FetchRequest *req = arg;
	size_t		n = size * nmemb;

	if (req->resp_len + n > (size_t) fetch_max_response_size_kb * 1024)
	{
		snprintf(req->error, sizeof(req->error),
				 "fetch failed: the response from %s is larger than udf.fetch_max_response_size (%d kB)",
				 req->host, fetch_max_response_size_kb);
		return 0;
	}
	if (!Append(&req->resp, &req->resp_len, &req->resp_cap, data, n))
	{
		snprintf(req->error, sizeof(req->error), "fetch failed: out of memory for the response of %s", req->host);
		return 0;
	}
	return n;
}

/* curl: one header line; a status line starts a new response (after 1xx, say). */
static size_t
OnHeader(char *data, size_t size, size_t nmemb, void *arg)
{
	FetchRequest *req = arg;
	size_t		n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		req->resp_headers_len = 0;
	if (!Append(&req->resp_headers, &req->resp_headers_len, &req->resp_headers_cap, data, n))
		return 0;
	return n;
}

/*
 * curl: a request is about to be sent on a connection, new or reused from
 * curl's pool (which OnOpenSocket never saw for this request): check its
 * address again, for this request's host and policy.
 */
static int
OnPrereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	FetchRequest *req = arg;
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, primary_ip, &((struct sockaddr_in *) &ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, primary_ip, &((struct sockaddr_in6 *) &ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	if (!FetchPolicyCheckAddress((struct sockaddr *) &ss, req->host, req->private_ok,
								 req->error, sizeof(req->error)))
	{
		req->refused = true;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

/* curl: open the socket for a resolved address, if the policy allows it. */
static curl_socket_t
OnOpenSocket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	FetchRequest *req = arg;

	if (!FetchPolicyCheckAddress(&addr->addr, req->host, req->private_ok, req->error, sizeof(req->error)))
	{
		req->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

/*
 * Point the request at url (its first hop or a redirect): check the URL
 * against the policy and (re)configure its easy handle. False, with why
 * set, if the URL is malformed or refused. May raise (palloc in the policy).
 */
static bool
PrepareHop(FetchRequest *req, const char *url, char *why, size_t whylen)
{
	CURLU	   *u = curl_url();
	char	   *scheme = NULL;
	char	   *host = NULL;
	char	   *port = NULL;
	char	   *refusal = NULL;
	bool		ok = false;

	if (!u)
	{
		snprintf(why, whylen, "fetch failed: out of memory");
		return false;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		snprintf(why, whylen, "fetch failed: invalid URL \"%s\"", url);
	else if (pg_strcasecmp(scheme, "http") != 0 && pg_strcasecmp(scheme, "https") != 0)
	{
		snprintf(why, whylen, "fetch refused the URL scheme \"%s:\" of %s: only http and https are supported",
				 scheme, url);
		req->refused = true;
	}
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		snprintf(why, whylen, "fetch failed: invalid URL \"%s\"", url);
	else if ((refusal = FetchPolicyCheckUrl(scheme, host, atoi(port), &req->private_ok)) != NULL)
	{
		snprintf(why, whylen, "%s", refusal);
		req->refused = true;
	}
	else
	{
		free(req->url);
		free(req->host);
		req->url = strdup(url);
		req->host = strdup(host);
		ok = req->url && req->host;
		if (!ok)
			snprintf(why, whylen, "fetch failed: out of memory");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (!ok)
		return false;

	if (req->easy == NULL && (req->easy = curl_easy_init()) == NULL)
	{
		snprintf(why, whylen, "fetch failed: curl could not make a request");
		return false;
	}
	curl_easy_reset(req->easy);
	curl_easy_setopt(req->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(req->easy, CURLOPT_PRIVATE, req);
	curl_easy_setopt(req->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(req->easy, CURLOPT_PROXY, "");		/* no proxy from the environment */
	curl_easy_setopt(req->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(req->easy, CURLOPT_TIMEOUT_MS, (long) fetch_timeout_ms);
	curl_easy_setopt(req->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) fetch_max_response_size_kb * 1024);
	curl_easy_setopt(req->easy, CURLOPT_ACCEPT_ENCODING, "");	/* decode what curl can */
	curl_easy_setopt(req->easy, CURLOPT_WRITEFUNCTION, OnBody);
	curl_easy_setopt(req->easy, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(req->easy, CURLOPT_HEADERFUNCTION, OnHeader);
	curl_easy_setopt(req->easy, CURLOPT_HEADERDATA, req);
	curl_easy_setopt(req->easy, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
	curl_easy_setopt(req->easy, CURLOPT_OPENSOCKETDATA, req);
	curl_easy_setopt(req->easy, CURLOPT_PREREQFUNCTION, OnPrereq);
	curl_easy_setopt(req->easy, CURLOPT_PREREQDATA, req);
	if (fetch_ca_file && fetch_ca_file[0])
		curl_easy_setopt(req->easy, CURLOPT_CAINFO, fetch_ca_file);
	curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(req->easy, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(req->easy, CURLOPT_NOBODY, 1L);
	if (req->body)
	{
		curl_easy_setopt(req->easy, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(req->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) req->body_len);
	}
	req->resp_len = 0;
	req->resp_headers_len = 0;
	req->error[0] = '\0';
	return true;
}

/* The request's headers from JSON text [[name, value], ...]; false with *why if malformed. */
static bool
ParseHeaders(FetchRequest *req, const char *json, char **why)
{
	json_error_t jerr;
	json_t	   *arr = json_loads(json ? json : "[]", 0, &jerr);
	size_t		i;
	json_t	   *pair;

	if (!json_is_array(arr))
	{
		json_decref(arr);
		*why = "fetch failed: the request headers are not a list of pairs";
		return false;
	}
	json_array_foreach(arr, i, pair)
	{
		const char *name = json_string_value(json_array_get(pair, 0));
		const char *value = json_string_value(json_array_get(pair, 1));
		char	   *line;
		struct curl_slist *grown;

		if (!name || !value || strpbrk(name, ":\r\n") || strpbrk(value, "\r\n"))
		{
			json_decref(arr);
			*why = "fetch failed: a request header is not a valid name and value";
			return false;
		}
		line = psprintf(*value ? "%s: %s" : "%s;", name, value);
		grown = curl_slist_append(req->headers, line);
		if (!grown)
		{
			json_decref(arr);
			*why = "fetch failed: out of memory";
			return false;
		}
		req->headers = grown;
	}
	json_decref(arr);
	/* curl's own Expect: 100-continue would delay a POST body */
	req->headers = curl_slist_append(req->headers, "Expect:");
	return true;
}

/* fetch/start(method, url, headersJson, bodyBase64, redirect) -> the request's id. */
void
FetchStart(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *method = OpArgString(args, 0);
	const char *url = OpArgString(args, 1);
	const char *body64 = OpArgString(args, 3);
	const char *redirect = OpArgString(args, 4);
	FetchRequest *req;
	char		why[512];
	char	   *herr = NULL;
	CURLMcode	mc;

	/* fetch is for actions: the C side checks, whatever JS calls (the runtime words it as Convex does) */
	if (CallStackKind() == NULL || strcmp(CallStackKind(), "action") != 0)
	{
		out->error_message = "Can't use fetch() in queries and mutations. Please consider using an action.";
		out->error_code = "0A000";
		return;
	}
	if (in_flight >= fetch_max_concurrent)
	{
		Report(CallStatsCurrent(), 1, 'o', 0, 0, 0);
		out->error_message = psprintf("fetch failed: more than udf.fetch_max_concurrent (%d) requests in flight",
									  fetch_max_concurrent);
		out->error_code = "54000";
		return;
	}
	if (multi == NULL)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (multi = curl_multi_init()) == NULL)
		{
			Report(CallStatsCurrent(), 1, 'o', 0, 0, 0);
			out->error_message = "fetch failed: curl could not start";
			return;
		}
		/* more requests than this wait in curl's queue for a connection (file descriptors are finite) */
		curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long) FETCH_MAX_CONNECTIONS);
	}
	req = calloc(1, sizeof(FetchRequest));
	if (!req)
	{
		Report(CallStatsCurrent(), 1, 'o', 0, 0, 0);
		out->error_message = "fetch failed: out of memory";
		return;
	}
	req->id = next_id++;
	req->level = CallStackDepth();
	req->stats = CallStatsCurrent();
	req->redirect = redirect && redirect[0] ? redirect[0] : 'f';
	req->method = strdup(method ? method : "GET");
	if (body64)
	{
		int			len = strlen(body64);
		int			max = pg_b64_dec_len(len);

		req->body = malloc(max + 1);
		if (req->body)
		{
			int			n = pg_b64_decode(body64, len, req->body, max);

			req->body_len = n < 0 ? 0 : n;
		}
	}
	if (!req->method || (body64 && !req->body) || !ParseHeaders(req, OpArgString(args, 2), &herr) ||
		!PrepareHop(req, url ? url : "", why, sizeof(why)))
	{
		Report(req->stats, 1, req->refused ? 'r' : 'o', 0, 0, 0);
		out->error_message = herr ? herr : pstrdup(req->method ? why : "fetch failed: out of memory");
		FreeRequest(req);
		return;
	}
	if ((mc = curl_multi_add_handle(multi, req->easy)) != CURLM_OK)
	{
		Report(req->stats, 1, 'o', 0, 0, 0);
		out->error_message = psprintf("fetch failed: %s", curl_multi_strerror(mc));
		FreeRequest(req);
		return;
	}
	Report(req->stats, 1, 0, 0, 0, 0);
	req->added = true;
	in_flight++;
	req->next = requests;
	requests = req;
	out->result = psprintf(INT64_FORMAT, req->id);
}

/* fetch/abort(id): stop a request and forget it (its connection is closed). */
void
FetchAbort(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	int64		id = (int64) OpArgNumber(args, 0);

	for (FetchRequest *r = requests; r; r = r->next)
	{
		if (r->id == id)
		{
			Unlink(r);
			FreeRequest(r);
			break;
		}
	}
	out->result = "null";
}

/*
 * Tell the call cs what a request did: started (0 or 1), and the bytes of
 * a hop; or, once it ended, how (failure: 0 for a response with status,
 * 'r'efused, 't'imed out, 'n'etwork, 'o'ther). Never raises.
 */
static void
Report(CallStats *cs, int64 started, char failure, long status, int64 sent, int64 received)
{
	StatsFetch	f = {0};
	int			cls;

	if (cs == NULL)
		return;
	f.fetches = started;
	f.bytes_sent = sent;
	f.bytes_received = received;
	if (failure)
		f.failures = 1;
	if (failure == 'r')
		f.refused = 1;
	else if (failure == 't')
		f.timeouts = 1;
	else if (failure == 'n')
		f.network_errors = 1;
	else if (failure == 0 && (cls = StatsStatusClass((int) status)) >= 0)
		f.status[cls] = 1;
	CallStatsAddFetch(cs, &f);
}

/* A transfer ended: complete the request, or start its next redirect hop. */
static void
Finish(FetchRequest *req, CURLcode code)
{
	char	   *location = NULL;
	curl_off_t	sent = 0;
	curl_off_t	received = 0;
	char		failure = 0;

	curl_multi_remove_handle(multi, req->easy);
	req->added = false;
	in_flight--;
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &req->status);
	curl_easy_getinfo(req->easy, CURLINFO_SIZE_UPLOAD_T, &sent);
	curl_easy_getinfo(req->easy, CURLINFO_SIZE_DOWNLOAD_T, &received);
	Report(req->stats, 0, 0, 0, (int64) sent, (int64) received);
	if (code != CURLE_OK)
	{
		/* OnBody's own errors (too large, out of memory) are "other"; the policy's are refusals */
		failure = req->refused ? 'r' : code == CURLE_OPERATION_TIMEDOUT ? 't' : req->error[0] ? 'o' : 'n';
		if (req->error[0] == '\0')
			snprintf(req->error, sizeof(req->error), "fetch failed: %s (%s)", curl_easy_strerror(code), req->url);
	}
	else if (req->status >= 300 && req->status < 400 && req->redirect != 'm' &&
			 curl_easy_getinfo(req->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
	{
		char	   *next = strdup(location);
		char		why[512];

		if (req->redirect == 'e')
			snprintf(req->error, sizeof(req->error),
					 "fetch failed: %s redirected to %s, and the request's redirect mode is \"error\"",
					 req->url, next ? next : "?");
		else if (++req->hops > FETCH_MAX_REDIRECTS)
			snprintf(req->error, sizeof(req->error), "fetch failed: more than %d redirects from %s",
					 FETCH_MAX_REDIRECTS, req->url);
		else
		{
			/* 303, and 301/302 after a POST, become a GET without a body (WHATWG fetch) */
			if (req->status == 303 || ((req->status == 301 || req->status == 302) && strcmp(req->method, "POST") == 0))
			{
				free(req->method);
				req->method = strdup("GET");
				free(req->body);
				req->body = NULL;
				req->body_len = 0;
			}
			if (next && req->method && PrepareHop(req, next, why, sizeof(why)) &&
				curl_multi_add_handle(multi, req->easy) == CURLM_OK)
			{
				req->added = true;
				in_flight++;
				req->redirected = true;
				free(next);
				return;
			}
			snprintf(req->error, sizeof(req->error), "%s", req->method ? why : "fetch failed: out of memory");
		}
		free(next);
		failure = req->refused ? 'r' : 'o';
	}
	curl_easy_cleanup(req->easy);
	req->easy = NULL;
	req->done = true;
	Report(req->stats, 0, req->error[0] ? (failure ? failure : 'o') : 0, req->status, 0, 0);
}

/*
 * curl_multi_perform with every signal blocked: curl resolves host names on
 * threads it starts from here, and a thread inherits its creator's signal
 * mask, so PostgreSQL's handlers never run on one of them (as none runs on
 * the watchdog's). Signals that arrive meanwhile are taken as soon as the
 * mask is restored, microseconds later.
 */
static void
Perform(int *running)
{
	sigset_t	all;
	sigset_t	old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	curl_multi_perform(multi, running);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Move the transfers along, sleeping at most timeout_ms on their sockets. */
void
FetchPoll(long timeout_ms)
{
	int			running;
	int			queued;
	CURLMsg    *msg;

	if (multi == NULL)
		return;
	Perform(&running);
	if (running > 0)
	{
		curl_multi_poll(multi, NULL, 0, (int) timeout_ms, NULL);
		Perform(&running);
	}
	while ((msg = curl_multi_info_read(multi, &queued)) != NULL)
	{
		FetchRequest *req = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &req);
		if (req)
			Finish(req, msg->data.result);
	}
}

/* Are requests of call level `level` (-1: any) in flight? */
bool
FetchInFlight(int level)
{
	for (FetchRequest *r = requests; r; r = r->next)
		if (!r->done && (level < 0 || r->level == level))
			return true;
	return false;
}

/* Are requests of call level `level` completed and not yet taken? */
bool
FetchCompleted(int level)
{
	for (FetchRequest *r = requests; r; r = r->next)
		if (r->done && r->level == level)
			return true;
	return false;
}

/* One completion as a host value. */
static void
WriteCompletion(ValueWriter *w, FetchRequest *req)
{
	WriterObjectBegin(w);
	WriterKey(w, "id");
	WriterFloat(w, (double) req->id);
	WriterKey(w, "ok");
	WriterBool(w, req->error[0] == '\0');
	if (req->error[0])
	{
		WriterKey(w, "message");
		WriterCString(w, req->error);
	}
	else
	{
		WriterKey(w, "status");
		WriterFloat(w, (double) req->status);
		WriterKey(w, "url");
		WriterCString(w, req->url);
		WriterKey(w, "redirected");
		WriterBool(w, req->redirected);
		WriterKey(w, "headers");
		WriterString(w, req->resp_headers ? req->resp_headers : "", (int) req->resp_headers_len);
		WriterKey(w, "body");
		WriterBytes(w, req->resp ? req->resp : "", req->resp_len);
	}
	WriterObjectEnd(w);
}

/* Write the completed requests of `level` as an array of host values, and free them. */
void
FetchTakeCompleted(int level, ValueWriter *w)
{
	FetchRequest *r = requests;

	WriterArrayBegin(w);
	while (r)
	{
		FetchRequest *next = r->next;

		if (r->done && r->level == level)
		{
			WriteCompletion(w, r);
			Unlink(r);
			FreeRequest(r);
		}
		r = next;
	}
	WriterArrayEnd(w);
}

/* Drop every request of a call level deeper than `level`. */
void
FetchDropAbove(int level)
{
	FetchRequest *r = requests;

	while (r)
	{
		FetchRequest *next = r->next;

		if (r->level > level)
		{
			Unlink(r);
			FreeRequest(r);
		}
		r = next;
	}
}

/* Take a request off the list. */
static void
Unlink(FetchRequest *req)
{
	for (FetchRequest **p = &requests; *p; p = &(*p)->next)
	{
		if (*p == req)
		{
			*p = req->next;
			return;
		}
	}
}

/* Free a request (not on the list); a transfer in flight is stopped, its connection closed. */
static void
FreeRequest(FetchRequest *req)
{
	if (req->easy)
	{
		if (req->added)
		{
			curl_multi_remove_handle(multi, req->easy);
			in_flight--;
		}
		curl_easy_cleanup(req->easy);
	}
	curl_slist_free_all(req->headers);
	free(req->method);
	free(req->url);
	free(req->host);
	free(req->body);
	free(req->resp);
	free(req->resp_headers);
	free(req);
}

/*
 * fetch.h -- outbound HTTP for actions, on libcurl's multi interface (fetch.c),
 * and the allowlist it checks (fetch_policy.c).
 */
#ifndef UDF_FETCH_H
#define UDF_FETCH_H

#include <stdbool.h>
#include <sys/socket.h>

#include "v8shim/udf_v8.h"
#include "writer.h"

/* Register the fetch settings. */
extern void FetchInit(void);

/* Typed ops: fetch/start (method, url, headers, body, redirect) -> id; fetch/abort (id). */
extern void FetchStart(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void FetchAbort(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

/* Requests of call level `level` (-1: any) still in flight / completed and not yet taken. */
extern bool FetchInFlight(int level);
extern bool FetchCompleted(int level);
/* Write the completed requests of `level` as an array of host values, and forget them. */
extern void FetchTakeCompleted(int level, ValueWriter *w);
/* Move the transfers along, sleeping at most timeout_ms on their sockets. */
extern void FetchPoll(long timeout_ms);
/* Drop (abort, free) every request of a call level deeper than `level`. */
extern void FetchDropAbove(int level);

/* ---- fetch_policy.c: which hosts and addresses a fetch may reach ---- */

/* Why a URL may not be fetched: a message naming the host and the setting, or NULL. */
extern char *FetchPolicyCheckUrl(const char *scheme, const char *host, int port, bool *private_ok);
/* May a connection to addr be made for host (private_ok: an entry names it exactly)? why: if not; never raises. */
extern bool FetchPolicyCheckAddress(const struct sockaddr *addr, const char *host, bool private_ok,
									char *why, size_t whylen);
/* Register udf.fetch_allowed_hosts. */
extern void FetchPolicyInit(void);

#endif							/* UDF_FETCH_H */

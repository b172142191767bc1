/*
 * hostreader.h -- reading host values (udf_v8.h) in C: the bytes of one
 * value at a time, for the readers that turn them into jsonb (hostjsonb.c)
 * and into jansson values (hostjson.c). Host values come from the runtime,
 * never from a user as bytes: a short read is a bug, which each reader
 * reports in its own way.
 */
#ifndef UDF_HOSTREADER_H
#define UDF_HOSTREADER_H

#include "postgres.h"

#include "v8shim/udf_v8.h"

typedef struct HostValuesReader
{
	const char *p;
	const char *end;
} HostValuesReader;

/* Take n bytes (*at: where they are); false if fewer are left. */
static inline bool
HostTake(HostValuesReader *r, size_t n, const char **at)
{
	if ((size_t) (r->end - r->p) < n)
		return false;
	*at = r->p;
	r->p += n;
	return true;
}

/* A native uint32 (a length or a count); false if truncated. */
static inline bool
HostTakeU32(HostValuesReader *r, uint32 *v)
{
	const char *at;

	if (!HostTake(r, sizeof(*v), &at))
		return false;
	memcpy(v, at, sizeof(*v));
	return true;
}

/* A native double; false if truncated. */
static inline bool
HostTakeDouble(HostValuesReader *r, double *v)
{
	const char *at;

	if (!HostTake(r, sizeof(*v), &at))
		return false;
	memcpy(v, at, sizeof(*v));
	return true;
}

#endif							/* UDF_HOSTREADER_H */

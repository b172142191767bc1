/*
 * hostjson.c -- a document db.insert sends as host values, read as the
 * jansson value its JSON text would have parsed to.
 *
 * The runtime's db.insert writes a plain document (one that is its own
 * Convex JSON: udf-runtime/src/plain.js decides, and gives up on anything
 * else) as host values instead of JSON.stringify's text, and the host built
 * its jansson value by parsing that text. This builds the same value from
 * the host values: objects with their fields in order, arrays, strings,
 * booleans, null, and numbers as the parser would type them -- an integer
 * for a whole number that JavaScript prints without an exponent and that
 * fits in 64 bits, a real otherwise (a whole number past 2^63 that the text
 * would have refused as a too big integer is a real here). So everything
 * after it (columns, conversions, errors) is unchanged.
 *
 * The write limits count a document's JSON text (udf.max_bytes_written):
 * *json_len gets that text's length as JSON.stringify writes it, counted
 * while reading -- escapes included, numbers by their shortest digits.
 *
 * The values come from the runtime, never from the user as bytes: anything
 * malformed is a bug, and an internal error. Memory is jansson's (malloc):
 * the caller json_decref's the value, also when it raises afterwards; a
 * failure here frees what was built.
 */
#include "hostjson.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "hostreader.h"

typedef struct HostJsonReader
{
	HostValuesReader in;
	size_t		json_len;		/* of the equivalent JSON text, so far */
} HostJsonReader;

static json_t *ReadJson(HostJsonReader *r, int depth);
static size_t StringJsonLength(const char *s, uint32 len);
static size_t NumberJsonLength(double d, bool whole);

/* Bytes of a string as JSON.stringify writes it: quotes, and escapes for '"', '\' and controls. */
static size_t
StringJsonLength(const char *s, uint32 len)
{
	size_t		n = len + 2;

	for (uint32 i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
			n += 1;
		else if (c < 0x20)
			n += 5;
	}
	return n;
}

/*
 * Bytes of a number as JavaScript prints it: its shortest round-trip digits
 * (Ryu's, as float8out has them, which are JavaScript's) laid out by
 * Number.prototype.toString's rules -- plain up to 21 integer digits, "0."
 * and zeros down to 1e-7, an exponent beyond.
 */
static size_t
NumberJsonLength(double d, bool whole)
{
	char		buf[DOUBLE_SHORTEST_DECIMAL_LEN];
	int			ndigits = 0;	/* significant digits, leading and trailing zeros dropped */
	int			frac = 0;		/* digits after the point, as Ryu wrote them */
	int			exp10 = 0;		/* Ryu's exponent */
	int			trailing = 0;
	bool		seen_point = false;
	bool		any = false;
	int			point;			/* the value is 0.DIGITS times 10^point */
	size_t		n = d < 0 ? 1 : 0;

	if (whole)
	{
		uint64		u = (uint64) fabs(d);

		for (n++; u >= 10; u /= 10)
			n++;
		return n;
	}
	double_to_shortest_decimal_buf(d, buf);
	for (const char *c = buf; *c; c++)
	{
		if (*c == '.')
			seen_point = true;
		else if (*c == 'e' || *c == 'E')
		{
			exp10 = atoi(c + 1);
			break;
		}
		else if (*c >= '0' && *c <= '9')
		{
			if (seen_point)
				frac++;
			if (*c == '0' && !any)
				continue;		/* a leading zero */
			any = true;
			ndigits++;
			trailing = *c == '0' ? trailing + 1 : 0;
		}
	}
	ndigits -= trailing;
	point = ndigits + trailing + exp10 - frac;
	if (ndigits <= point && point <= 21)
		return n + point;		/* the digits and zeros */
	if (0 < point && point <= 21)
		return n + ndigits + 1; /* a point among the digits */
	if (-6 < point && point <= 0)
		return n + 2 - point + ndigits; /* "0.", zeros, the digits */
	/* d[.ddd]e+x or e-x */
	n += ndigits + (ndigits > 1 ? 1 : 0) + 2;
	for (int e = abs(point - 1); e >= 10; e /= 10)
		n++;
	return n + 1;
}

/* One value, built; NULL if malformed (what was built of it is freed). */
static json_t *
ReadJson(HostJsonReader *r, int depth)
{
	const char *at;
	uint32		n;
	json_t	   *v;

	if (depth > 1000 || !HostTake(&r->in, 1, &at))
		return NULL;
	switch (*at)
	{
		case UDF_HV_NULL:
			r->json_len += 4;
			return json_null();
		case UDF_HV_TRUE:
			r->json_len += 4;
			return json_true();
		case UDF_HV_FALSE:
			r->json_len += 5;
			return json_false();
		case UDF_HV_NUMBER:
			{
				double		d;
				/* JavaScript prints a whole number below 1e21 without an exponent: the parser's integer */
				bool		whole;

				if (!HostTakeDouble(&r->in, &d))
					return NULL;
				whole = isfinite(d) && d == floor(d) && fabs(d) < 9223372036854775808.0;
				r->json_len += NumberJsonLength(d, whole);
				return whole ? json_integer((json_int_t) d) : json_real(d);
			}
		case UDF_HV_STRING:
			if (!HostTakeU32(&r->in, &n) || !HostTake(&r->in, n, &at))
				return NULL;
			r->json_len += StringJsonLength(at, n);
			return json_stringn(at, n);
		case UDF_HV_ARRAY:
			if (!HostTakeU32(&r->in, &n) || (v = json_array()) == NULL)
				return NULL;
			r->json_len += n > 0 ? n + 1 : 2;	/* brackets and commas */
			for (uint32 i = 0; i < n; i++)
			{
				json_t	   *e = ReadJson(r, depth + 1);

				if (e == NULL || json_array_append_new(v, e) != 0)
				{
					json_decref(v);
					return NULL;
				}
			}
			return v;
		case UDF_HV_OBJECT:
			/* json_object() would be PostgreSQL's (jansson_pg.h) */
			if (!HostTakeU32(&r->in, &n) || (v = json_pack("{}")) == NULL)
				return NULL;
			r->json_len += n > 0 ? n + 1 : 2;	/* braces and commas */
			for (uint32 i = 0; i < n; i++)
			{
				uint32		klen;
				const char *key;
				json_t	   *field;

				if (!HostTakeU32(&r->in, &klen) || !HostTake(&r->in, klen, &key))
				{
					json_decref(v);
					return NULL;
				}
				r->json_len += StringJsonLength(key, klen) + 1;	/* and the colon */
				field = ReadJson(r, depth + 1);
				if (field == NULL || json_object_setn_new(v, key, klen, field) != 0)
				{
					json_decref(v);
					return NULL;
				}
			}
			return v;
		default:
			return NULL;
	}
}

/*
 * The jansson value of the one value in host values data[0..len); the
 * length of its JSON text in *json_len. ERROR (internal) if malformed.
 */
json_t *
HostValuesToJson(const char *data, size_t len, size_t *json_len)
{
	HostJsonReader r = {{data, data + len}, 0};
	json_t	   *v = ReadJson(&r, 0);

	if (v != NULL && r.in.p != r.in.end)
	{
		json_decref(v);
		v = NULL;
	}
	if (v == NULL)
		elog(ERROR, "udf internal error: malformed host values for db.insert");
	*json_len = r.json_len;
	return v;
}

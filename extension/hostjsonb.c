/*
 * hostjsonb.c -- a function's result, held as host values, made jsonb.
 *
 * The runtime hands udf_invoke a plain result as host values (udf_v8.h;
 * udf-runtime/src/plain.js) instead of JSON text. This builds the
 * jsonb straight from them, the same jsonb jsonb_in would make of the text
 * JSON.stringify writes for that value: no text is printed or lexed.
 *
 * Numbers: JavaScript prints a number as the shortest decimal that reads
 * back as the same double, and jsonb keeps that decimal as numeric. Whole
 * numbers up to 2^53 are that decimal themselves; any other number takes
 * PostgreSQL's own shortest round-trip digits (the Ryu code float8out uses),
 * which are JavaScript's digits, through numeric_in -- the same numeric as
 * the JSON text gave, in value and in scale.
 */
#include "udf.h"

#include <math.h>

#include "hostjsonb.h"
#include "hostreader.h"

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef struct HostReader
{
	HostValuesReader in;
	JsonbParseState *state;
} HostReader;

static JsonbValue *ReadValue(HostReader *r, JsonbIteratorToken as, int depth);

/* Stop: the shim wrote something this reader does not know (a bug, never user input). */
static void
Malformed(void)
{
	elog(ERROR, "udf: malformed host values in a function's result");
}

/* Take n bytes from the reader, or stop. */
static const char *
Take(HostReader *r, size_t n)
{
	const char *at;

	if (!HostTake(&r->in, n, &at))
		Malformed();
	return at;
}

/* A native uint32 (a length or a count), or stop. */
static uint32
TakeU32(HostReader *r)
{
	uint32		v;

	if (!HostTakeU32(&r->in, &v))
		Malformed();
	return v;
}

/* A double as the numeric its JavaScript text reads as in jsonb. */
static Numeric
NumberToNumeric(double d)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (d == floor(d) && fabs(d) <= 9007199254740992.0)
		return int64_to_numeric((int64) d);
	double_to_shortest_decimal_buf(d, digits);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(digits),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

/* One value pushed into r->state as token `as` (WJB_VALUE, WJB_ELEM, or a top-level scalar). */
static JsonbValue *
ReadValue(HostReader *r, JsonbIteratorToken as, int depth)
{
	JsonbValue	v;
	char		tag = *Take(r, 1);

	check_stack_depth();
	switch (tag)
	{
		case UDF_HV_NULL:
			v.type = jbvNull;
			break;
		case UDF_HV_TRUE:
		case UDF_HV_FALSE:
			v.type = jbvBool;
			v.val.boolean = tag == UDF_HV_TRUE;
			break;
		case UDF_HV_NUMBER:
			{
				double		d;

				if (!HostTakeDouble(&r->in, &d))
					Malformed();
				v.type = jbvNumeric;
				v.val.numeric = NumberToNumeric(d);
				break;
			}
		case UDF_HV_STRING:
			{
				uint32		len = TakeU32(r);

				v.type = jbvString;
				v.val.string.len = len;
				v.val.string.val = (char *) Take(r, len);
				break;
			}
		case UDF_HV_ARRAY:
			{
				uint32		n = TakeU32(r);

				pushJsonbValue(&r->state, WJB_BEGIN_ARRAY, NULL);
				for (uint32 i = 0; i < n; i++)
					(void) ReadValue(r, WJB_ELEM, depth + 1);
				return pushJsonbValue(&r->state, WJB_END_ARRAY, NULL);
			}
		case UDF_HV_OBJECT:
			{
				uint32		n = TakeU32(r);

				pushJsonbValue(&r->state, WJB_BEGIN_OBJECT, NULL);
				for (uint32 i = 0; i < n; i++)
				{
					JsonbValue	key;

					key.type = jbvString;
					key.val.string.len = TakeU32(r);
					key.val.string.val = (char *) Take(r, key.val.string.len);
					pushJsonbValue(&r->state, WJB_KEY, &key);
					(void) ReadValue(r, WJB_VALUE, depth + 1);
				}
				return pushJsonbValue(&r->state, WJB_END_OBJECT, NULL);
			}
		default:
			Malformed();
	}
	if (depth == 0)
	{
		/* a scalar result: jsonb keeps it as a raw scalar */
		JsonbValue *copy = palloc(sizeof(JsonbValue));

		*copy = v;
		return copy;
	}
	return pushJsonbValue(&r->state, as, &v);
}

/* The jsonb of the one value in host values data[0..len). */
Datum
HostValuesToJsonb(const char *data, size_t len)
{
	HostReader	r = {{data, data + len}, NULL};
	JsonbValue *top = ReadValue(&r, WJB_VALUE, 0);

	if (r.in.p != r.in.end)
		Malformed();
	return JsonbPGetDatum(JsonbValueToJsonb(top));
}

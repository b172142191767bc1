/*
 * values.c -- PostgreSQL values <-> Convex JSON, one column type at a time.
 *
 * The mapping (README "Type mapping"): bool <-> boolean; int2/int4 -> number;
 * int8 <-> int64 ({"$integer"}); float4/float8/numeric <-> number (NaN,
 * +-Infinity, -0 as {"$float"}; numeric is read as a float64, so digits past
 * ~15 are lost); text and other string-like types <-> string; bytea <->
 * bytes ({"$bytes"}); json/jsonb <-> any value (managed tables keep Convex
 * JSON in them); timestamp/timestamptz -> number (ms since the epoch) and
 * accept a number or a string; arrays -> arrays; anything else -> its text
 * form, and accepts a string in that form.
 *
 * Everything here may raise; callers run inside subxact.c's trampoline.
 */
#include "udf.h"

#include <math.h>

#include "values.h"
#include "writer.h"

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "lib/stringinfo.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"


/* A Convex tagged value {"$tag": base64 of len bytes}. */
static void
WriteTagged(ValueWriter *w, const char *tag, const uint8 *data, int len)
{
	int			enclen = pg_b64_enc_len(len);
	char	   *buf = palloc(enclen + 1);
	int			n = pg_b64_encode((const char *) data, len, buf, enclen);

	WriterObjectBegin(w);
	WriterKey(w, tag);
	WriterString(w, buf, n);
	WriterObjectEnd(w);
	pfree(buf);
}

/* A float64 in Convex JSON: a number, or {"$float"} when JSON has none. */
void
WriteConvexFloat(ValueWriter *w, double d)
{
	if (isnan(d) || isinf(d) || (d == 0 && signbit(d)))
	{
		uint8		bytes[8];

		memcpy(bytes, &d, 8);	/* little-endian on every platform we build for */
		WriteTagged(w, "$float", bytes, 8);
	}
	else
		WriterFloat(w, d);
}

void
WriteConvexInt64(ValueWriter *w, int64 v)
{
	uint8		bytes[8];

	memcpy(bytes, &v, 8);
	WriteTagged(w, "$integer", bytes, 8);
}

/*
 * A key column's value as the text its output function prints (a document's
 * _id): integers and text without a catalog lookup, anything else by its
 * output function.
 */
void
WriteKeyText(ValueWriter *w, Datum value, Oid typid)
{
	char		buf[32];

	switch (typid)
	{
		case INT2OID:
			snprintf(buf, sizeof(buf), "%d", (int) DatumGetInt16(value));
			WriterCString(w, buf);
			return;
		case INT4OID:
			snprintf(buf, sizeof(buf), "%d", DatumGetInt32(value));
			WriterCString(w, buf);
			return;
		case INT8OID:
			snprintf(buf, sizeof(buf), INT64_FORMAT, DatumGetInt64(value));
			WriterCString(w, buf);
			return;
		case TEXTOID:
		case VARCHAROID:
			{
				text	   *t = DatumGetTextPP(value);

				WriterString(w, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				return;
			}
		default:
			{
				Oid			output;
				bool		varlena;

				getTypeOutputInfo(typid, &output, &varlena);
				WriterCString(w, OidOutputFunctionCall(output, value));
			}
	}
}

/* Write one column value (not NULL) of type typid as a Convex value. */
void
WriteDatumAsConvex(ValueWriter *w, Datum value, Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
			WriterBool(w, DatumGetBool(value));
			return;
		case INT2OID:
			WriterInt(w, DatumGetInt16(value));
			return;
		case INT4OID:
			WriterInt(w, DatumGetInt32(value));
			return;
		case INT8OID:
			WriteConvexInt64(w, DatumGetInt64(value));
			return;
		case FLOAT4OID:
			WriteConvexFloat(w, (double) DatumGetFloat4(value));
			return;
		case FLOAT8OID:
			WriteConvexFloat(w, DatumGetFloat8(value));
			return;
		case NUMERICOID:
			WriteConvexFloat(w, DatumGetFloat8(OidFunctionCall1(F_FLOAT8_NUMERIC, value)));
			return;
		case BYTEAOID:
			{
				bytea	   *b = DatumGetByteaPP(value);

				WriteTagged(w, "$bytes", (const uint8 *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
				return;
			}
		case JSONBOID:
			{
				Jsonb	   *jb = DatumGetJsonbP(value);

				WriterJsonb(w, &jb->root);
				return;
			}
		case JSONOID:
			WriterJsonText(w, text_to_cstring(DatumGetTextPP(value)));
			return;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			{
				/* what their output functions print, without the catalog lookups and the copy */
				text	   *t = DatumGetTextPP(value);

				WriterString(w, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
				return;
			}
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			WriteConvexFloat(w, ClockTimestampMs(DatumGetTimestamp(value)));
			return;
		case DATEOID:
			{
				/* ISO 8601 whatever the session's DateStyle */
				DateADT		date = DatumGetDateADT(value);
				int			year;
				int			month;
				int			day;

				if (DATE_NOT_FINITE(date))
					break;
				j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
				WriterCString(w, psprintf("%04d-%02d-%02d", year, month, day));
				return;
			}
		default:
			break;
	}
	if (type_is_array(typid))
	{
		WriterJsonText(w, text_to_cstring((struct varlena *) DatumGetPointer(OidFunctionCall1(F_ARRAY_TO_JSON_ANYARRAY, value))));
		return;
	}
	{
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(typid, &output, &varlena);
		WriterCString(w, OidOutputFunctionCall(output, value));
	}
}

/* Decode {"$integer": base64} into v; false if j is not one. */
static bool
ConvexInt64(json_t *j, int64 *v)
{
	json_t	   *b64 = json_is_object(j) && json_object_size(j) == 1 ? json_object_get(j, "$integer") : NULL;
	char		buf[16];

	if (!json_is_string(b64))
		return false;
	if (pg_b64_decode(json_string_value(b64), json_string_length(b64), buf, sizeof(buf)) != 8)
		return false;
	memcpy(v, buf, 8);
	return true;
}

/* A float64 from a JSON number or {"$float"}; false if j is neither. */
static bool
ConvexFloat(json_t *j, double *d)
{
	json_t	   *b64;
	char		buf[16];

	if (json_is_number(j))
	{
		*d = json_number_value(j);
		return true;
	}
	b64 = json_is_object(j) && json_object_size(j) == 1 ? json_object_get(j, "$float") : NULL;
	if (!json_is_string(b64) ||
		pg_b64_decode(json_string_value(b64), json_string_length(b64), buf, sizeof(buf)) != 8)
		return false;
	memcpy(d, buf, 8);
	return true;
}

/* The Convex type of a JSON value, for messages. */
const char *
ConvexTypeName(json_t *j)
{
	int64		i;
	double		d;

	if (json_is_null(j))
		return "null";
	if (json_is_boolean(j))
		return "boolean";
	if (json_is_string(j))
		return "string";
	if (json_is_array(j))
		return "array";
	if (ConvexInt64(j, &i))
		return "int64";
	if (ConvexFloat(j, &d))
		return "float64";
	if (json_is_object(j) && json_object_get(j, "$bytes"))
		return "bytes";
	return "object";
}

/* Text input of a type, for types without a Convex counterpart. */
static Datum
InputText(Oid typid, int32 typmod, const char *text)
{
	Oid			input;
	Oid			ioparam;

	getTypeInputInfo(typid, &input, &ioparam);
	return OidInputFunctionCall(input, (char *) text, ioparam, typmod);
}

static void
TypeMismatch(const char *table, const char *column, Oid typid, json_t *j) pg_attribute_noreturn();

static void
TypeMismatch(const char *table, const char *column, Oid typid, json_t *j)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("Field \"%s\" of table \"%s\" is of type %s and cannot hold a %s value",
					column, table, format_type_be(typid), ConvexTypeName(j))));
}

/*
 * A Convex JSON value as a datum of the column's type. JSON null gives SQL
 * NULL except in json/jsonb columns, where it stays a JSON null.
 */
Datum
ConvexToDatum(json_t *j, Oid typid, int32 typmod, const char *table, const char *column, bool *isnull)
{
	int64		i;
	double		d;

	*isnull = false;
	if (typid == JSONBOID || typid == JSONOID)
	{
		char	   *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		Datum		result = InputText(typid, typmod, text);

		free(text);
		return result;
	}
	if (json_is_null(j))
	{
		*isnull = true;
		return (Datum) 0;
	}
	switch (typid)
	{
		case BOOLOID:
			if (!json_is_boolean(j))
				TypeMismatch(table, column, typid, j);
			return BoolGetDatum(json_is_true(j));
		case INT2OID:
		case INT4OID:
		case INT8OID:
			if (ConvexInt64(j, &i))
				;
			else if (ConvexFloat(j, &d) && d == floor(d) && fabs(d) < 9.2e18)
				i = (int64) d;
			else
				TypeMismatch(table, column, typid, j);
			if (typid == INT8OID)
				return Int64GetDatum(i);
			if ((typid == INT2OID && (i < PG_INT16_MIN || i > PG_INT16_MAX)) ||
				(typid == INT4OID && (i < PG_INT32_MIN || i > PG_INT32_MAX)))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value " INT64_FORMAT " is out of range for field \"%s\" (%s) of table \"%s\"",
								i, column, format_type_be(typid), table)));
			return typid == INT2OID ? Int16GetDatum((int16) i) : Int32GetDatum((int32) i);
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			if (!ConvexFloat(j, &d))
			{
				if (ConvexInt64(j, &i))
					d = (double) i;
				else
					TypeMismatch(table, column, typid, j);
			}
			if (typid == FLOAT8OID)
				return Float8GetDatum(d);
			if (typid == FLOAT4OID)
				return Float4GetDatum((float4) d);
			return OidFunctionCall1(F_NUMERIC_FLOAT8, Float8GetDatum(d));
		case BYTEAOID:
			{
				json_t	   *b64 = json_is_object(j) ? json_object_get(j, "$bytes") : NULL;
				const char *src;
				int			len;
				bytea	   *b;
				int			n;

				if (!json_is_string(b64))
					TypeMismatch(table, column, typid, j);
				src = json_string_value(b64);
				len = json_string_length(b64);
				b = palloc(VARHDRSZ + pg_b64_dec_len(len));
				n = pg_b64_decode(src, len, VARDATA(b), pg_b64_dec_len(len));
				if (n < 0)
					TypeMismatch(table, column, typid, j);
				SET_VARSIZE(b, VARHDRSZ + n);
				return PointerGetDatum(b);
			}
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			if (ConvexFloat(j, &d))
				return TimestampGetDatum((Timestamp) ((d - ClockTimestampMs(0)) * 1000.0));
			break;
		default:
			break;
	}
	if (json_is_string(j))
		return InputText(typid, typmod, json_string_value(j));
	if (typid == TEXTOID || typid == VARCHAROID || typid == BPCHAROID || typid == NAMEOID)
		TypeMismatch(table, column, typid, j);	/* a string column holds strings only */
	if (type_is_array(typid) && json_is_array(j))
	{
		/* via json: jsonb's array literal is not the SQL array literal */
		char	   *text = json_dumps(j, JSON_COMPACT);
		StringInfoData lit;
		size_t		n = strlen(text);

		initStringInfo(&lit);
		appendStringInfoChar(&lit, '{');
		appendBinaryStringInfo(&lit, text + 1, n >= 2 ? n - 2 : 0);
		appendStringInfoChar(&lit, '}');
		free(text);
		return InputText(typid, typmod, lit.data);
	}
	if (json_is_number(j) || json_is_boolean(j))
	{
		char	   *text = json_dumps(j, JSON_ENCODE_ANY);
		Datum		result = InputText(typid, typmod, text);

		free(text);
		return result;
	}
	TypeMismatch(table, column, typid, j);
}

/*
 * dbsortkey.c -- Convex's total order of values as bytes: udf_sort_key,
 * the SQL function that turns a value kept as jsonb (Convex JSON) into a
 * bytea whose byte order (memcmp, as bytea compares) is Convex's order.
 *
 * Convex orders values first by type, undefined (a missing field) < null <
 * int64 < float64 < boolean < string < bytes < array < object, then within
 * a type: int64 numerically, float64 by IEEE total order (-NaN < -Inf <
 * ... < -0 < +0 < ... < Inf < NaN), false < true, strings by their UTF-8
 * bytes, bytes lexicographically, arrays element-wise (a prefix first),
 * objects by their (key, value) pairs in sorted key order. A key is:
 *
 *   one tag byte per type (undefined 0x01 ... object 0x0a, false and true
 *   two tags), then
 *   int64    8 bytes big-endian with the sign bit flipped
 *   float64  8 bytes big-endian: all bits flipped for negatives, the sign
 *            bit flipped for the rest (the IEEE total order as unsigned)
 *   string,  the bytes with 0x00 escaped as 0x00 0xff, ended by 0x00 0x01
 *   bytes    (so a prefix sorts first and no escape is taken for an end)
 *   array    each element's key, then 0x00 (below every tag: prefix first)
 *   object   per pair in key order 0x01, the key as a string, the value's
 *            key; then 0x00
 *
 * Convex JSON in jsonb: a plain number is a float64; {"$integer": b64},
 * {"$float": b64} (8 bytes little-endian) and {"$bytes": b64} are the
 * tagged values; any other object is an object. SQL NULL is undefined
 * (a managed table's missing field), so the function is not strict and an
 * index on udf_sort_key(field) sorts missing documents first.
 *
 * udf_sort_key(value, path) is the key of the field at a dotted path (as a
 * text[] of names) inside value: only objects have fields, so a path
 * through anything else, or to a name an object lacks, is undefined (the
 * walk is dbpath.c's JsonbAtPath).
 *
 * Both are IMMUTABLE (indexes may use them) and PARALLEL SAFE. Memory is
 * the caller's (a per-tuple context in queries and index builds). A
 * tagged-looking object whose payload does not decode (plain JSON of an
 * ordinary table) is an object. They raise only when nesting is too deep
 * for the stack. dbfilter.c computes the key of a
 * literal here too (SortKeyOfLiteral), once per query, as a parameter.
 */
#include "db.h"

#include "elevated.h"

#include "common/base64.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"

/* Type tags, in Convex's order of types. */
enum
{
	SK_END = 0x00, SK_UNDEFINED = 0x01, SK_NULL, SK_INT64, SK_FLOAT64, SK_FALSE, SK_TRUE,
	SK_STRING, SK_BYTES, SK_ARRAY, SK_OBJECT
};

/* One pair of an object, for sorting by key. */
typedef struct SortPair
{
	const char *key;
	int			keylen;
	JsonbValue	value;
} SortPair;

static void AppendEscaped(StringInfo out, const char *data, int len);
static void AppendUint64(StringInfo out, uint64 u);
static void AppendFloat(StringInfo out, double d);
static int	DecodeTagged(const JsonbValue *v, uint8 *buf, int buflen);
static void EncodeValue(StringInfo out, const JsonbValue *v);
static void EncodeContainer(StringInfo out, JsonbContainer *c);
static int	ComparePairs(const void *a, const void *b);
static bytea *KeyFromInfo(StringInfo out);

PG_FUNCTION_INFO_V1(udf_sort_key);
PG_FUNCTION_INFO_V1(udf_sort_key_path);

/* Bytes with 0x00 escaped, then the end mark: a string's or bytes' body. */
static void
AppendEscaped(StringInfo out, const char *data, int len)
{
	for (int i = 0; i < len; i++)
	{
		appendStringInfoChar(out, data[i]);
		if (data[i] == '\0')
			appendStringInfoChar(out, (char) 0xff);
	}
	appendStringInfoChar(out, '\0');
	appendStringInfoChar(out, 0x01);
}

/* Eight bytes big-endian. */
static void
AppendUint64(StringInfo out, uint64 u)
{
	for (int shift = 56; shift >= 0; shift -= 8)
		appendStringInfoChar(out, (char) ((u >> shift) & 0xff));
}

/* A float64 in IEEE total order as an unsigned big-endian number. */
static void
AppendFloat(StringInfo out, double d)
{
	uint64		u;

	memcpy(&u, &d, sizeof(u));
	u = (u & UINT64CONST(0x8000000000000000)) ? ~u : u ^ UINT64CONST(0x8000000000000000);
	appendStringInfoChar(out, SK_FLOAT64);
	AppendUint64(out, u);
}

/* The bytes of a tagged value's base64 string into buf: their count, or -1 if it is not one. */
static int
DecodeTagged(const JsonbValue *v, uint8 *buf, int buflen)
{
	if (v->type != jbvString || pg_b64_dec_len(v->val.string.len) > buflen)
		return -1;
	return pg_b64_decode(v->val.string.val, v->val.string.len, (char *) buf, buflen);
}

/* The key of one jsonb value (a scalar or a nested container). */
static void
EncodeValue(StringInfo out, const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			appendStringInfoChar(out, SK_NULL);
			break;
		case jbvBool:
			appendStringInfoChar(out, v->val.boolean ? SK_TRUE : SK_FALSE);
			break;
		case jbvNumeric:
			AppendFloat(out, DatumGetFloat8(OidFunctionCall1(F_FLOAT8_NUMERIC, NumericGetDatum(v->val.numeric))));
			break;
		case jbvString:
			appendStringInfoChar(out, SK_STRING);
			AppendEscaped(out, v->val.string.val, v->val.string.len);
			break;
		case jbvBinary:
			EncodeContainer(out, v->val.binary.data);
			break;
		default:
			elog(ERROR, "udf_sort_key: unexpected jsonb value type %d", (int) v->type);
	}
}

/* Order of two object pairs: their keys' bytes. */
static int
ComparePairs(const void *a, const void *b)
{
	const SortPair *pa = a;
	const SortPair *pb = b;
	int			c = memcmp(pa->key, pb->key, Min(pa->keylen, pb->keylen));

	return c != 0 ? c : pa->keylen - pb->keylen;
}

/* The key of a jsonb container: a raw scalar, an array, an object or a Convex tagged value. */
static void
EncodeContainer(StringInfo out, JsonbContainer *c)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok = JsonbIteratorNext(&it, &v, true);

	check_stack_depth();
	if (tok == WJB_BEGIN_ARRAY)
	{
		bool		scalar = v.val.array.rawScalar;

		if (!scalar)
			appendStringInfoChar(out, SK_ARRAY);
		while ((tok = JsonbIteratorNext(&it, &v, true)) == WJB_ELEM)
			EncodeValue(out, &v);
		if (!scalar)
			appendStringInfoChar(out, SK_END);
		return;
	}
	if (tok == WJB_BEGIN_OBJECT)
	{
		int			n = v.val.object.nPairs;
		SortPair   *pairs = palloc(sizeof(SortPair) * Max(1, n));
		int			k = 0;

		while ((tok = JsonbIteratorNext(&it, &v, true)) == WJB_KEY && k < n)
		{
			pairs[k].key = v.val.string.val;
			pairs[k].keylen = v.val.string.len;
			if (JsonbIteratorNext(&it, &pairs[k].value, true) != WJB_VALUE)
				elog(ERROR, "udf_sort_key: malformed jsonb object");
			k++;
		}
		if (k == 1 && pairs[0].keylen > 1 && pairs[0].key[0] == '$')
		{
			uint8		buf[16];
			const char *tag = pairs[0].key;
			int			len = pairs[0].keylen;

			if (len == 8 && memcmp(tag, "$integer", 8) == 0 && DecodeTagged(&pairs[0].value, buf, sizeof(buf)) == 8)
			{
				uint64		u = 0;

				for (int i = 7; i >= 0; i--)
					u = (u << 8) | buf[i];	/* little-endian two's complement */
				appendStringInfoChar(out, SK_INT64);
				AppendUint64(out, u ^ UINT64CONST(0x8000000000000000));
				return;
			}
			if (len == 6 && memcmp(tag, "$float", 6) == 0 && DecodeTagged(&pairs[0].value, buf, sizeof(buf)) == 8)
			{
				uint64		u = 0;
				double		d;

				for (int i = 7; i >= 0; i--)
					u = (u << 8) | buf[i];
				memcpy(&d, &u, sizeof(d));
				AppendFloat(out, d);
				return;
			}
			if (len == 6 && memcmp(tag, "$bytes", 6) == 0 && pairs[0].value.type == jbvString)
			{
				const JsonbValue *s = &pairs[0].value;
				int			cap = pg_b64_dec_len(s->val.string.len);
				char	   *bytes = palloc(cap + 1);
				int			nb = pg_b64_decode(s->val.string.val, s->val.string.len, bytes, cap);

				if (nb >= 0)
				{
					appendStringInfoChar(out, SK_BYTES);
					AppendEscaped(out, bytes, nb);
					return;
				}
			}
			/* not a well-formed tagged value: an object like any other */
		}
		qsort(pairs, k, sizeof(SortPair), ComparePairs);
		appendStringInfoChar(out, SK_OBJECT);
		for (int i = 0; i < k; i++)
		{
			appendStringInfoChar(out, 0x01);
			AppendEscaped(out, pairs[i].key, pairs[i].keylen);
			EncodeValue(out, &pairs[i].value);
		}
		appendStringInfoChar(out, SK_END);
		return;
	}
	elog(ERROR, "udf_sort_key: malformed jsonb container");
}

/* The bytea of a built key. */
static bytea *
KeyFromInfo(StringInfo out)
{
	bytea	   *key = palloc(VARHDRSZ + out->len);

	SET_VARSIZE(key, VARHDRSZ + out->len);
	memcpy(VARDATA(key), out->data, out->len);
	return key;
}

/* udf_sort_key(jsonb) -> bytea: the value's key in Convex's order; NULL (missing) is undefined. */
Datum
udf_sort_key(PG_FUNCTION_ARGS)
{
	StringInfoData out;

	initStringInfo(&out);
	if (PG_ARGISNULL(0))
		appendStringInfoChar(&out, SK_UNDEFINED);
	else
		EncodeContainer(&out, &PG_GETARG_JSONB_P(0)->root);
	PG_RETURN_BYTEA_P(KeyFromInfo(&out));
}

/*
 * udf_sort_key(jsonb, text[]) -> bytea: the key of the field at path inside
 * the value (undefined where an object lacks a name or the path meets a
 * value that is not an object).
 */
Datum
udf_sort_key_path(PG_FUNCTION_ARGS)
{
	StringInfoData out;
	JsonbValue	found;
	Datum	   *names;
	bool	   *nulls;
	int			n;

	initStringInfo(&out);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		appendStringInfoChar(&out, SK_UNDEFINED);
		PG_RETURN_BYTEA_P(KeyFromInfo(&out));
	}
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &n);
	if (JsonbAtPath(&PG_GETARG_JSONB_P(0)->root, names, nulls, n, &found))
		EncodeValue(&out, &found);
	else
		appendStringInfoChar(&out, SK_UNDEFINED);
	PG_RETURN_BYTEA_P(KeyFromInfo(&out));
}

/* The key of a filter's or range's literal (Convex JSON), as a bytea datum. */
Datum
SortKeyOfLiteral(json_t *literal, const char *table, const char *path)
{
	bool		isnull;

	if (json_is_object(literal) && json_object_size(literal) == 1 && json_object_get(literal, "$undefined"))
	{
		StringInfoData out;

		initStringInfo(&out);
		appendStringInfoChar(&out, SK_UNDEFINED);
		return PointerGetDatum(KeyFromInfo(&out));
	}
	return DirectFunctionCall1(udf_sort_key, ConvexToDatum(literal, JSONBOID, -1, table, path, &isnull));
}

/* The schema-qualified name of udf_sort_key, for SQL text. */
const char *
SortKeySql(void)
{
	return ExtensionTableName("udf_sort_key");
}

/* A dotted field path ("a.b.c") as a text[] datum of its names, for udf_sort_key(value, path). */
Datum
FieldPathArray(const char *path)
{
	List	   *names = NIL;
	const char *s = path;
	Datum	   *elems;
	int			n = 0;
	ListCell   *lc;

	for (;;)
	{
		const char *dot = strchr(s, '.');

		names = lappend(names, dot ? pnstrdup(s, dot - s) : pstrdup(s));
		if (!dot)
			break;
		s = dot + 1;
	}
	elems = palloc(sizeof(Datum) * list_length(names));
	foreach(lc, names)
		elems[n++] = CStringGetTextDatum(lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* Does column c of t sort through udf_sort_key (a managed table's any-typed, jsonb, field)? */
bool
ColumnUsesSortKey(const DbTable *t, int c)
{
	return t->managed && t->cols[c].typid == JSONBOID;
}

/* The SQL a query orders and compares column c of t by: the column, or its sort key. */
char *
OrderColumnSql(const DbTable *t, int c)
{
	const char *col = quote_identifier(t->cols[c].name);

	return ColumnUsesSortKey(t, c) ? psprintf("%s(%s)", SortKeySql(), col) : pstrdup(col);
}

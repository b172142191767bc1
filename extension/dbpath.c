/*
 * dbpath.c -- the value at a dotted field path inside Convex JSON kept as
 * jsonb, for SQL: udf_path_text and udf_path_vector, which the hidden
 * generated columns of search and vector indexes on nested paths (and on
 * tables that keep documents whole in `_doc`) are computed with, and the
 * walk udf_sort_key(value, path) shares (dbsortkey.c).
 *
 * A Convex field path goes through objects only: a name an object lacks, a
 * scalar or an array on the way, or a Convex tagged value ({"$integer"},
 * {"$float"}, {"$bytes"}: scalars, not objects) make the path undefined,
 * and both functions give NULL, so the document is simply not in the index
 * (no error: Convex indexes only the documents whose field holds the
 * index's type). A path of no names is the value itself.
 *
 * udf_path_text gives the string at the path. udf_path_vector gives the
 * array of float64 at the path as double precision[]: plain numbers and
 * {"$float": base64} (NaN, the infinities and -0, as Convex JSON writes
 * them); an array holding anything else (an int64, a string) is no vector.
 *
 * Both are IMMUTABLE, STRICT and PARALLEL SAFE (generated columns and
 * indexes need it). Memory is the caller's (a per-tuple context); they
 * raise only for malformed jsonb.
 */
#include "db.h"

#include "common/base64.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"

static bool IsTaggedValue(JsonbContainer *c);
static bool FloatOfElement(const JsonbValue *v, double *out);

PG_FUNCTION_INFO_V1(udf_path_text);
PG_FUNCTION_INFO_V1(udf_path_vector);

/* Is an object container a Convex tagged scalar ({"$integer"|"$float"|"$bytes": ...})? */
static bool
IsTaggedValue(JsonbContainer *c)
{
	JsonbValue	found;

	return JsonContainerSize(c) == 1 &&
		(getKeyJsonValueFromContainer(c, "$integer", 8, &found) ||
		 getKeyJsonValueFromContainer(c, "$float", 6, &found) ||
		 getKeyJsonValueFromContainer(c, "$bytes", 6, &found));
}

/*
 * The value at the path (a text[] of n names, deconstructed) inside root;
 * false where the path is undefined. A value found inside is a scalar or a
 * jbvBinary of its container; for no names, root itself as jbvBinary.
 */
bool
JsonbAtPath(JsonbContainer *root, Datum *names, bool *nulls, int n, JsonbValue *out)
{
	JsonbContainer *c = root;
	JsonbValue *cur = NULL;

	if (n == 0)
	{
		if (JsonContainerIsScalar(c))
			return JsonbExtractScalar(c, out);
		out->type = jbvBinary;
		out->val.binary.data = c;
		out->val.binary.len = 0;
		return true;
	}
	for (int i = 0; i < n; i++)
	{
		JsonbValue	k;
		text	   *name;

		/* only a real object (not a tagged value, not a scalar or array) has fields */
		if (nulls[i] || !JsonContainerIsObject(c) || IsTaggedValue(c))
			return false;
		name = DatumGetTextPP(names[i]);
		k.type = jbvString;
		k.val.string.val = VARDATA_ANY(name);
		k.val.string.len = VARSIZE_ANY_EXHDR(name);
		cur = findJsonbValueFromContainer(c, JB_FOBJECT, &k);
		if (cur == NULL)
			return false;
		if (i < n - 1)
		{
			if (cur->type != jbvBinary)
				return false;
			c = cur->val.binary.data;
		}
	}
	*out = *cur;
	return true;
}

/* A vector element as a float64: a plain number or {"$float": 8 bytes LE}; false for anything else. */
static bool
FloatOfElement(const JsonbValue *v, double *out)
{
	JsonbValue	tagged;
	uint8		buf[16];
	int			n;
	uint64		u = 0;

	if (v->type == jbvNumeric)
	{
		*out = DatumGetFloat8(OidFunctionCall1(F_FLOAT8_NUMERIC, NumericGetDatum(v->val.numeric)));
		return true;
	}
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data) ||
		JsonContainerSize(v->val.binary.data) != 1 ||
		!getKeyJsonValueFromContainer(v->val.binary.data, "$float", 6, &tagged) ||
		tagged.type != jbvString || pg_b64_dec_len(tagged.val.string.len) > (int) sizeof(buf))
		return false;
	n = pg_b64_decode(tagged.val.string.val, tagged.val.string.len, (char *) buf, sizeof(buf));
	if (n != 8)
		return false;
	for (int i = 7; i >= 0; i--)
		u = (u << 8) | buf[i];
	memcpy(out, &u, sizeof(*out));
	return true;
}

/* udf_path_text(jsonb, text[]) -> text: the string at the path, NULL if it holds none. */
Datum
udf_path_text(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	Datum	   *names;
	bool	   *nulls;
	int			n;
	JsonbValue	v;

	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &n);
	if (!JsonbAtPath(&jb->root, names, nulls, n, &v) || v.type != jbvString)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
}

/* udf_path_vector(jsonb, text[]) -> float8[]: the array of float64 at the path, NULL if it holds none. */
Datum
udf_path_vector(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	Datum	   *names;
	bool	   *nulls;
	int			n;
	JsonbValue	v;
	JsonbIterator *it;
	JsonbValue	elem;
	JsonbIteratorToken tok;
	Datum	   *values;
	int			count = 0;

	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &n);
	if (!JsonbAtPath(&jb->root, names, nulls, n, &v) || v.type != jbvBinary ||
		!JsonContainerIsArray(v.val.binary.data) || JsonContainerIsScalar(v.val.binary.data))
		PG_RETURN_NULL();
	values = palloc(sizeof(Datum) * Max(1, JsonContainerSize(v.val.binary.data)));
	it = JsonbIteratorInit(v.val.binary.data);
	tok = JsonbIteratorNext(&it, &elem, true);	/* WJB_BEGIN_ARRAY */
	while ((tok = JsonbIteratorNext(&it, &elem, true)) == WJB_ELEM)
	{
		double		d;

		if (!FloatOfElement(&elem, &d))
			PG_RETURN_NULL();	/* not an array of float64: no vector */
		values[count++] = Float8GetDatum(d);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(values, count, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

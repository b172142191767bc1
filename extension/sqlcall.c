/*
 * sqlcall.c -- udf_call_typed(path, names, VARIADIC args "any"): the call
 * behind each typed SQL function (sqlapi.c generates them), from SQL values
 * straight into V8 values.
 *
 * The generated function is inlined by the planner, so what runs is this
 * call with the caller's own arguments: each one, by its SQL type, is
 * written as the Convex value it stands for (values.c, as ctx.db reads a
 * column), into the host values the call's argument object is built from;
 * no jsonb is made on the way in. A NULL argument is a missing field
 * (v.optional). What the call of an FmgrInfo needs (the path, the argument
 * names and types) is worked out once and kept in fn_extra.
 */
#include "udf.h"

#include "values.h"
#include "writer.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "jansson_pg.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

/* from utils/builtins.h, which cannot be included beside jansson (jansson_pg.h) */
extern Datum jsonb_in(PG_FUNCTION_ARGS);
extern text *cstring_to_text_with_len(const char *s, int len);

PG_FUNCTION_INFO_V1(udf_call_typed);

/* What one call site of udf_call_typed needs, once per FmgrInfo. */
typedef struct TypedCallSite
{
	char	   *path;
	int			nargs;
	char	  **names;
	Oid		   *types;
	Oid			result_type;	/* jsonb, or float8, text, boolean: what the SQL declaration returns */
	bool		scalar_args;	/* every argument float8, text or boolean: plain values, valid names */
} TypedCallSite;

/* The call site of fcinfo, worked out on its first call. */
static TypedCallSite *
CallSiteOf(FunctionCallInfo fcinfo)
{
	TypedCallSite *site = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	Datum	   *names;
	bool	   *nulls;
	int			nnames;

	if (site)
		return site;
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("udf_call_typed: the function path and the argument names must not be null")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	site = palloc0(sizeof(TypedCallSite));
	site->path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P_COPY(1), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &nnames);
	site->nargs = PG_NARGS() - 2;
	if (nnames != site->nargs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf_call_typed: %d argument names for %d arguments", nnames, site->nargs),
				 errhint("The typed SQL functions of udf_deploy call it; redeploy to make them again.")));
	site->names = palloc(sizeof(char *) * Max(1, nnames));
	site->types = palloc(sizeof(Oid) * Max(1, nnames));
	for (int i = 0; i < nnames; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("udf_call_typed: argument name %d is null", i + 1)));
		site->names[i] = text_to_cstring(DatumGetTextPP(names[i]));
		site->types[i] = get_fn_expr_argtype(fcinfo->flinfo, i + 2);
		if (!OidIsValid(site->types[i]))
			elog(ERROR, "udf_call_typed: could not determine the type of argument %d", i + 1);
	}
	site->result_type = get_func_rettype(fcinfo->flinfo->fn_oid);
	/* the names are the validator's, so they are valid field names */
	site->scalar_args = true;
	for (int i = 0; i < nnames; i++)
		if (site->types[i] != FLOAT8OID && site->types[i] != TEXTOID && site->types[i] != BOOLOID)
			site->scalar_args = false;
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = site;
	return site;
}

/* A whole number of at most 15 digits (exact as a double) as float8, without strtod; false if json is not one. */
static bool
WholeNumber(const char *json, Datum *out)
{
	const char *digits = json + (json[0] == '-');
	const char *p = digits;
	int64		n = 0;

	while (*p >= '0' && *p <= '9' && p - digits < 15)
		n = n * 10 + (*p++ - '0');
	if (*p != '\0' || p == digits)
		return false;
	*out = Float8GetDatum(json[0] == '-' ? -(double) n : (double) n);
	return true;
}

/*
 * A scalar result's JSON text as the SQL value it is, without making jsonb:
 * a JSON number as float8, true/false as boolean, a string without escapes
 * as text. false for anything else (the caller goes through jsonb).
 */
static bool
ScalarResult(const char *json, Oid type, Datum *out)
{
	size_t		len = strlen(json);

	if (type == BOOLOID && (strcmp(json, "true") == 0 || strcmp(json, "false") == 0))
	{
		*out = BoolGetDatum(json[0] == 't');
		return true;
	}
	if (type == FLOAT8OID && WholeNumber(json, out))
		return true;
	if (type == FLOAT8OID && len > 0 && (json[0] == '-' || (json[0] >= '0' && json[0] <= '9')))
	{
		char	   *end;
		double		d = strtod(json, &end);

		if (*end == '\0')
		{
			*out = Float8GetDatum(d);
			return true;
		}
	}
	if (type == TEXTOID && len >= 2 && json[0] == '"' && json[len - 1] == '"' &&
		memchr(json + 1, '\\', len - 2) == NULL)
	{
		*out = PointerGetDatum(cstring_to_text_with_len(json + 1, len - 2));
		return true;
	}
	return false;
}

/* udf_call_typed(path text, names text[], VARIADIC args "any") returns jsonb */
Datum
udf_call_typed(PG_FUNCTION_ARGS)
{
	TypedCallSite *site = CallSiteOf(fcinfo);
	ValueWriter w;
	int			flags;

	WriterInit(&w, true);
	WriterObjectBegin(&w);
	for (int i = 0; i < site->nargs; i++)
	{
		if (PG_ARGISNULL(i + 2))
			continue;			/* a missing field */
		WriterKey(&w, site->names[i]);
		WriteDatumAsConvex(&w, PG_GETARG_DATUM(i + 2), site->types[i]);
	}
	WriterObjectEnd(&w);
	/* a NaN or an infinity is a tagged float: the runtime decodes those */
	flags = site->scalar_args && !w.tagged ? UDF_INVOKE_ARGS_PLAIN : 0;
	if (site->result_type == JSONBOID)
		PG_RETURN_DATUM(InvokeFromSql(site->path, w.buf.data, w.buf.len, flags));
	{
		const char *display;
		char	   *json;
		Datum		result;

		/* a float8 takes any number as it is, NaN and the infinities too */
		if (site->result_type == FLOAT8OID)
			flags |= UDF_INVOKE_RESULT_NUMBER;
		json = InvokeFromSqlText(site->path, w.buf.data, w.buf.len, flags, &display);
		if (json[0] == UDF_RESULT_NUMBER)
		{
			double		num;

			memcpy(&num, json + 1, sizeof(num));
			PG_RETURN_FLOAT8(num);
		}

		if (site->result_type == TEXTOID && strcmp(json, "null") == 0)
			PG_RETURN_NULL();
		if (ScalarResult(json, site->result_type, &result))
			PG_RETURN_DATUM(result);
		/* anything else (an escaped string, NaN as {"$float"}...) takes the jsonb cast's way */
		result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
		if (site->result_type == TEXTOID)
		{
			Jsonb	   *jb = DatumGetJsonbP(result);
			JsonbValue	v;

			if (JsonbExtractScalar(&jb->root, &v) && v.type == jbvString)
				PG_RETURN_TEXT_P(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
			PG_RETURN_TEXT_P(cstring_to_text(json));	/* returns validated a string: not reached */
		}
		PG_RETURN_DATUM(OidFunctionCall1(site->result_type == FLOAT8OID ? F_FLOAT8_JSONB : F_BOOL_JSONB, result));
	}
}

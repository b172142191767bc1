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
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(udf_call_typed);

/* What one call site of udf_call_typed needs, once per FmgrInfo. */
typedef struct TypedCallSite
{
	char	   *path;
	int			nargs;
	char	  **names;
	Oid		   *types;
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
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = site;
	return site;
}

/* udf_call_typed(path text, names text[], VARIADIC args "any") returns jsonb */
Datum
udf_call_typed(PG_FUNCTION_ARGS)
{
	TypedCallSite *site = CallSiteOf(fcinfo);
	ValueWriter w;

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
	PG_RETURN_DATUM(InvokeFromSql(site->path, w.buf.data, w.buf.len));
}

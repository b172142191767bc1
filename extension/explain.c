/*
 * explain.c -- udf_invoke_explain(name, args): run a function as udf_invoke
 * does -- for real, like EXPLAIN ANALYZE: a mutation's writes stay unless
 * the caller rolls back -- and return what it did, syscall by syscall, as
 * jsonb: {function, kind, time_ms, result, syscalls: [...]}, the steps
 * trace.c collected in the order they started.
 */
#include "udf.h"

#include "jansson_pg.h"
#include "writer.h"

#include "fmgr.h"
#include "portability/instr_time.h"
#include "utils/json.h"

PG_FUNCTION_INFO_V1(udf_invoke_explain);

extern Datum jsonb_in(PG_FUNCTION_ARGS);

/*
 * udf_invoke_explain(name text, args jsonb default '{}') returns jsonb: runs
 * the function as udf_invoke does and returns {function, kind, time_ms,
 * result, syscalls: [...]}.
 */
Datum
udf_invoke_explain(PG_FUNCTION_ARGS)
{
	char	   *name;
	Jsonb	   *args = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	const ResolvedFunction *resolved;
	StringInfoData buf;
	instr_time	start;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("function name must not be null")));
	name = text_to_cstring((struct varlena *) PG_GETARG_TEXT_PP(0));
	resolved = NameResolve(StoreCurrentDeployment(), name);
	initStringInfo(&buf);
	if (!TraceCollectBegin())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("udf_invoke_explain cannot run inside another udf_invoke_explain")));
	PG_TRY();
	{
		Datum		result;
		Jsonb	   *jb;
		instr_time	elapsed;

		INSTR_TIME_SET_CURRENT(start);
		if (args == NULL)
			result = InvokeFromSql(name, NULL, 0, 0);
		else
		{
			/* as udf_invoke does: the jsonb walked straight into host values */
			ValueWriter w;

			WriterInit(&w, true);
			WriterJsonb(&w, &args->root);
			result = InvokeFromSql(name, w.buf.data, w.buf.len, 0);
		}
		INSTR_TIME_SET_CURRENT(elapsed);
		INSTR_TIME_SUBTRACT(elapsed, start);
		jb = DatumGetJsonbP(result);
		appendStringInfoString(&buf, "{\"function\": ");
		escape_json(&buf, resolved->fn.display);
		appendStringInfoString(&buf, ", \"kind\": ");
		escape_json(&buf, resolved->kind ? resolved->kind : "unknown");
		appendStringInfo(&buf, ", \"time_ms\": %.3f, \"result\": %s, \"syscalls\": [",
						 INSTR_TIME_GET_MILLISEC(elapsed), JsonbToCString(NULL, &jb->root, VARSIZE(jb)));
		TraceAppendCollected(&buf);
		appendStringInfoString(&buf, "]}");
	}
	PG_FINALLY();
	{
		TraceCollectEnd();
	}
	PG_END_TRY();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * invoke.c -- udf_invoke(name, args): run one deployed function from SQL.
 *
 * The name is resolved in the live deployment (names.c), the jsonb
 * arguments are walked straight into host values, and the call takes the
 * one call path (call.c) with a seed and a frozen clock of its own; the
 * result comes back as Convex-encoded JSON text and is stored as jsonb --
 * or, when it is plain, as host values (udf-runtime/src/plain.js) made
 * jsonb without any text (hostjsonb.c).
 *
 * Memory: everything the shim returns is allocated in a per-call memory
 * context, deleted when the call ends; the result is copied out first.
 */
#include "udf.h"

#include "hostjsonb.h"
#include "writer.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(udf_invoke);

/*
 * The call's result as jsonb. JSON text from JSON.stringify that jsonb still
 * refuses (an unpaired surrogate in a string) is reported against the
 * function, not as a bare input-syntax error.
 */
static Datum
ResultToJsonb(const char *function, const char *json)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		result = (Datum) 0;

	PG_TRY();
	{
		result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("Function %s returned a value PostgreSQL cannot store as jsonb", function),
				 edata->detail ? errdetail("%s", edata->detail) : 0,
				 errhint("Strings must be valid Unicode: no unpaired surrogates such as \\ud800.")));
	}
	PG_END_TRY();
	return result;
}

/*
 * Call the deployed function name from SQL with its argument object as host
 * values (args_len bytes; NULL: no arguments) and the invoke flags (such as
 * UDF_INVOKE_ARGS_PLAIN) -> its result's Convex JSON text, in the caller's
 * memory; with UDF_INVOKE_RESULT_VALUES, a plain result may instead be host
 * values (UDF_RESULT_VALUES, *values_len their length); with
 * UDF_INVOKE_RESULT_NUMBER, a number the framed double (UDF_RESULT_NUMBER,
 * then its bytes). The one way SQL
 * calls a function: udf_invoke, and the typed SQL functions. *display gets
 * the function's name.
 */
static char *
InvokeFromSqlRaw(const char *name, const char *args_values, size_t args_len, int flags,
				 const char **display, size_t *values_len)
{
	const ResolvedFunction *resolved;
	FunctionName fn;
	const UdfDeployment *dep;
	MemoryContext call_cxt;
	MemoryContext old;
	UdfV8Error	err;
	char	   *result_json;
	InvokeCall	call = {0};
	char		seed[33];
	char	   *result;

	dep = StoreCurrentDeployment();
	resolved = NameResolve(dep, name);
	fn = resolved->fn;
	if (dep->id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("Could not find public function for '%s'.", fn.display),
				 errdetail("Nothing is deployed in this database."),
				 errhint("Deploy modules with SELECT udf_deploy('{\"module.js\": \"...\"}').")));
	if (!resolved->has_module)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("Could not find public function for '%s'.", fn.display),
				 errdetail("The deployment has no module \"%s\".", fn.module),
				 errhint("SELECT * FROM udf_functions() lists the deployed functions.")));

	call_cxt = AllocSetContextCreate(CurrentMemoryContext, "udf call", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(call_cxt);

	PrngSeedHex(seed, sizeof(seed));
	if (args_values)
	{
		call.args_values = args_values;
		call.args_values_len = args_len;
		LimitsCheckArgsSize(fn.display, args_len);
	}
	else
		call.args_json = "{}";
	call.seed = seed;
	call.now_ms = (double) (int64) ClockNowMs();
	call.flags = flags;
	/* host values whose JSON text is within udf.max_result_size */
	call.result_budget = flags & UDF_INVOKE_RESULT_VALUES ? (double) LimitsPlainResultBudget() : 0;

	(void) CallFunction(dep, resolved, CALL_FROM_SQL, &call, &result_json, &err);
	MemoryContextSwitchTo(old);
	*values_len = 0;
	if (result_json[0] == UDF_RESULT_NUMBER)
	{
		/* a number, framed as it came (UDF_INVOKE_RESULT_NUMBER): far below any size limit */
		result = palloc(1 + sizeof(double));
		memcpy(result, result_json, 1 + sizeof(double));
	}
	else if (result_json[0] == UDF_RESULT_VALUES)
	{
		uint32		len;

		memcpy(&len, result_json + 1, sizeof(len));
		result = palloc(len);
		memcpy(result, result_json + 1 + sizeof(len), len);
		*values_len = len;
	}
	else
	{
		LimitsCheckResultSize(fn.display, strlen(result_json));
		result = pstrdup(result_json);
	}
	*display = pstrdup(fn.display);
	MemoryContextDelete(call_cxt);
	return result;
}

/*
 * InvokeFromSqlRaw with the result as Convex JSON text, in the caller's
 * memory, or (UDF_INVOKE_RESULT_NUMBER) a framed number.
 */
char *
InvokeFromSqlText(const char *name, const char *args_values, size_t args_len, int flags, const char **display)
{
	size_t		values_len;

	return InvokeFromSqlRaw(name, args_values, args_len, flags & ~UDF_INVOKE_RESULT_VALUES, display, &values_len);
}

/* InvokeFromSqlRaw, its result as jsonb: a plain one walked in, any other parsed. */
Datum
InvokeFromSql(const char *name, const char *args_values, size_t args_len, int flags)
{
	const char *display;
	size_t		values_len;
	char	   *result = InvokeFromSqlRaw(name, args_values, args_len, flags | UDF_INVOKE_RESULT_VALUES,
										  &display, &values_len);

	if (values_len > 0)
		return HostValuesToJsonb(result, values_len);
	return ResultToJsonb(display, result);
}

/* udf_invoke(name text, args jsonb default '{}') returns jsonb */
Datum
udf_invoke(PG_FUNCTION_ARGS)
{
	char	   *name;
	Jsonb	   *args;
	ValueWriter w;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("function name must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	args = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	if (args == NULL)
		PG_RETURN_DATUM(InvokeFromSql(name, NULL, 0, 0));
	/* the jsonb walked straight into the values V8 builds the arguments from */
	WriterInit(&w, true);
	w.check_names = true;
	WriterJsonb(&w, &args->root);
	/* no tagged value and only names Convex takes: the runtime need not decode them */
	PG_RETURN_DATUM(InvokeFromSql(name, w.buf.data, w.buf.len,
								  !w.tagged && !w.odd_names ? UDF_INVOKE_ARGS_PLAIN : 0));
}

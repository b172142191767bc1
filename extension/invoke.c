/*
 * invoke.c -- udf_invoke(name, args): run one deployed function from SQL.
 *
 * The name follows Convex's path rules: "dir/module:export", split at the
 * last ':', ".js" optional (".ts" accepted and read as ".js"), ":default"
 * implied. The module (and its imports) is loaded into the context of the
 * current deployment and role on first use, in Convex's import phase (time
 * and seed fixed per deploy). Then the runtime's invoke entry point finds the
 * function, validates arguments and result, and runs it; arguments and
 * result travel as Convex-encoded JSON text.
 *
 * Memory: everything the shim returns is allocated in a per-call memory
 * context, deleted when the call ends; the result is copied out first.
 */
#include "udf.h"

#include <math.h>

#include "writer.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(udf_invoke);

/* Milliseconds since the Unix epoch, now. */
double
InvokeNowMs(void)
{
	if (udf_test_now_ms > 0)
		return udf_test_now_ms;
	return TimestampToUnixMs(GetCurrentTimestamp());
}

/* A PostgreSQL timestamp as milliseconds since the Unix epoch (JavaScript time). */
double
TimestampToUnixMs(TimestampTz ts)
{
	return (double) ts / 1000.0 +
		(double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000.0;
}

/* Split and canonicalise a Convex function path; ERROR if malformed. */
FunctionName
InvokeParseName(const char *name)
{
	FunctionName fn;
	const char *colon = strrchr(name, ':');
	char	   *module = colon ? pnstrdup(name, colon - name) : pstrdup(name);
	const char *export_name = colon ? colon + 1 : "default";
	size_t		len = strlen(module);
	const char *slash = strrchr(module, '/');
	const char *dot = strrchr(module, '.');
	bool		has_ext = dot && (!slash || dot > slash);

	if (len == 0 || module[0] == '/' || *export_name == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid function name \"%s\"", name),
				 errhint("Name a function as \"module:export\", e.g. \"messages:send\", or \"module\" for its default export.")));
	if (has_ext && strcmp(dot, ".ts") == 0)
		module = psprintf("%.*s.js", (int) (dot - module), module);
	else if (!has_ext)
		module = psprintf("%s.js", module);
	else if (strcmp(dot, ".js") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid function name \"%s\": module paths end in .js", name)));

	fn.module = module;
	fn.export_name = pstrdup(export_name);
	if (strcmp(export_name, "default") == 0)
		fn.display = pnstrdup(module, strlen(module) - 3);
	else
		fn.display = psprintf("%.*s:%s", (int) (strlen(module) - 3), module, export_name);
	return fn;
}

/*
 * Function names resolved for the live deployment: the parsed name, whether
 * the deployment has its module, and its kind (NULL if no such function).
 * Deployments never change under an id, so the cache is keyed by the id and
 * replaced when another deployment goes live.
 */
#define RESOLVED_NAME_MAX 256

typedef struct ResolvedEntry
{
	char		name[RESOLVED_NAME_MAX];	/* hash key: the name as called */
	ResolvedFunction resolved;
} ResolvedEntry;

static HTAB *resolved_functions = NULL;
static MemoryContext resolved_cxt = NULL;
static int64 resolved_for_deployment = -1;

static void
Resolve(const UdfDeployment *dep, const char *name, ResolvedFunction *out)
{
	out->fn = InvokeParseName(name);
	out->has_module = InvokeDeploymentHasModule(dep, out->fn.module);
	out->kind = out->has_module ? StoreFunctionKind(dep, out->fn.display) : NULL;
}

/* A function name resolved for dep, from the cache when it can be; ERROR if malformed. */
const ResolvedFunction *
InvokeResolve(const UdfDeployment *dep, const char *name)
{
	ResolvedEntry *entry;
	ResolvedFunction resolved;

	if (strlen(name) >= RESOLVED_NAME_MAX)
	{
		ResolvedFunction *uncached = palloc(sizeof(ResolvedFunction));

		Resolve(dep, name, uncached);
		return uncached;
	}
	if (resolved_functions == NULL || resolved_for_deployment != dep->id)
	{
		HASHCTL		ctl;

		/*
		 * A call still running may hold names from the old cache (a nested
		 * call can load a new deployment under it): free it with the
		 * transaction, not now.
		 */
		if (resolved_cxt)
			MemoryContextSetParent(resolved_cxt, TopTransactionContext);
		resolved_cxt = AllocSetContextCreate(TopMemoryContext, "udf resolved functions",
											 ALLOCSET_SMALL_SIZES);
		ctl.keysize = RESOLVED_NAME_MAX;
		ctl.entrysize = sizeof(ResolvedEntry);
		ctl.hcxt = resolved_cxt;
		resolved_functions = hash_create("udf resolved functions", 64, &ctl,
										 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		resolved_for_deployment = dep->id;
	}
	entry = hash_search(resolved_functions, name, HASH_FIND, NULL);
	if (entry)
		return &entry->resolved;
	/* resolve first: a malformed name raises and is never cached */
	Resolve(dep, name, &resolved);
	resolved.fn.module = MemoryContextStrdup(resolved_cxt, resolved.fn.module);
	resolved.fn.export_name = MemoryContextStrdup(resolved_cxt, resolved.fn.export_name);
	resolved.fn.display = MemoryContextStrdup(resolved_cxt, resolved.fn.display);
	/* the deployment's own copy goes when it is reloaded, even under the same id */
	if (resolved.kind)
		resolved.kind = MemoryContextStrdup(resolved_cxt, resolved.kind);
	entry = hash_search(resolved_functions, name, HASH_ENTER, NULL);
	entry->resolved = resolved;
	return &entry->resolved;
}

/* Compile, link and evaluate a module in Convex's import phase. */
void
InvokeLoadModule(UdfV8Context *ctx, const char *path, const char *seed, double now_ms)
{
	UdfV8Error	err;
	UdfV8Error	end_err;
	volatile UdfV8Status st = UDF_V8_OK;
	char	   *ignored;
	const UdfV8Arg phase[] = {UDF_V8_STR(seed ? seed : ""), UDF_V8_NUM(rint(now_ms))};

	if (udf_v8_module_ready(ctx, path))
		return;
	/* module top level runs under the query/mutation limit, named "import" */
	RuntimeSetTimeLimit(LimitsTimeLimitMs("query"));
	RuntimePushCall("", "import", ctx);
	PG_TRY();
	{
		if (udf_v8_call_typed(ctx, "beginImport", NULL, phase, lengthof(phase), &ignored, &err) != UDF_V8_OK)
			ReportV8Error(&err, NULL);
		st = udf_v8_load_module(ctx, path, &err);
		if (udf_v8_isolate_alive())
			(void) udf_v8_call(ctx, "endImport", NULL, NULL, 0, &ignored, &end_err);
	}
	PG_FINALLY();
	{
		RuntimePopCall();
	}
	PG_END_TRY();
	RuntimeRaiseParkedError();
	if (st != UDF_V8_OK)
	{
		RuntimeAfterFailure(st, path);
		ReportV8Error(&err, NULL);
	}
}

/*
 * Run a function in this deployment's context for the current role and
 * nesting level: pin the context, load the module, push a call frame, call
 * the runtime's invoke entry point, and undo all of it on the way out,
 * errors included. The caller reports a failed status.
 */
UdfV8Status
InvokeRun(const UdfDeployment *dep, const FunctionName *fn, const char *kind, bool set_time_limit,
		  const InvokeCall *call, char **result_json, UdfV8Error *err)
{
	volatile UdfV8Status st = UDF_V8_OK;
	UdfV8Context *ctx = RuntimeContextFor(dep);
	const UdfV8Arg invoke_args[] = {
		UDF_V8_STR(fn->export_name),
		call->args_values ? UDF_V8_VALUES(call->args_values, call->args_values_len)
		: UDF_V8_STR(call->args_json),
		UDF_V8_STR(fn->module),
		UDF_V8_STR(call->seed),
		UDF_V8_NUM(call->now_ms),
		UDF_V8_NUM(call->flags | (call->args_values ? UDF_INVOKE_ARGS_BUILT : 0)),
		UDF_V8_STR(call->expect_kind),
	};

	PG_TRY();
	{
		InvokeLoadModule(ctx, fn->module, dep->import_seed, dep->deployed_at_ms);
		if (set_time_limit)
			RuntimeSetTimeLimit(LimitsTimeLimitMs(kind));
		RuntimePushCall(fn->display, kind, ctx);
		PG_TRY();
		{
			st = udf_v8_call_typed(ctx, "invoke", fn->module, invoke_args, lengthof(invoke_args),
								   result_json, err);
		}
		PG_FINALLY();
		{
			RuntimePopCall();
		}
		PG_END_TRY();
	}
	PG_FINALLY();
	{
		RuntimeUnpinContext(ctx);
	}
	PG_END_TRY();
	return st;
}

/* Does the deployment contain this module? */
bool
InvokeDeploymentHasModule(const UdfDeployment *dep, const char *path)
{
	for (int i = 0; i < dep->nmodules; i++)
		if (strcmp(dep->modules[i].path, path) == 0)
			return true;
	return false;
}

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

/* udf_invoke(name text, args jsonb default '{}') returns jsonb */
Datum
udf_invoke(PG_FUNCTION_ARGS)
{
	char	   *name;
	Jsonb	   *args;
	const ResolvedFunction *resolved;
	FunctionName fn;
	const UdfDeployment *dep;
	MemoryContext call_cxt;
	MemoryContext old;
	UdfV8Error	err;
	volatile UdfV8Status st = UDF_V8_OK;
	char	   *result_json;
	InvokeCall	call = {0};
	char		seed[33];
	Datum		result;
	const char *kind;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("function name must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	args = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	dep = StoreCurrentDeployment();
	resolved = InvokeResolve(dep, name);
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

	RuntimeSeed(seed, sizeof(seed));
	if (args)
	{
		/* the jsonb walked straight into the values V8 builds the arguments from */
		ValueWriter w;

		WriterInit(&w, true);
		WriterJsonb(&w, &args->root);
		call.args_values = w.buf.data;
		call.args_values_len = w.buf.len;
		LimitsCheckArgsSize(fn.display, w.buf.len);
	}
	else
		call.args_json = "{}";
	call.seed = seed;
	call.now_ms = (double) (int64) InvokeNowMs();
	kind = resolved->kind;

	RuntimeAfterCall();
	if (RuntimeCallDepth() == 0)
		LimitsResetTransaction();
	st = InvokeRun(dep, &fn, kind, true, &call, &result_json, &err);
	RuntimeRaiseParkedError();
	if (st != UDF_V8_OK)
	{
		RuntimeAfterFailure(st, fn.display);
		ReportV8Error(&err, st == UDF_V8_JS_ERROR ? NULL : fn.display);
	}
	RuntimeAfterCall();
	LimitsCheckResultSize(fn.display, strlen(result_json));

	MemoryContextSwitchTo(old);
	result = ResultToJsonb(fn.display, result_json);
	MemoryContextDelete(call_cxt);
	PG_RETURN_DATUM(result);
}

/*
 * Run a mutation for a trigger: in the statement's transaction, with
 * trigger_args (host values, trigger_args_len bytes) as its arguments. Returns the tagged result JSON
 * ({"keep"}, {"skip"} or {"row": ...}). Errors abort the statement.
 */
char *
InvokeForTrigger(const char *name, const char *trigger_args, size_t trigger_args_len)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	const ResolvedFunction *resolved = InvokeResolve(dep, name);
	FunctionName fn = resolved->fn;
	const char *kind = resolved->kind;
	UdfV8Error	err;
	volatile UdfV8Status st = UDF_V8_OK;
	char	   *result_json = NULL;
	InvokeCall	call = {0};
	char		seed[33];

	if (dep->id == 0 || kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("udf_trigger: could not find the function '%s'", fn.display),
				 errhint("SELECT * FROM udf_functions() lists the deployed functions.")));
	if (strcmp(kind, "mutation") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("udf_trigger: '%s' is a %s; triggers run mutations", fn.display, kind)));
	if (RuntimeCallDepth() > NestedMaxCallDepth())
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("Too many nested function calls: the trigger calling %s would nest %d deep (limit: %d, udf.max_call_depth).",
						fn.display, RuntimeCallDepth(), NestedMaxCallDepth()),
				 errhint("A trigger whose mutation writes to a table with a udf trigger calls itself again; stop the recursion, or raise udf.max_call_depth.")));

	RuntimeSeed(seed, sizeof(seed));
	call.args_values = trigger_args;
	call.args_values_len = trigger_args_len;
	call.seed = seed;
	call.now_ms = (double) (int64) InvokeNowMs();
	call.flags = UDF_INVOKE_ALLOW_INTERNAL | UDF_INVOKE_TRIGGER;
	call.expect_kind = "mutation";

	RuntimeAfterCall();
	if (RuntimeCallDepth() == 0)
		LimitsResetTransaction();
	st = InvokeRun(dep, &fn, kind, RuntimeCallDepth() == 0, &call, &result_json, &err);
	RuntimeRaiseParkedError();
	if (st != UDF_V8_OK)
	{
		RuntimeAfterFailure(st, fn.display);
		ReportV8Error(&err, fn.display);
	}
	RuntimeAfterCall();
	return result_json;
}

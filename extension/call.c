/*
 * call.c -- the one path every entry into JavaScript takes.
 *
 * Every caller -- udf_invoke from SQL, a trigger, a nested ctx.runQuery or
 * runMutation, a module's import, deploy analysis, and next the scheduler
 * and the HTTP endpoint -- runs its V8 work through CallRun, which keeps the
 * protocol in one place:
 *
 *  1. a deferred context drop from an earlier stopped call is carried out
 *     first (contexts.c), so nothing of that call runs again;
 *  2. a top-level function call starts its per-call read/write counts afresh;
 *  3. the step runs (the shim never raises; a step's own ereports unwind
 *     through its PG_FINALLY blocks, which pop the call stack and unpin the
 *     context); a function call's measurements end as soon as it returns,
 *     with its status (callstats.c: CallFunction opened them and closes
 *     them itself if an error unwinds the step);
 *  4. an error a host callback parked is re-raised as it was (parked.c);
 *  5. a failed status is recorded in the failure policy, then raised or
 *     handed back as the caller asked.
 *
 * CallFunction is the step for a deployed function: pin the context of the
 * role and nesting level, import the module (itself a CallRun, named
 * "import", under the query time limit), set the function's time limit,
 * push its frame, call the runtime's invoke entry point (whose event loop
 * may wait on timers and fetches, loop.c), and drop the fetches it left in
 * flight when it ends. The caller's origin decides the limits and what a
 * failure does: a scheduled job (scheduler.c) is a top-level call whose
 * failure is handed back, for the job's state. Memory: what the shim returns
 * is allocated in the caller's memory context.
 *
 * A top-level query or mutation runs as an optimistic attempt first
 * (optimistic.c: one subtransaction for the call, none per ctx.db op); if
 * the attempt has to give up, the step runs the function again the careful
 * way, inside the same CallRun, so the call is measured and limited once.
 */
#include "udf.h"

#include <math.h>

#include "fetch.h"

/* A deployed function's call, as CallFunction's step sees it. */
typedef struct FunctionStep
{
	const UdfDeployment *dep;
	const ResolvedFunction *fn;
	bool		set_time_limit;
	const InvokeCall *call;
	char	  **result_json;
	bool		top_level;		/* from SQL or a trigger at top level: may be an optimistic attempt */
} FunctionStep;

/* A module's import, as CallLoadModule's step sees it. */
typedef struct ImportStep
{
	UdfV8Context *ctx;
	const char *path;
	const char *seed;
	double		now_ms;
} ImportStep;

static UdfV8Status RunFunctionStep(void *arg, UdfV8Error *err);
static UdfV8Status RunFunctionAttempt(void *arg, UdfV8Error *err);
static UdfV8Status RunImportStep(void *arg, UdfV8Error *err);

/* Run one entry into JavaScript under udf's call protocol (see the file header). */
UdfV8Status
CallRun(const CallSpec *spec, UdfV8Error *err)
{
	UdfV8Status st;

	ContextsAfterCall();
	if (spec->new_transaction_limits && CallStackDepth() == 0)
		LimitsResetTransaction();
	st = spec->step(spec->arg, err);
	if (spec->stats)
		CallStatsEnd(spec->stats, st, err);
	RaiseParkedError();
	if (st == UDF_V8_OK)
	{
		ContextsAfterCall();
		return st;
	}
	/* a nested call's caller records the failure when it ends too */
	if (spec->report != CALL_RETURN)
		ContextsAfterFailure(st, spec->name);
	if (spec->report == CALL_RAISE)
		ReportV8Error(err, spec->error_context);
	if (spec->report == CALL_RAISE_JS_BARE)
		ReportV8Error(err, st == UDF_V8_JS_ERROR ? NULL : spec->error_context);
	return st;
}

/* Step: import a module in Convex's import phase (time and seed fixed per deploy). */
static UdfV8Status
RunImportStep(void *arg, UdfV8Error *err)
{
	ImportStep *imp = arg;
	volatile UdfV8Status st = UDF_V8_OK;
	UdfV8Error	end_err;
	char	   *ignored;
	const UdfV8Arg phase[] = {UDF_V8_STR(imp->seed ? imp->seed : ""), UDF_V8_NUM(rint(imp->now_ms))};

	/* module top level runs under the query/mutation limit, named "import" */
	LimitsSetCallTimeLimit("query");
	CallStackPush("", "import", imp->ctx);
	PG_TRY();
	{
		st = udf_v8_call_typed(imp->ctx, "beginImport", NULL, phase, lengthof(phase), &ignored, err);
		if (st == UDF_V8_OK)
			st = udf_v8_load_module(imp->ctx, imp->path, err);
		if (udf_v8_isolate_alive())
			(void) udf_v8_call(imp->ctx, "endImport", NULL, NULL, 0, &ignored, &end_err);
	}
	PG_FINALLY();
	{
		CallStackPop();
	}
	PG_END_TRY();
	return st;
}

/* Compile, link and evaluate a module in Convex's import phase, once per context; ERROR on failure. */
void
CallLoadModule(UdfV8Context *ctx, const char *path, const char *seed, double now_ms)
{
	ImportStep	imp = {ctx, path, seed, now_ms};
	CallSpec	spec = {RunImportStep, &imp, path, false, CALL_RAISE, NULL};
	UdfV8Error	err;

	if (udf_v8_module_ready(ctx, path))
		return;
	(void) CallRun(&spec, &err);
}

/*
 * Step: run a function in this deployment's context for the current role
 * and nesting level: pin the context, import the module, push a call frame,
 * call the runtime's invoke entry point, and undo all of it on the way out,
 * errors included.
 */
static UdfV8Status
RunFunctionStep(void *arg, UdfV8Error *err)
{
	FunctionStep *fs = arg;
	const FunctionName *fn = &fs->fn->fn;
	const InvokeCall *call = fs->call;
	volatile UdfV8Status st = UDF_V8_OK;
	UdfV8Context *ctx = ContextsFor(fs->dep);
	const UdfV8Arg invoke_args[] = {
		UDF_V8_NAME(fn->export_name),
		call->args_values ? UDF_V8_VALUES(call->args_values, call->args_values_len)
		: UDF_V8_STR(call->args_json),
		UDF_V8_NAME(fn->module),
		UDF_V8_STR(call->seed),
		UDF_V8_NUM(call->now_ms),
		UDF_V8_NUM(call->flags | (call->args_values ? UDF_INVOKE_ARGS_BUILT : 0)),
		UDF_V8_STR(call->expect_kind),
		UDF_V8_STR(NULL),		/* requestId: none */
		UDF_V8_NUM(call->result_budget),
	};

	PG_TRY();
	{
		CallLoadModule(ctx, fn->module, fs->dep->import_seed, fs->dep->deployed_at_ms);
		if (fs->set_time_limit)
			LimitsSetCallTimeLimit(fs->fn->kind);
		CallStackPush(fn->display, fs->fn->kind, ctx);
		PG_TRY();
		{
			st = udf_v8_call_typed(ctx, "invoke", fn->module, invoke_args, lengthof(invoke_args),
								   fs->result_json, err);
		}
		PG_FINALLY();
		{
			CallStackPop();
			/* the fetches the function left in flight end with it */
			FetchDropAbove(CallStackDepth());
		}
		PG_END_TRY();
	}
	PG_FINALLY();
	{
		ContextsUnpin(ctx);
	}
	PG_END_TRY();
	return st;
}

/*
 * Step: a deployed function's call as an optimistic attempt when it may be
 * one (optimistic.c), run again carefully if the attempt gives up: its
 * contexts dropped (the attempt was stopped mid-way), its limits and
 * syscall counts started afresh, its time limit kept from the first start.
 */
static UdfV8Status
RunFunctionAttempt(void *arg, UdfV8Error *err)
{
	FunctionStep *fs = arg;
	MemoryContext cxt = CurrentMemoryContext;
	volatile UdfV8Status st = UDF_V8_OK;

	if (!OptimisticWanted(fs->dep->id, fs->fn->fn.display, fs->fn->kind, fs->top_level))
		return RunFunctionStep(arg, err);
	OptimisticBegin();
	PG_TRY();
	{
		st = RunFunctionStep(arg, err);
	}
	PG_CATCH();
	{
		OptimisticAbort(cxt);
	}
	PG_END_TRY();
	if (!OptimisticEnd(fs->dep->id, fs->fn->fn.display))
		return st;
	ContextsNoteParked();
	LimitsResetTransaction();
	CallStatsForgetSyscalls();
	memset(err, 0, sizeof(*err));
	fs->set_time_limit = false;
	return RunFunctionStep(arg, err);
}

/*
 * Call a deployed function. From SQL and triggers a failure raises; a nested
 * call hands it back for JS to throw. From SQL the call always sets its time
 * limit (it only takes effect at top level); a trigger at top level does; a
 * nested call runs under its caller's.
 */
UdfV8Status
CallFunction(const UdfDeployment *dep, const ResolvedFunction *fn, CallOrigin origin,
			 const InvokeCall *call, char **result_json, UdfV8Error *err)
{
	/* scheduled jobs stay careful: their retries count runs, and a re-run attempt would be one more */
	bool		top_level = (origin == CALL_FROM_SQL || origin == CALL_FROM_TRIGGER) && CallStackDepth() == 0;
	FunctionStep fs = {dep, fn,
		origin == CALL_FROM_SQL || origin == CALL_FROM_SCHEDULER ||
		(origin == CALL_FROM_TRIGGER && CallStackDepth() == 0),
	call, result_json, top_level};
	CallStats	cs;
	CallSpec	spec = {RunFunctionAttempt, &fs, fn->fn.display, origin != CALL_NESTED,
		origin == CALL_FROM_SQL ? CALL_RAISE_JS_BARE : origin == CALL_FROM_TRIGGER ? CALL_RAISE :
		origin == CALL_FROM_SCHEDULER ? CALL_RETURN_RECORDED : CALL_RETURN,
	fn->fn.display, &cs};
	volatile UdfV8Status st = UDF_V8_OK;

	/* a call nested in an optimistic attempt makes it give up (ERROR: its op ends the attempt) */
	OptimisticNestedCall();
	CallStatsBegin(&cs, fn,
				   origin == CALL_FROM_SQL ? STATS_SOURCE_SQL : origin == CALL_FROM_TRIGGER ? STATS_SOURCE_TRIGGER :
				   origin == CALL_FROM_SCHEDULER ? STATS_SOURCE_SCHEDULER : STATS_SOURCE_NESTED,
				   spec.new_transaction_limits && CallStackDepth() == 0);
	PG_TRY();
	{
		st = CallRun(&spec, err);
	}
	PG_CATCH();
	{
		CallStatsAbort(&cs);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return st;
}

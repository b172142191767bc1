/*
 * nested.c -- the typed op runUdf: ctx.runQuery and ctx.runMutation inside a
 * query or mutation, and ctx.runQuery, runMutation and runAction inside an
 * action (the package's 1.0/runUdf and 1.0/actions/{query,mutation,action}).
 *
 * The nested function runs in the caller's transaction, context and role,
 * re-entering V8 from inside the caller's syscall. Each nested call runs in
 * an internal subtransaction (subxact.c), so a nested mutation that throws
 * rolls back only its own writes while the caller may catch the error and go
 * on; a PostgreSQL error inside it becomes a catchable JS error the same way.
 * Nesting is bounded by udf.max_call_depth (Convex allows 8, callstack.c);
 * the call itself takes the one call path (call.c).
 *
 * Kinds: runQuery runs queries, runMutation runs mutations, runAction
 * actions (internal ones too); a query may not run a mutation, and only an
 * action runs an action.
 *
 * Actions: in Convex an action is not transactional and each of its
 * runMutation calls commits on its own. An action called from SQL runs in
 * the calling statement's transaction, so here each runMutation (and
 * runQuery, runAction) is atomic on its own, a subtransaction that a
 * failure rolls back alone, and all of them commit or roll back with the
 * caller's transaction. (The scheduler runs actions outside any caller's
 * transaction.)
 *
 * The request arrives as a typed op (the runtime took the package's request
 * apart), so the callee's arguments cross as the one JSON text the caller
 * made.
 *
 * runQuery with useStaleSnapshot (udfType snapshotQuery, in mutations)
 * reads the database as the outermost running mutation found it: a copy of
 * the transaction snapshot whose command id is the one the mutation began
 * at, so none of the transaction's writes from then on are visible, and its
 * statements run on that snapshot as it is (SPI's read-only mode). Under
 * REPEATABLE READ that is exactly the mutation's starting state; under READ
 * COMMITTED other sessions' commits since are visible, as they are to the
 * mutation's own reads.
 */
#include "udf.h"

#include "utils/snapmgr.h"

typedef struct NestedCall
{
	const ResolvedFunction *resolved;
	const char *expect_kind;
	char	   *args_json;		/* the callee's argument object, as the caller made it */
	const char *seed;			/* from the caller's PRNG */
	double		now_ms;			/* the caller's clock */
	bool		stale;			/* runQuery with useStaleSnapshot */
	CommandId	stale_cid;		/* it sees what was written before this command */
} NestedCall;

/* Set a syscall error that JS will throw. */
static void
NestedError(UdfV8HostResult *out, const char *code, const char *message)
{
	out->error_code = (char *) code;
	out->error_message = pstrdup(message);
}

/* Subtransaction work: run the nested function; true means roll back. */
static bool
RunNested(void *arg, UdfV8HostResult *out)
{
	NestedCall *call = (NestedCall *) arg;
	const UdfDeployment *dep = StoreCurrentDeployment();
	UdfV8Error	err;
	UdfV8Status st;
	char	   *result_json = NULL;
	InvokeCall	invoke_call = {0};

	if (!call->resolved->has_module)
	{
		NestedError(out, "42883", psprintf("Could not find function for '%s'.", call->resolved->fn.display));
		return true;
	}
	invoke_call.args_json = call->args_json;
	invoke_call.seed = call->seed;
	invoke_call.now_ms = call->now_ms;
	invoke_call.flags = UDF_INVOKE_ALLOW_INTERNAL | UDF_INVOKE_NESTED;
	invoke_call.expect_kind = call->expect_kind;

	/* this nesting level's own context, pinned while it runs */
	if (!call->stale)
		st = CallFunction(dep, call->resolved, CALL_NESTED, &invoke_call, &result_json, &err);
	else
	{
		/*
		 * The database as the mutation found it: a snapshot that sees no
		 * command from the mutation's beginning on, read by every statement
		 * of the query as it is.
		 */
		PushCopiedSnapshot(GetTransactionSnapshot());
		GetActiveSnapshot()->curcid = call->stale_cid;
		DbBeginSnapshotReads();
		PG_TRY();
		{
			st = CallFunction(dep, call->resolved, CALL_NESTED, &invoke_call, &result_json, &err);
		}
		PG_FINALLY();
		{
			DbEndSnapshotReads();
			PopActiveSnapshot();
		}
		PG_END_TRY();
	}

	if (st == UDF_V8_OK)
	{
		out->result = result_json;
		return false;
	}
	/* a JS error (or a stop, which keeps unwinding): the callee's writes go */
	out->error_message = err.message ? err.message : "nested function failed";
	out->error_code = err.code;
	out->error_detail = err.detail;
	out->error_hint = err.hint;
	return true;
}

/*
 * Typed op runUdf(udfType, name, hasFunctionHandle, argsJson, seed, nowMs):
 * the package's 1.0/runUdf request as the runtime took it apart; argsJson is
 * the callee's argument object, handed to it as it came.
 */
void
NestedRunUdf(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *udf_type = OpArgString(args, 0);
	const char *name = OpArgString(args, 1);
	bool		has_handle = OpArgNumber(args, 2) != 0;
	const char *caller_kind = CallStackKind();
	NestedCall	call;

	if (!name)
	{
		NestedError(out, "0A000", has_handle
					? "udf does not support function handles yet"
					: "udf does not support component function references yet");
		return;
	}
	if (udf_type && strcmp(udf_type, "action") == 0 && (!caller_kind || strcmp(caller_kind, "action") != 0))
	{
		NestedError(out, "25006", psprintf("Only an action can run an action, and %s is a %s.",
										   CallStackFunction() ? CallStackFunction() : "this function",
										   caller_kind ? caller_kind : "module's import"));
		return;
	}
	call.stale = udf_type && strcmp(udf_type, "snapshotQuery") == 0;
	if (call.stale && (!caller_kind || strcmp(caller_kind, "mutation") != 0 ||
					   !CallStackMutationBegin(&call.stale_cid)))
	{
		NestedError(out, "25006", "`useStaleSnapshot` is only supported in mutations, not queries.");
		return;
	}
	if (!udf_type || (strcmp(udf_type, "query") != 0 && strcmp(udf_type, "mutation") != 0 &&
					  strcmp(udf_type, "action") != 0 && !call.stale))
	{
		NestedError(out, "0A000", "Invalid udfType for runUdf");
		return;
	}
	if (caller_kind && strcmp(caller_kind, "query") == 0 && strcmp(udf_type, "mutation") == 0)
	{
		NestedError(out, "25006", "A query cannot run a mutation.");
		return;
	}
	if (CallStackTooDeep())
	{
		NestedError(out, "54001",
					psprintf("Too many nested function calls: calling %s would nest %d deep (limit: %d, udf.max_call_depth).",
							 name, CallStackDepth(), CallStackMaxDepth()));
		out->error_hint = "Raise udf.max_call_depth (superuser only), or call a helper function directly.";
		return;
	}
	call.resolved = NameResolve(StoreCurrentDeployment(), name);
	call.expect_kind = call.stale ? "query" : udf_type;
	call.args_json = (char *) OpArgString(args, 3);
	call.seed = OpArgString(args, 4);
	call.now_ms = OpArgNumber(args, 5);
	if (!call.seed || !call.args_json)
	{
		NestedError(out, "XX000", "udf internal error: runUdf needs the callee's arguments and the caller's seed");
		return;
	}
	RunInSubtransaction(RunNested, &call, out);
}

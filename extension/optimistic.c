/*
 * optimistic.c -- a top-level query or mutation run in one subtransaction,
 * its ctx.db ops without one each, re-run carefully if an op fails.
 *
 * The careful way (subxact.c's RunInSubtransaction) gives every ctx.db op
 * an internal subtransaction, so a PostgreSQL error becomes a JS exception
 * with the transaction still usable. That costs a subtransaction, and for a
 * write its own subxid, per op: a mutation of 10,000 inserts took 10,000
 * subxids, overflowing the 64 a backend caches (PGPROC_MAX_CACHED_SUBXIDS),
 * which makes every other session's snapshots look in pg_subtrans.
 *
 * The optimistic way: a top-level call (from SQL or a trigger at top level;
 * a scheduled job stays careful, as its retry policy counts runs and an
 * attempt re-run would be a run of its own, seen by what its SQL draws from
 * sequences) of a query or mutation opens one subtransaction, lazily, at
 * its first host op that touches the database, and its own ctx.db ops run
 * in it with no subtransaction each (subxact.c's RunOptimistically). If one
 * fails with an error JS could catch, the call's subtransaction is rolled
 * back at once, V8 is terminated (no JS runs after the failure), the
 * call's contexts are dropped, and the call is run again from the start
 * the careful way, with the same arguments, seed and clock. That is exact
 * because everything the first attempt did went with the rollback or was
 * held back:
 *   - its writes, row locks, scheduled jobs and storage rows: in the rolled
 *     back subtransaction;
 *   - its messages (console lines, NOTICEs of SQL triggers, warnings):
 *     held by an emit_log_hook and sent only when the attempt stands, in
 *     order (so they reach the client when the call ends, not as they
 *     happen); a re-run's own are sent as they happen. PostgreSQL calls the
 *     hook only for messages bound for the server log, so while an attempt
 *     runs log_min_messages is lowered to what the client gets (at most
 *     INFO, which always reaches it), and the hook holds them all: sent
 *     again, each goes where the restored settings send it;
 *   - udf.max_documents_read and the other per-call limits: counted afresh
 *     for the re-run, as for any top-level call; the call's statistics
 *     count one call, and the re-run's syscalls only;
 *   - module state: the contexts go, as after any stopped call.
 * What cannot be held back makes the attempt give up before it happens:
 * a nested call (ctx.runQuery/runMutation, a udf trigger or udf_invoke run
 * by an op's SQL) while an attempt runs abandons it (its statistics and
 * limits are its own), and a trace or explain (which collect steps outside
 * the transaction) runs the careful way from the start. A function whose
 * attempt failed or gave up runs the careful way from then on in this
 * backend (a small table of hints, cleared by a new deployment's id).
 * Sequence values an attempt drew stay drawn, as they do for any rolled
 * back work.
 *
 * udf.optimistic_calls (default on) turns it off.
 */
#include "udf.h"

#include "access/xact.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#define HINT_SLOTS 64

/* The running attempt, if any (only one: attempts are top-level calls). */
typedef struct Attempt
{
	bool		active;			/* an attempt runs */
	bool		begun;			/* its subtransaction is open (or was, until rolled back) */
	bool		rolled_back;	/* its subtransaction was rolled back by a failed op */
	bool		rerun;			/* it must be run again carefully */
	int			depth;			/* CallStackDepth() of its own function's frames */
	int			outer_level;	/* transaction nest level outside its subtransaction */
	ResourceOwner outer_owner;
	MemoryContext msg_cxt;		/* the held messages (ErrorData copies) */
	List	   *messages;
	int			saved_log_min_messages;
} Attempt;

static Attempt attempt;
static bool udf_optimistic_calls = true;
static emit_log_hook_type prev_emit_log_hook = NULL;
static bool hook_installed = false;

/* functions that run carefully: hashes of deployment and name (0: free) */
static uint32 careful_hints[HINT_SLOTS];
static int	careful_hints_set = 0;	/* 0: no function is hinted, nothing to hash */
static int64 hints_deployment = -1;

/* for udf_info(): attempts begun, and those re-run carefully */
static uint64 attempts_begun = 0;
static uint64 attempts_rerun = 0;

static void HoldMessage(ErrorData *edata);
static uint32 HintKey(int64 deployment, const char *function);
static void SendHeld(void);
static void CloseSubtransaction(bool commit);

/* Register udf.optimistic_calls. */
void
OptimisticInit(void)
{
	DefineCustomBoolVariable("udf.optimistic_calls",
							 "Runs a top-level query or mutation in one subtransaction, its ctx.db ops without one each, "
							 "re-running it carefully if an op fails.",
							 "Off: every ctx.db op gets its own subtransaction.",
							 &udf_optimistic_calls, true, PGC_USERSET, 0, NULL, NULL, NULL);
}

/* emit_log_hook: while an attempt runs, hold its messages instead of sending them. */
static void
HoldMessage(ErrorData *edata)
{
	if (attempt.active && edata->elevel < ERROR && (edata->output_to_client || edata->output_to_server))
	{
		MemoryContext old;

		/* made at the first message: most calls have none */
		if (attempt.msg_cxt == NULL)
			attempt.msg_cxt = AllocSetContextCreate(TopTransactionContext, "udf held messages",
													ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(attempt.msg_cxt);

		attempt.messages = lappend(attempt.messages, CopyErrorData());
		MemoryContextSwitchTo(old);
		edata->output_to_client = false;
		edata->output_to_server = false;
		return;
	}
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* The hint slot key of a function of a deployment (never 0). */
static uint32
HintKey(int64 deployment, const char *function)
{
	uint32		h = 2166136261u ^ (uint32) deployment ^ (uint32) (deployment >> 32);

	for (const unsigned char *c = (const unsigned char *) function; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h ? h : 1;
}

/*
 * Should this call be an attempt? A top-level query or mutation (origin
 * not nested, no call running) while udf.optimistic_calls is on, no trace
 * or explain collects steps, and the function has not failed an attempt.
 */
bool
OptimisticWanted(int64 deployment, const char *function, const char *kind, bool top_level)
{
	uint32		key;

	if (!udf_optimistic_calls || !top_level || attempt.active || CallStackDepth() != 0 || TraceActive())
		return false;
	if (kind == NULL || function == NULL || (strcmp(kind, "query") != 0 && strcmp(kind, "mutation") != 0))
		return false;
	if (hints_deployment != deployment)
	{
		memset(careful_hints, 0, sizeof(careful_hints));
		careful_hints_set = 0;
		hints_deployment = deployment;
	}
	if (careful_hints_set == 0)
		return true;
	key = HintKey(deployment, function);
	return careful_hints[key % HINT_SLOTS] != key;
}

/* An attempt starts (its subtransaction comes with its first database op). */
void
OptimisticBegin(void)
{
	if (!hook_installed)
	{
		prev_emit_log_hook = emit_log_hook;
		emit_log_hook = HoldMessage;
		hook_installed = true;
	}
	memset(&attempt, 0, sizeof(attempt));
	attempt.depth = CallStackDepth() + 1;
	/* the hook sees only messages bound for the server log: bind every one the client would get */
	attempt.saved_log_min_messages = log_min_messages;
	log_min_messages = Min(log_min_messages, Min(client_min_messages, INFO));
	attempt.active = true;
	attempts_begun++;
}

/*
 * May a host op at this point run without a subtransaction of its own? Only
 * the attempt's own function's ops, at its transaction level, before
 * anything failed.
 */
bool
OptimisticFastPath(void)
{
	if (!attempt.active || attempt.rerun || attempt.rolled_back || CallStackDepth() != attempt.depth)
		return false;
	return attempt.begun ? GetCurrentTransactionNestLevel() == attempt.outer_level + 1 : true;
}

/* Open the attempt's subtransaction before its first database op, keeping the caller's memory context. */
void
OptimisticEnsureBegun(void)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (!attempt.active || attempt.begun || CallStackDepth() != attempt.depth)
		return;
	attempt.outer_level = GetCurrentTransactionNestLevel();
	attempt.outer_owner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	attempt.begun = true;
}

/*
 * A fast-path op failed (from its PG_CATCH, the error state flushed or
 * parked): roll the attempt's subtransaction back now, so the transaction
 * is usable again, and stop the JS. Unless the error ends the call anyway
 * (parked), the call is run again carefully.
 */
void
OptimisticOpFailed(bool error_ends_call)
{
	MemoryContext cxt = CurrentMemoryContext;

	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = attempt.outer_owner;
	attempt.rolled_back = true;
	if (!error_ends_call)
	{
		attempt.rerun = true;
		udf_v8_terminate();
	}
}

/*
 * A nested call is about to start: if an attempt runs, it gives up (the
 * nested call's statistics and limits would count twice) with an ERROR that
 * the op running it turns into the attempt's end (the JS never sees it).
 */
void
OptimisticNestedCall(void)
{
	if (!attempt.active || attempt.rerun)
		return;
	attempt.rerun = true;
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg_internal("udf: an optimistic call gives way to a nested call")));
}

/* Has the running attempt given up (a careful op caught its end: terminate, don't hand it to JS)? */
bool
OptimisticRerunPending(void)
{
	return attempt.active && attempt.rerun;
}

/* Close the attempt's subtransaction if it is still open: release (commit) or roll back. */
static void
CloseSubtransaction(bool commit)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (!attempt.begun || attempt.rolled_back)
		return;
	if (commit)
		ReleaseCurrentSubTransaction();
	else
	{
		/* anything still open above it goes too */
		while (GetCurrentTransactionNestLevel() > attempt.outer_level)
			RollbackAndReleaseCurrentSubTransaction();
	}
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = attempt.outer_owner;
	attempt.rolled_back = !commit;
	attempt.begun = false;
}

/* Send the held messages, in order, with the context they were raised in (no second context). */
static void
SendHeld(void)
{
	List	   *messages = attempt.messages;
	MemoryContext cxt = attempt.msg_cxt;
	ErrorContextCallback *save = error_context_stack;
	ListCell   *lc;

	if (cxt == NULL)
		return;
	attempt.messages = NIL;
	attempt.msg_cxt = NULL;
	error_context_stack = NULL;
	PG_TRY();
	{
		foreach(lc, messages)
			ThrowErrorData((ErrorData *) lfirst(lc));
	}
	PG_FINALLY();
	{
		error_context_stack = save;
		if (cxt)
			MemoryContextDelete(cxt);
	}
	PG_END_TRY();
}

/*
 * The attempt's function returned (status st, whatever it was): true if it
 * must be run again carefully (its subtransaction rolled back, its messages
 * dropped, the function hinted careful); false if it stands (its
 * subtransaction released into the caller's, its messages sent).
 */
bool
OptimisticEnd(int64 deployment, const char *function)
{
	bool		rerun = attempt.rerun;

	attempt.active = false;
	log_min_messages = attempt.saved_log_min_messages;
	if (rerun)
	{
		uint32		key = HintKey(deployment, function);

		CloseSubtransaction(false);
		if (attempt.msg_cxt)
			MemoryContextDelete(attempt.msg_cxt);
		attempt.msg_cxt = NULL;
		attempt.messages = NIL;
		careful_hints[key % HINT_SLOTS] = key;
		careful_hints_set++;
		attempts_rerun++;
		return true;
	}
	CloseSubtransaction(true);
	SendHeld();
	return false;
}

/*
 * From PG_CATCH: an error unwound the attempt. Its subtransaction is rolled
 * back (the error is copied and the state flushed first, as plpgsql's
 * exception blocks do), its messages sent, and the error raised again.
 */
void
OptimisticAbort(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	attempt.active = false;
	log_min_messages = attempt.saved_log_min_messages;
	CloseSubtransaction(false);
	SendHeld();
	ReThrowError(edata);
}

/* udf_info()'s "optimistic" member: attempts begun and re-run carefully. */
void
OptimisticAppendInfo(StringInfo buf)
{
	appendStringInfo(buf, "{\"attempts\": " UINT64_FORMAT ", \"reruns\": " UINT64_FORMAT "}",
					 attempts_begun, attempts_rerun);
}

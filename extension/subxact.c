/*
 * subxact.c -- the one trampoline for host work that JavaScript may catch.
 *
 * A syscall whose failure should become a catchable JS exception (a nested
 * function call, every ctx.db operation) runs inside an internal
 * subtransaction under PG_TRY. On a PostgreSQL error the error is copied, the
 * error state flushed, the subtransaction rolled back, and memory context and
 * resource owner restored, in that order (PL/Python's plpy_spi.c does the
 * same); the error then travels to JS as a value with its SQLSTATE, detail and
 * hint, and the transaction stays usable. Except a cancel or statement
 * timeout (or any error while the call is already being stopped): that one
 * is parked and the call terminated, so JS can never catch it and carry on
 * (ErrorEndsCall). The work may also ask for its own
 * subtransaction to be rolled back without an error (a nested mutation that
 * threw in JS).
 *
 * The other way, RunOptimistically, is for the ctx.db ops of a call that
 * runs as an optimistic attempt (optimistic.c): no subtransaction of its
 * own, the attempt's one around it all; on an error the attempt's
 * subtransaction is rolled back at once and the call re-run carefully, so
 * the error never reaches JS. A careful op inside an attempt first opens
 * the attempt's subtransaction, so its work goes with a rollback too.
 */
#include "udf.h"

#include "access/xact.h"
#include "utils/elog.h"
#include "utils/resowner.h"

/*
 * From a PG_CATCH: the error copied into cxt and the error state cleared --
 * flushed, or parked if it must end the call (a cancel or timeout is never
 * JS's to catch); *ends_call (if given) says which.
 */
static ErrorData *
TakeError(MemoryContext cxt, bool *ends_call)
{
	ErrorData  *edata;
	bool		ends;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	ends = ErrorEndsCall(edata->sqlerrcode);
	if (ends)
		ParkError(cxt);
	else
		FlushErrorState();
	if (ends_call)
		*ends_call = ends;
	return edata;
}

/* A caught error as a host result, for JS to throw. */
static void
ErrorToResult(const ErrorData *edata, UdfV8HostResult *out)
{
	out->result = NULL;
	out->error_message = edata->message ? edata->message : "unknown error";
	out->error_code = pstrdup(unpack_sql_state(edata->sqlerrcode));
	out->error_detail = edata->detail;
	out->error_hint = edata->hint;
}

/* Run work(arg) in an internal subtransaction; errors land in out. */
void
RunInSubtransaction(SubxactWork work, void *arg, UdfV8HostResult *out)
{
	MemoryContext oldcontext;
	ResourceOwner oldowner;

	OptimisticEnsureBegun();
	oldcontext = CurrentMemoryContext;
	oldowner = CurrentResourceOwner;
	BeginInternalSubTransaction(NULL);
	/* results must outlive the subtransaction: allocate in the caller's context */
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		bool		rollback = work(arg, out);

		if (rollback)
			RollbackAndReleaseCurrentSubTransaction();
		else
			ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		edata = TakeError(oldcontext, NULL);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		/* an optimistic attempt that gave way to a nested call ends here: JS goes on no further */
		if (OptimisticRerunPending())
			udf_v8_terminate();
		ErrorToResult(edata, out);
	}
	PG_END_TRY();
}

/*
 * Run work(arg) with no subtransaction of its own, inside the optimistic
 * attempt's (OptimisticFastPath said so); an error rolls the attempt back
 * and stops the call (to be re-run carefully, or, for an error that ends
 * the call, parked), so out's error never reaches JS.
 */
void
RunOptimistically(SubxactWork work, void *arg, UdfV8HostResult *out)
{
	MemoryContext oldcontext;

	OptimisticEnsureBegun();
	oldcontext = CurrentMemoryContext;
	PG_TRY();
	{
		(void) work(arg, out);
	}
	PG_CATCH();
	{
		bool		ends_call;
		ErrorData  *edata = TakeError(oldcontext, &ends_call);

		OptimisticOpFailed(ends_call);
		MemoryContextSwitchTo(oldcontext);
		ErrorToResult(edata, out);
	}
	PG_END_TRY();
}

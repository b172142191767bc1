/*
 * parked.c -- errors that must end a call, carried past V8's frames.
 *
 * A PostgreSQL error raised inside a host callback (a syscall, console)
 * while V8 frames are on the stack may not longjmp through them. If JS may
 * catch it, subxact.c hands it to JS as a value; if it must end the call (a
 * cancel, a statement timeout, anything while the call is already being
 * stopped, or an error of a callback that has no subtransaction), it is
 * parked: copied out of the error state into TopTransactionContext, the
 * error state flushed, V8 told to terminate. When the shim has returned,
 * the call path re-raises it as it was (RaiseParkedError), after the
 * contexts the stopped call used are dropped. The first parked error wins.
 */
#include "udf.h"

#include "utils/memutils.h"

/*
 * The parked error: a PostgreSQL error raised inside a host callback that
 * must end the call. It is copied out of the error state (so no longjmp
 * crosses V8), V8 is terminated, and the caller re-raises it.
 */
static ErrorData *parked_error = NULL;

/* Call from PG_CATCH in a host callback, with the callback's memory context current. */
void
ParkError(MemoryContext callback_context)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (parked_error == NULL)
		parked_error = CopyErrorData();
	MemoryContextSwitchTo(callback_context);
	FlushErrorState();
	MemoryContextSwitchTo(old);
	udf_v8_terminate();
}

/*
 * Re-raise a parked error, if any; call after the shim returned. The call it
 * ended was stopped mid-way, so its contexts go first, as for a termination.
 */
void
RaiseParkedError(void)
{
	ErrorData  *e = parked_error;

	if (e == NULL)
		return;
	parked_error = NULL;
	ContextsNoteParked();
	ReThrowError(e);
}

/*
 * Must an error caught in a host callback end the call rather than reach JS
 * as a catchable exception? A cancel or statement timeout (also a nested
 * call's timeout) must, and so must anything caught while the call is
 * already being stopped (a nested call that ran out of memory).
 */
bool
ErrorEndsCall(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_QUERY_CANCELED || udf_v8_stopping();
}

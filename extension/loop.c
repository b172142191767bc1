/*
 * loop.c -- the host side of an action's event loop: waiting.
 *
 * When an action's promise is pending and JavaScript has nothing to run,
 * the runtime's loop (udf-runtime/src/loop.js) asks the host to wait
 * (UdfV8Host.wait, through __udfNative.wait) until its next timer is due or
 * some of its host work -- a fetch in flight (fetch.c) -- completes. This
 * file is that wait. It sleeps in slices of at most LOOP_SLICE_MS: on curl
 * (curl_multi_poll, which also moves the transfers along) while fetches are
 * in flight, otherwise on the backend's latch, which PostgreSQL's signal
 * handlers set on cancel, timeout and shutdown. Between slices it looks at
 * what stops a call: a stop the shim already asked for (the watchdog keeps
 * running while JS waits, so the call's time limit and statement_timeout
 * count), or a cancel or die interrupt PostgreSQL has pending, which it
 * turns into a stop itself (as the watchdog would, 2 ms later). So a waiting
 * action stops within a slice of the cancel.
 *
 * The wait answers the completions of the current call level only (a
 * nested ctx.runAction waits in its own context, while its caller's
 * fetches stay in flight), as host values; null when nothing completed (the
 * timeout passed, a stop is under way, or -- without a timeout -- nothing is
 * in flight that could ever complete).
 *
 * The time it sleeps with fetches of the call in flight is the call's
 * fetch_time in udf_stats (CallStatsAddFetchWait).
 *
 * Nothing here raises into the shim: an error is parked (parked.c) and ends
 * the call.
 */
#include "udf.h"

#include "fetch.h"
#include "loop.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/latch.h"
#include "utils/wait_event.h"
#include "writer.h"

/* The longest the wait sleeps before it looks at interrupts again, in ms. */
#define LOOP_SLICE_MS 10

static double ElapsedMs(instr_time start);

/* Milliseconds since start. */
static double
ElapsedMs(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return INSTR_TIME_GET_MILLISEC(now);
}

/* Host callback: wait for host work of this call level (see the file header); never raises. */
void
LoopWait(double timeout_ms, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		int			level = CallStackDepth();
		instr_time	start;
		double		fetch_wait_ms = 0;

		INSTR_TIME_SET_CURRENT(start);
		for (;;)
		{
			double		left = timeout_ms < 0 ? LOOP_SLICE_MS : timeout_ms - ElapsedMs(start);
			long		slice = (long) Min(left, LOOP_SLICE_MS);

			/* a stop is under way: return, and the termination unwinds the JS */
			if (udf_v8_stopping())
				break;
			if (LimitsInterruptPending())
			{
				udf_v8_terminate();
				break;
			}
			if (FetchCompleted(level))
			{
				ValueWriter w;

				WriterInit(&w, true);
				FetchTakeCompleted(level, &w);
				out->result = w.buf.data;
				out->result_len = w.buf.len;
				out->result_is_values = true;
				break;
			}
			if (timeout_ms < 0 && !FetchInFlight(level))
				break;			/* nothing could ever complete: answer null */
			if (timeout_ms >= 0 && left <= 0)
				break;			/* the timer is due; nothing completed: null */
			if (FetchInFlight(-1))
			{
				bool		mine = FetchInFlight(level);
				instr_time	polled;

				INSTR_TIME_SET_CURRENT(polled);
				FetchPoll(Max(slice, 1));
				if (mine)
					fetch_wait_ms += ElapsedMs(polled);
			}
			else
			{
				(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
								 Max(slice, 1), PG_WAIT_EXTENSION);
				ResetLatch(MyLatch);
			}
		}
		CallStatsAddFetchWait(fetch_wait_ms);
	}
	PG_CATCH();
	{
		ParkError(cxt);
		out->error_message = "udf: waiting for host work failed";
	}
	PG_END_TRY();
}

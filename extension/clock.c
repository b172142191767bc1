/*
 * clock.c -- the time functions see: Date.now() and new documents'
 * _creationTime.
 *
 * Queries and mutations are deterministic, so a call's clock is read once
 * when it starts and frozen for the call (the runtime gets it as a number).
 * udf.test_now fixes that clock for tests. _creationTime starts at the
 * transaction's start and increases strictly within the backend, so
 * documents inserted by one call keep their insertion order; under
 * udf.test_now the sequence restarts, so test output repeats run to run.
 * Nothing here allocates or raises.
 */
#include "udf.h"

#include <math.h>

#include "access/xact.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

static double udf_test_now_ms = 0;

/* Register udf.test_now. */
void
ClockInit(void)
{
	DefineCustomRealVariable("udf.test_now",
							 "Testing aid: the time (ms since 1970) every call sees as Date.now().",
							 "0 (the default) means the real time. With it set, Date.now() in queries and "
							 "mutations and new documents' _creationTime are fixed, so expected test "
							 "output is stable. Not for production.",
							 &udf_test_now_ms,
							 0, 0, 1e15,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

/* A PostgreSQL timestamp as milliseconds since the Unix epoch (JavaScript time). */
double
ClockTimestampMs(TimestampTz ts)
{
	return (double) ts / 1000.0 +
		(double) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000.0;
}

/* Milliseconds since the Unix epoch, now (or udf.test_now). */
double
ClockNowMs(void)
{
	if (udf_test_now_ms > 0)
		return udf_test_now_ms;
	return ClockTimestampMs(GetCurrentTimestamp());
}

/* Strictly increasing _creationTime within this backend, starting at the transaction's start. */
double
ClockNextCreationTime(void)
{
	static double last = 0;
	double		now = udf_test_now_ms > 0 ? udf_test_now_ms :
		ClockTimestampMs(GetCurrentTransactionStartTimestamp());

	/* a fixed test clock restarts the sequence, so ids and times repeat run to run */
	if (udf_test_now_ms > 0 && last > now + 1e6)
		last = 0;
	if (now <= last)
		now = nextafter(last, INFINITY);
	last = now;
	return now;
}

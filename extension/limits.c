/*
 * limits.c -- how long and how large a call may be, and what happened when
 * one was stopped.
 *
 * Time: every top-level entry into V8 is given min(udf.max_execution_time
 * for its kind) as a deadline of JavaScript time; the shim's watchdog thread
 * enforces it and also stops JavaScript as soon as PostgreSQL has a cancel or
 * die interrupt pending (pg_cancel_backend, statement_timeout,
 * pg_terminate_backend, shutdown). LimitsInterruptPending is what the
 * watchdog asks: it runs on that thread and only reads PostgreSQL's flags.
 *
 * Size: arguments and results above udf.max_args_size / udf.max_result_size
 * are refused before JavaScript sees them or SQL gets them back.
 *
 * udf_info() reports this backend's isolate and the counts kept here.
 */
#include "udf.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(udf_info);

extern Datum jsonb_in(PG_FUNCTION_ARGS);

static int	udf_max_execution_time_ms = 10000;
static int	udf_max_action_execution_time_ms = 15 * 60 * 1000;
static int	udf_max_args_size_kb = 16 * 1024;
static int	udf_max_result_size_kb = 16 * 1024;

static uint64 terminations_cancel = 0;
static uint64 terminations_timeout = 0;
static uint64 terminations_oom = 0;
static uint64 isolates_discarded = 0;

/* Register the limit settings. */
void
LimitsInit(void)
{
	DefineCustomIntVariable("udf.max_execution_time",
							"Maximum JavaScript time of one query or mutation call.",
							"Time spent in database calls is not counted (statement_timeout "
							"covers it). 0 disables the limit. Range 0 to 24 hours.",
							&udf_max_execution_time_ms,
							10000, 0, 24 * 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_action_execution_time",
							"Maximum JavaScript time of one action call.",
							"0 disables the limit. Range 0 to 24 hours.",
							&udf_max_action_execution_time_ms,
							15 * 60 * 1000, 0, 24 * 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_args_size",
							"Maximum size of a call's arguments, as JSON text.",
							"Larger arguments are refused before the function runs. "
							"Range 1 kB to 1 GB.",
							&udf_max_args_size_kb,
							16 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_result_size",
							"Maximum size of a call's result, as JSON text.",
							"Larger results are an error. Range 1 kB to 1 GB.",
							&udf_max_result_size_kb,
							16 * 1024, 1, 1024 * 1024,
							PGC_SUSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

/*
 * Watchdog callback (another thread): should running JS stop? Reads only
 * flags that PostgreSQL's signal handlers set.
 */
bool
LimitsInterruptPending(void)
{
	return InterruptPending && (QueryCancelPending || ProcDiePending);
}

/* The JavaScript time limit for a function of this kind, in ms (0: none). */
double
LimitsTimeLimitMs(const char *kind)
{
	if (kind && strcmp(kind, "action") == 0)
		return udf_max_action_execution_time_ms;
	return udf_max_execution_time_ms;
}

/* ERROR if a call's arguments are larger than udf.max_args_size. */
void
LimitsCheckArgsSize(const char *function, size_t bytes)
{
	if (bytes > (size_t) udf_max_args_size_kb * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Function %s arguments are too large (actual: %zu bytes, limit: %zu bytes)",
						function, bytes, (size_t) udf_max_args_size_kb * 1024),
				 errhint("Raise udf.max_args_size (superuser only).")));
}

/* ERROR if a call's result is larger than udf.max_result_size. */
void
LimitsCheckResultSize(const char *function, size_t bytes)
{
	if (bytes > (size_t) udf_max_result_size_kb * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Function %s return value is too large (actual: %zu bytes, limit: %zu bytes)",
						function, bytes, (size_t) udf_max_result_size_kb * 1024),
				 errhint("Raise udf.max_result_size (superuser only).")));
}

/* Count a stopped call and say why in the server log. */
void
LimitsCountTermination(UdfV8Status status, const char *function)
{
	const char *why;

	switch (status)
	{
		case UDF_V8_TERMINATED:
			terminations_cancel++;
			why = ProcDiePending ? "the backend is terminating" : "the statement was canceled";
			break;
		case UDF_V8_TIMED_OUT:
			terminations_timeout++;
			why = "it exceeded udf.max_execution_time";
			break;
		case UDF_V8_OUT_OF_MEMORY:
			terminations_oom++;
			why = "it reached udf.max_heap_size";
			break;
		default:
			return;
	}
	if (status == UDF_V8_OUT_OF_MEMORY)
		why = psprintf("%s (stopped %.1f ms after the limit was hit)", why, udf_v8_last_oom_unwind_ms());
	ereport(LOG,
			(errmsg("udf: stopped JavaScript%s%s because %s",
					function ? " in " : "", function ? function : "", why),
			 errhidestmt(true)));
}

void
LimitsCountIsolateDiscarded(void)
{
	isolates_discarded++;
}

/* udf_info() returns jsonb: this backend's isolate and limit counters. */
Datum
udf_info(PG_FUNCTION_ARGS)
{
	size_t		used;
	size_t		total;
	size_t		limit;
	StringInfoData buf;

	udf_v8_heap_stats(&used, &total, &limit);
	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "{\"isolate\": %s, \"heap_used_bytes\": %zu, \"heap_total_bytes\": %zu, "
					 "\"heap_limit_bytes\": %zu, \"max_heap_size_mb\": %d, "
					 "\"isolates_created\": " UINT64_FORMAT ", \"isolates_discarded\": " UINT64_FORMAT ", "
					 "\"terminations\": {\"canceled\": " UINT64_FORMAT ", \"timed_out\": " UINT64_FORMAT
					 ", \"out_of_memory\": " UINT64_FORMAT "}}",
					 udf_v8_isolate_alive() ? "true" : "false", used, total, limit,
					 udf_max_heap_size_mb, udf_v8_isolates_created(), isolates_discarded,
					 terminations_cancel, terminations_timeout, terminations_oom);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

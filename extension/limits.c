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
 * The counts of stopped calls kept here are reported by udf_info() (info.c).
 */
#include "udf.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include <limits.h>

static void DefineTransactionLimits(void);

static int	udf_max_heap_size_mb = 512;
static int	udf_max_execution_time_ms = 10000;
/* the limit the running (or last) top-level call got, for its timeout message */
static double call_time_limit_ms = 0;
static int	udf_max_action_execution_time_ms = 15 * 60 * 1000;
static int	udf_max_args_size_kb = 16 * 1024;
static int	udf_max_result_size_kb = 16 * 1024;

/* Convex's per-transaction limits (knobs.rs), per top-level call here */
static int	udf_max_documents_read = 32000;
static int	udf_max_bytes_read_kb = 16 * 1024;
static int	udf_max_documents_written = 16000;
static int	udf_max_bytes_written_kb = 16 * 1024;
static int	udf_max_queries = 4096;

/* what the current top-level call used; reset when it starts */
static uint64 documents_read = 0;
static uint64 bytes_read = 0;
static uint64 documents_written = 0;
static uint64 bytes_written = 0;
static uint64 queries_run = 0;

static uint64 terminations_cancel = 0;
static uint64 terminations_timeout = 0;
static uint64 terminations_oom = 0;
static uint64 isolates_discarded = 0;

/* Register the limit settings. */
void
LimitsInit(void)
{
	DefineCustomIntVariable("udf.max_heap_size",
							"Maximum V8 heap per backend, in megabytes.",
							"Counts the JavaScript heap and ArrayBuffer memory. A call that nears "
							"the limit ends with an ERROR and the isolate is rebuilt. Range 16 to "
							"16384 MB; takes effect when a backend next creates its isolate.",
							&udf_max_heap_size_mb,
							512, 16, 16384,
							PGC_SUSET,
							GUC_UNIT_MB,
							NULL, NULL, NULL);
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
	DefineTransactionLimits();
}

/* Register the read/write limit settings (Convex's defaults). */
static void
DefineTransactionLimits(void)
{
	DefineCustomIntVariable("udf.max_documents_read", "Maximum documents one call may read.",
							"Counts every document returned by db.get and queries, in nested calls too. Convex: 32000.",
							&udf_max_documents_read, 32000, 1, INT_MAX, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_bytes_read", "Maximum bytes of documents one call may read.",
							"Measured as Convex JSON. Convex: 16 MB.",
							&udf_max_bytes_read_kb, 16 * 1024, 1, INT_MAX / 1024, PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_documents_written", "Maximum documents one call may write.",
							"Inserts, patches, replaces and deletes. Convex: 16000.",
							&udf_max_documents_written, 16000, 1, INT_MAX, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_bytes_written", "Maximum bytes of documents one call may write.",
							"Measured as Convex JSON. Convex: 16 MB.",
							&udf_max_bytes_written_kb, 16 * 1024, 1, INT_MAX / 1024, PGC_SUSET, GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.max_queries", "Maximum database queries (gets and index ranges) one call may run.",
							"Convex: 4096.",
							&udf_max_queries, 4096, 1, INT_MAX, PGC_SUSET, 0, NULL, NULL, NULL);
}

/* A top-level call starts: nothing read or written yet. */
void
LimitsResetTransaction(void)
{
	documents_read = bytes_read = documents_written = bytes_written = queries_run = 0;
}

/* What the current top-level call has read and written so far (callstats.c takes differences). */
void
LimitsCurrentUsage(LimitsUsage *out)
{
	out->documents_read = documents_read;
	out->bytes_read = bytes_read;
	out->documents_written = documents_written;
	out->bytes_written = bytes_written;
}

/* Count a query (db.get or a query's index range); ERROR past udf.max_queries. */
void
LimitsCountQuery(void)
{
	if (++queries_run > (uint64) udf_max_queries)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Too many reads in a single function execution (limit: %d). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.",
						udf_max_queries),
				 errhint("udf.max_queries sets the limit (superuser only).")));
}

/* Count one document read of `bytes`; ERROR past the read limits. */
void
LimitsCountRead(size_t bytes)
{
	documents_read++;
	bytes_read += bytes;
	if (documents_read > (uint64) udf_max_documents_read)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Too many documents read in a single function execution (limit: %d). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.",
						udf_max_documents_read),
				 errhint("udf.max_documents_read sets the limit (superuser only).")));
	if (bytes_read > (uint64) udf_max_bytes_read_kb * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Too many bytes read in a single function execution (limit: %d bytes). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.",
						udf_max_bytes_read_kb * 1024),
				 errhint("udf.max_bytes_read sets the limit (superuser only).")));
}

/* Would one more document read of `bytes` stay within the read limits? */
bool
LimitsReadFits(size_t bytes)
{
	return documents_read + 1 <= (uint64) udf_max_documents_read &&
		bytes_read + bytes <= (uint64) udf_max_bytes_read_kb * 1024;
}

/* Documents the read limit still allows. */
int64
LimitsDocumentsLeft(void)
{
	return (int64) udf_max_documents_read - (int64) documents_read;
}

/* Documents counted as read that the function never saw (a batch it left): uncount them. */
void
LimitsUncountRead(uint64 documents, uint64 bytes)
{
	documents_read -= Min(documents, documents_read);
	bytes_read -= Min(bytes, bytes_read);
}

/* Count one document written of `bytes`; ERROR past the write limits. */
void
LimitsCountWrite(size_t bytes)
{
	documents_written++;
	bytes_written += bytes;
	if (documents_written > (uint64) udf_max_documents_written)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Too many writes in a single function execution (limit: %d).", udf_max_documents_written),
				 errhint("udf.max_documents_written sets the limit (superuser only).")));
	if (bytes_written > (uint64) udf_max_bytes_written_kb * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Too many bytes written in a single function execution (limit: %d bytes).", udf_max_bytes_written_kb * 1024),
				 errhint("udf.max_bytes_written sets the limit (superuser only).")));
}

/* Append one metric {"used", "remaining"} to a JSON object under construction. */
static void
AppendMetric(StringInfo buf, const char *name, uint64 used, int64 limit)
{
	appendStringInfo(buf, "%s\"%s\":{\"used\":" UINT64_FORMAT ",\"remaining\":" INT64_FORMAT "}",
					 buf->len > 1 ? "," : "", name, used, limit - (int64) used);
}

/* 1.0/getTransactionMetrics {} -> {bytesRead: {used, remaining}, ...} */
void
LimitsTransactionMetrics(const char *args, size_t len, UdfV8HostResult *out)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	AppendMetric(&buf, "bytesRead", bytes_read, (int64) udf_max_bytes_read_kb * 1024);
	AppendMetric(&buf, "bytesWritten", bytes_written, (int64) udf_max_bytes_written_kb * 1024);
	AppendMetric(&buf, "databaseQueries", queries_run, udf_max_queries);
	AppendMetric(&buf, "documentsRead", documents_read, udf_max_documents_read);
	AppendMetric(&buf, "documentsWritten", documents_written, udf_max_documents_written);
	/* the scheduler does not exist yet: nothing scheduled */
	AppendMetric(&buf, "functionsScheduled", 0, 1000);
	AppendMetric(&buf, "scheduledFunctionArgsBytes", 0, 16 * 1024 * 1024);
	appendStringInfoChar(&buf, '}');
	out->result = buf.data;
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

/* Give the next top-level entry into V8 the time limit of kind ("import" runs as a query). */
void
LimitsSetCallTimeLimit(const char *kind)
{
	call_time_limit_ms = LimitsTimeLimitMs(kind);
	udf_v8_set_time_limit(call_time_limit_ms);
}

/* The time limit the last top-level entry got, in ms. */
double
LimitsCallTimeLimitMs(void)
{
	return call_time_limit_ms;
}

/* udf.max_heap_size, in MB. */
int
LimitsMaxHeapMb(void)
{
	return udf_max_heap_size_mb;
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

/* Bytes of host values a plain result may take: a sixth of udf.max_result_size (JSON is at most six times them). */
size_t
LimitsPlainResultBudget(void)
{
	return (size_t) udf_max_result_size_kb * 1024 / 6;
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

/* How many calls this backend stopped, by reason, and how many isolates it discarded. */
void
LimitsTerminationCounts(LimitsCounts *out)
{
	out->canceled = terminations_cancel;
	out->timed_out = terminations_timeout;
	out->out_of_memory = terminations_oom;
	out->isolates_discarded = isolates_discarded;
}

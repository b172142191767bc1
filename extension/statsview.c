/*
 * statsview.c -- the SQL face of udf_stats: udf_stats(), udf_stats_info(),
 * udf_stats_reset(function), udf_stats_reset_subsystem(subsystem). (The
 * scheduler's and the HTTP endpoint's views are schedstats.c's and
 * httpstats.c'.)
 *
 * Each reads a copy of the shared entries (stats.c) and turns it into rows;
 * no lock is held while rows are built. Without shared memory (udf not in
 * shared_preload_libraries) each raises an error with a hint. Times are in
 * milliseconds; js_time is total_time less syscall_time.
 */
#include "udf.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(udf_stats);
PG_FUNCTION_INFO_V1(udf_stats_info);
PG_FUNCTION_INFO_V1(udf_stats_reset);
PG_FUNCTION_INFO_V1(udf_stats_reset_subsystem);

#define UDF_STATS_COLS 40

static Datum SyscallsByOp(const StatsCounters *c, int64 *total);

/* {"op": count, ...} of the ops a function made, as jsonb; *total their sum. */
static Datum
SyscallsByOp(const StatsCounters *c, int64 *total)
{
	StringInfoData buf;

	*total = 0;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; i < STATS_MAX_OPS; i++)
	{
		const char *op = SyscallOpName(i);

		if (c->syscalls[i] == 0 || op == NULL)
			continue;
		if (*total > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, op);
		appendStringInfo(&buf, ": " INT64_FORMAT, c->syscalls[i]);
		*total += c->syscalls[i];
	}
	appendStringInfoChar(&buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* An int8[] of n values. */
Datum
StatsInt8Array(const int64 *values, int n)
{
	Datum	   *d = palloc(n * sizeof(Datum));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* udf_stats() returns setof record: one row per role, database, kind and function. */
Datum
udf_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatsRow   *rows;
	int			n;

	rows = StatsSnapshot(STATS_CLASS_FUNCTION, &n);
	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < n; r++)
	{
		const StatsCounters *c = &rows[r].c.fn;
		Datum		values[UDF_STATS_COLS];
		bool		nulls[UDF_STATS_COLS] = {0};
		int			i = 0;
		int64		errors = 0;
		int64		nsyscalls;
		Datum		by_op;

		for (int e = 0; e < STATS_NERRORS; e++)
			errors += c->errors[e];
		values[i++] = ObjectIdGetDatum(rows[r].key.userid);
		values[i++] = ObjectIdGetDatum(rows[r].key.dbid);
		values[i++] = CStringGetTextDatum(rows[r].function);
		values[i++] = CStringGetTextDatum(rows[r].kind);
		values[i++] = CStringGetTextDatum(StatsSourceName(rows[r].key.source));
		values[i++] = Int64GetDatum(c->calls);
		values[i++] = Int64GetDatum(errors);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_UNCAUGHT]);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_CONVEX]);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_VALIDATION]);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_TIMEOUT]);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_CANCELED]);
		values[i++] = Int64GetDatum(c->errors[STATS_ERR_OUT_OF_MEMORY]);
		values[i++] = Float8GetDatum(c->total_ms);
		values[i++] = Float8GetDatum(c->min_ms);
		values[i++] = Float8GetDatum(c->max_ms);
		values[i++] = Float8GetDatum(c->mean_ms);
		values[i++] = Float8GetDatum(c->calls > 1 ? sqrt(c->sum_var_ms / c->calls) : 0.0);
		values[i++] = Float8GetDatum(Max(c->total_ms - c->syscall_ms, 0.0));
		values[i++] = Float8GetDatum(c->syscall_ms);
		by_op = SyscallsByOp(c, &nsyscalls);
		values[i++] = Int64GetDatum(nsyscalls);
		values[i++] = by_op;
		values[i++] = Int64GetDatum(c->documents_read);
		values[i++] = Int64GetDatum(c->bytes_read);
		values[i++] = Int64GetDatum(c->documents_written);
		values[i++] = Int64GetDatum(c->bytes_written);
		values[i++] = Int64GetDatum(c->fetch.fetches);
		values[i++] = Int64GetDatum(c->fetch.failures);
		values[i++] = Int64GetDatum(c->fetch.refused);
		values[i++] = Int64GetDatum(c->fetch.timeouts);
		values[i++] = Int64GetDatum(c->fetch.network_errors);
		for (int k = 0; k < STATS_STATUS_CLASSES; k++)
			values[i++] = Int64GetDatum(c->fetch.status[k]);
		values[i++] = Int64GetDatum(c->fetch.bytes_sent);
		values[i++] = Int64GetDatum(c->fetch.bytes_received);
		values[i++] = Float8GetDatum(c->fetch.wait_ms);
		values[i++] = Int64GetDatum(c->peak_heap_bytes);
		values[i++] = StatsInt8Array(c->histogram, STATS_HIST_BUCKETS);
		Assert(i == UDF_STATS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* udf_stats_info() returns (dealloc, stats_reset, histogram_bounds_ms). */
Datum
udf_stats_info(PG_FUNCTION_ARGS)
{
	static const double bounds[STATS_HIST_BUCKETS - 1] = STATS_HIST_BOUNDS_MS;
	StatsGlobal g = StatsGlobals();
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {0};
	Datum		b[STATS_HIST_BUCKETS - 1];

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "udf_stats_info must return a record");
	for (int i = 0; i < STATS_HIST_BUCKETS - 1; i++)
		b[i] = Float8GetDatum(bounds[i]);
	values[0] = Int64GetDatum(g.dealloc);
	values[1] = TimestampTzGetDatum(g.stats_reset);
	values[2] = PointerGetDatum(construct_array(b, STATS_HIST_BUCKETS - 1, FLOAT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * udf_stats_reset(function text default null) returns bigint: forget every
 * entry, or those of one function path in this database; how many went.
 */
Datum
udf_stats_reset(PG_FUNCTION_ARGS)
{
	char	   *function = NULL;

	if (!PG_ARGISNULL(0))
	{
		function = text_to_cstring(PG_GETARG_TEXT_PP(0));
		/* the same spelling udf_invoke accepts: "m.js:default" is "m" */
		function = NameParse(function).display;
	}
	PG_RETURN_INT64(StatsReset(function));
}

/*
 * udf_stats_reset_subsystem(subsystem text) returns bigint: forget the
 * entries of one view, in every database: 'functions' (udf_stats),
 * 'scheduler' (udf_scheduler_stats) or 'http' (udf_http_stats).
 */
Datum
udf_stats_reset_subsystem(PG_FUNCTION_ARGS)
{
	char	   *subsystem = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	StatsClass	cls;

	if (subsystem && strcmp(subsystem, "functions") == 0)
		cls = STATS_CLASS_FUNCTION;
	else if (subsystem && strcmp(subsystem, "scheduler") == 0)
		cls = STATS_CLASS_SCHEDULER;
	else if (subsystem && strcmp(subsystem, "http") == 0)
		cls = STATS_CLASS_HTTP;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf_stats_reset_subsystem: unknown subsystem %s",
						subsystem ? quote_literal_cstr(subsystem) : "NULL"),
				 errhint("The subsystems are 'functions' (udf_stats), 'scheduler' (udf_scheduler_stats) "
						 "and 'http' (udf_http_stats).")));
	PG_RETURN_INT64(StatsResetClass(cls));
}

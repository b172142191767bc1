/*
 * info.c -- udf_info(): what this backend's V8 looks like, as jsonb.
 *
 * The isolate (alive or not, heap used, total and limit, udf.max_heap_size),
 * how many isolates were made and discarded, how many calls were stopped and
 * why (limits.c keeps the counts), and the code cache's counters
 * (codecache.c), the cached contexts and how many of the live deployment's
 * modules they have loaded (contexts.c), and the startup snapshot
 * (runtime.c), and the optimistic attempts begun and re-run (optimistic.c). Per backend, read without locks; nothing here touches V8
 * beyond its heap statistics and asking whether a module is loaded.
 */
#include "udf.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(udf_info);

extern Datum jsonb_in(PG_FUNCTION_ARGS);

/* udf_info() returns jsonb: this backend's isolate and the counts of stopped calls. */
Datum
udf_info(PG_FUNCTION_ARGS)
{
	size_t		used;
	size_t		total;
	size_t		limit;
	LimitsCounts counts;
	StringInfoData buf;

	udf_v8_heap_stats(&used, &total, &limit);
	LimitsTerminationCounts(&counts);
	initStringInfo(&buf);
	appendStringInfo(&buf,
					 "{\"isolate\": %s, \"heap_used_bytes\": %zu, \"heap_total_bytes\": %zu, "
					 "\"heap_limit_bytes\": %zu, \"max_heap_size_mb\": %d, "
					 "\"isolates_created\": " UINT64_FORMAT ", \"isolates_discarded\": " UINT64_FORMAT ", "
					 "\"terminations\": {\"canceled\": " UINT64_FORMAT ", \"timed_out\": " UINT64_FORMAT
					 ", \"out_of_memory\": " UINT64_FORMAT "}, \"code_cache\": ",
					 udf_v8_isolate_alive() ? "true" : "false", used, total, limit,
					 LimitsMaxHeapMb(), udf_v8_isolates_created(), counts.isolates_discarded,
					 counts.canceled, counts.timed_out, counts.out_of_memory);
	CodeCacheAppendStats(&buf);
	appendStringInfoString(&buf, ", \"contexts\": ");
	ContextsAppendInfo(&buf, StoreCurrentDeployment());
	appendStringInfoString(&buf, ", \"snapshot\": ");
	RuntimeAppendSnapshotInfo(&buf);
	appendStringInfoString(&buf, ", \"optimistic\": ");
	OptimisticAppendInfo(&buf);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

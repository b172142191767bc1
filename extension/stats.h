/*
 * stats.h -- per-function statistics in shared memory (stats.c), read by
 * the udf_stats view (statsview.c), fed by the call path (callstats.c).
 */
#ifndef UDF_STATS_H
#define UDF_STATS_H

#include "c.h"

#include "datatype/timestamp.h"

/* Syscall ops counted per function: the dispatch table's rows (syscall.c). */
#define STATS_MAX_OPS 32
/* Latency histogram: buckets with these upper bounds in ms, the last one open. */
#define STATS_HIST_BUCKETS 13
#define STATS_HIST_BOUNDS_MS {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 1000, 10000}

#define STATS_FUNCTION_LEN 128
#define STATS_KIND_LEN 24

/* How a call failed, as udf_stats counts it. */
typedef enum StatsError
{
	STATS_ERR_NONE = -1,
	STATS_ERR_UNCAUGHT = 0,		/* a JS exception or any other error */
	STATS_ERR_CONVEX,			/* a ConvexError (UDF01) */
	STATS_ERR_VALIDATION,		/* arguments or return value failed their validator */
	STATS_ERR_TIMEOUT,			/* udf.max_execution_time */
	STATS_ERR_CANCELED,			/* cancel, statement_timeout, termination */
	STATS_ERR_OUT_OF_MEMORY,	/* udf.max_heap_size */
	STATS_NERRORS
} StatsError;

/* What one call measured, as it is added to its entry. */
typedef struct StatsSample
{
	double		total_ms;
	double		syscall_ms;
	StatsError	error;
	uint32		syscalls[STATS_MAX_OPS];
	uint64		documents_read;
	uint64		bytes_read;
	uint64		documents_written;
	uint64		bytes_written;
	uint64		heap_bytes;
} StatsSample;

/*
 * The key of an entry: who ran which function, in which database. The
 * function is keyed by a 64-bit hash of its kind and path, as
 * pg_stat_statements keys statements by queryid: a short key keeps the
 * per-call lookup cheap. The names themselves live in the entry.
 */
typedef struct StatsKey
{
	Oid			userid;
	Oid			dbid;
	uint64		function_id;
} StatsKey;

/* The counters of an entry; times in ms. */
typedef struct StatsCounters
{
	int64		calls;
	int64		errors[STATS_NERRORS];
	double		total_ms;
	double		min_ms;
	double		max_ms;
	double		mean_ms;
	double		sum_var_ms;		/* for the standard deviation (Welford) */
	double		syscall_ms;
	int64		syscalls[STATS_MAX_OPS];
	int64		documents_read;
	int64		bytes_read;
	int64		documents_written;
	int64		bytes_written;
	int64		peak_heap_bytes;
	int64		histogram[STATS_HIST_BUCKETS];
	double		usage;			/* for least-used eviction */
} StatsCounters;

/* The statistics-wide counters (udf_stats_info). */
typedef struct StatsGlobal
{
	int64		dealloc;		/* eviction passes */
	TimestampTz stats_reset;	/* last reset of everything */
} StatsGlobal;

/* One entry as the view reads it (and as the saved file holds it). */
typedef struct StatsRow
{
	StatsKey	key;
	char		kind[STATS_KIND_LEN];
	char		function[STATS_FUNCTION_LEN];
	StatsCounters counters;
} StatsRow;

extern void StatsInit(void);
extern bool StatsWanted(bool top_level);
extern bool StatsSampleHeap(double total_ms);
extern void StatsStore(const char *function, const char *kind, const StatsSample *sample);
extern StatsRow *StatsSnapshot(int *nrows);
extern StatsGlobal StatsGlobals(void);
extern int64 StatsReset(const char *function);
extern void StatsRequireShared(void);

#endif							/* UDF_STATS_H */

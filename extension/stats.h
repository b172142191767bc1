/*
 * stats.h -- statistics in shared memory (stats.c): per function, read by
 * the udf_stats view (statsview.c) and fed by the call path (callstats.c)
 * and fetch (fetch.c); per database for the scheduler (schedstats.c) and
 * per route for the HTTP endpoint (httpstats.c).
 */
#ifndef UDF_STATS_H
#define UDF_STATS_H

#include "c.h"

#include "datatype/timestamp.h"

/* Syscall ops counted per function: the dispatch table's rows (syscall.c). */
#define STATS_MAX_OPS 64
/* Latency histogram: buckets with these upper bounds in ms, the last one open. */
#define STATS_HIST_BUCKETS 13
#define STATS_HIST_BOUNDS_MS {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 1000, 10000}

#define STATS_FUNCTION_LEN 128
#define STATS_KIND_LEN 24

/* Who called a function: part of a udf_stats entry's key (its source column). */
typedef enum StatsSource
{
	STATS_SOURCE_SQL = 0,		/* udf_invoke, typed SQL functions, udf_http */
	STATS_SOURCE_TRIGGER,		/* udf_trigger */
	STATS_SOURCE_NESTED,		/* ctx.runQuery / runMutation / runAction */
	STATS_SOURCE_SCHEDULER,		/* a scheduled job or cron run */
	STATS_SOURCE_HTTP,			/* the HTTP endpoint */
	STATS_NSOURCES
} StatsSource;

/* What an entry counts: a function, a database's scheduler, an HTTP route. */
typedef enum StatsClass
{
	STATS_CLASS_FUNCTION = 0,
	STATS_CLASS_SCHEDULER,
	STATS_CLASS_HTTP
} StatsClass;

/* Response statuses by class: 2xx, 3xx, 4xx, 5xx (others are not split out). */
#define STATS_STATUS_CLASSES 4

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

/* A function's fetches (fetch.c, loop.c); the same numbers per call and per entry. */
typedef struct StatsFetch
{
	int64		fetches;		/* requests started (refused ones included) */
	int64		failures;		/* requests that ended without a response */
	int64		refused;		/* ... by udf.fetch_allowed_hosts or the address checks */
	int64		timeouts;		/* ... by udf.fetch_timeout */
	int64		network_errors; /* ... by a connection, DNS, TLS or protocol error */
	int64		status[STATS_STATUS_CLASSES];	/* responses by status class */
	int64		bytes_sent;		/* request bodies */
	int64		bytes_received; /* response bodies */
	double		wait_ms;		/* time the call waited with fetches in flight */
} StatsFetch;

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
	StatsFetch	fetch;
} StatsSample;

/* One event of a database's scheduler, as it is added to its entry. */
typedef struct StatsSchedulerSample
{
	int64		scheduled;		/* jobs written (at the commit that wrote them) */
	int64		canceled;		/* jobs canceled (at the commit that canceled them) */
	bool		ran;			/* a run ended: */
	int64		succeeded;
	int64		failed;
	int64		retried;		/* ... with a system error, due again after a backoff */
	double		lag_ms;			/* from its scheduled time to its start */
	double		run_ms;
	int64		crashes;		/* runs that ended their worker process */
	int64		crash_failed;	/* jobs failed because their runs ended workers */
} StatsSchedulerSample;

/* One request the HTTP endpoint answered. */
typedef struct StatsHttpSample
{
	int			status;
	uint64		bytes_in;
	uint64		bytes_out;
	double		ms;
} StatsHttpSample;

/*
 * The key of an entry: who ran which function, in which database. The
 * function is keyed by a 64-bit hash of its kind and path, as
 * pg_stat_statements keys statements by queryid: a short key keeps the
 * per-call lookup cheap. The names themselves live in the entry.
 */
typedef struct StatsKey
{
	Oid			userid;			/* InvalidOid for scheduler and HTTP entries */
	Oid			dbid;
	uint64		function_id;	/* 0 for a scheduler entry */
	int16		cls;			/* StatsClass */
	int16		source;			/* StatsSource of a function entry, else 0 */
	int32		pad;			/* 0: keys are compared as bytes */
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
	StatsFetch	fetch;
} StatsCounters;

/* The counters of a database's scheduler entry; times in ms. */
typedef struct StatsSchedulerCounters
{
	int64		scheduled;
	int64		canceled;
	int64		runs;
	int64		succeeded;
	int64		failed;
	int64		retried;
	int64		crashes;
	int64		crash_failed;
	double		lag_total_ms;
	double		lag_max_ms;
	int64		lag_histogram[STATS_HIST_BUCKETS];
	double		run_ms;
} StatsSchedulerCounters;

/* The counters of an HTTP route's entry; times in ms. */
typedef struct StatsHttpCounters
{
	int64		requests;
	int64		status[STATS_STATUS_CLASSES];
	int64		bytes_in;
	int64		bytes_out;
	double		total_ms;
	double		min_ms;
	double		max_ms;
	int64		histogram[STATS_HIST_BUCKETS];
} StatsHttpCounters;

/* An entry's counters, by its class. */
typedef union StatsAnyCounters
{
	StatsCounters fn;
	StatsSchedulerCounters sched;
	StatsHttpCounters http;
} StatsAnyCounters;

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
	char		function[STATS_FUNCTION_LEN];	/* an HTTP entry's route */
	double		usage;			/* for least-used eviction */
	StatsAnyCounters c;
} StatsRow;

extern void StatsInit(void);
extern bool StatsWanted(bool top_level);
extern bool StatsSampleHeap(double total_ms);
extern void StatsStore(const char *function, const char *kind, StatsSource source, const StatsSample *sample);
extern void StatsStoreScheduler(const StatsSchedulerSample *sample);
extern void StatsStoreHttp(const char *route, const char *kind, const StatsHttpSample *sample);
extern bool StatsAvailable(void);
extern int	StatsStatusClass(int status);
extern StatsRow *StatsSnapshot(StatsClass cls, int *nrows);
extern StatsGlobal StatsGlobals(void);
extern int64 StatsReset(const char *function);
extern int64 StatsResetClass(StatsClass cls);
extern const char *StatsSourceName(StatsSource source);
extern void StatsRequireShared(void);
/* statsview.c */
extern Datum StatsInt8Array(const int64 *values, int n);

#endif							/* UDF_STATS_H */

/*
 * callstats.h -- what one function call and each of its syscalls measured
 * (callstats.c).
 */
#ifndef UDF_CALLSTATS_H
#define UDF_CALLSTATS_H

#include "portability/instr_time.h"
#include "stats.h"
#include "udf_limits.h"
#include "v8shim/udf_v8.h"

struct ResolvedFunction;
struct TraceStep;

/* One running function call's measurements; lives on CallFunction's stack. */
typedef struct CallStats
{
	struct CallStats *parent;	/* the call it is nested in, if any */
	bool		active;			/* anything wants this call measured */
	bool		to_stats;		/* udf_stats counts it */
	bool		ended;
	const char *function;
	const char *kind;
	StatsSource source;			/* who called it */
	MemoryContext cxt;			/* the caller's, for the error path */
	instr_time	start;
	double		syscall_ms;
	uint32		syscalls[STATS_MAX_OPS];
	LimitsUsage base;			/* reads and writes before it started */
	StatsFetch	fetch;			/* its fetches (fetch.c, loop.c) */
} CallStats;

/* One syscall's measurements; lives on SyscallDispatch's stack. */
typedef struct SyscallTimer
{
	bool		active;
	int			op;				/* its row in the dispatch table */
	CallStats  *call;			/* the call it counts toward, or NULL */
	struct TraceStep *trace;	/* its trace step, or NULL */
	instr_time	start;
	LimitsUsage base;
} SyscallTimer;

extern void CallStatsInit(void);
extern void CallStatsBegin(CallStats *cs, const struct ResolvedFunction *fn, StatsSource source,
						   bool fresh_limits);
extern void CallStatsBeginNamed(CallStats *cs, const char *function, const char *kind, StatsSource source,
								bool fresh_limits);
extern void CallStatsSetFunction(CallStats *cs, const char *function);
extern CallStats *CallStatsCurrent(void);
extern void CallStatsAddFetch(CallStats *cs, const StatsFetch *f);
extern void CallStatsAddFetchWait(double ms);
extern void CallStatsEnd(CallStats *cs, UdfV8Status st, const UdfV8Error *err);
extern void CallStatsAbort(CallStats *cs);
extern void CallStatsForgetSyscalls(void);
extern void CallStatsSyscallBegin(SyscallTimer *t, int op, const char *op_name,
								  const char *args, size_t args_len);
extern void CallStatsSyscallEnd(SyscallTimer *t, const UdfV8HostResult *out, bool report);

#endif							/* UDF_CALLSTATS_H */

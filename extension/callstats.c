/*
 * callstats.c -- what one function call measured, and where it goes.
 *
 * CallFunction (call.c) opens a CallStats on its stack for every call of a
 * deployed function; CallRun closes it as soon as the shim has returned,
 * with the call's status, before any error is raised; an error that unwinds
 * the call earlier (an import that fails, a parked error) closes it from
 * CallFunction's PG_CATCH. The open calls form a chain (current), so a
 * syscall knows which call it counts toward and a nested call's numbers
 * stay its own.
 *
 * A call is measured only if something wants it: udf_stats (shared memory
 * and udf.stats_track), udf.log_min_duration, or a trace (trace.c).
 * Otherwise Begin links the frame and returns, and no clock is read.
 *
 * What a call measures: wall time from its start to the shim's return
 * (total), the part of it spent in syscalls (the rest is JavaScript), the
 * syscalls by op, the documents and bytes read and written (the differences
 * of limits.c's per-call counts, so a nested call's reads count toward its
 * callers too, as Convex's transaction limits do), and the V8 heap in use
 * when it ended (for calls of 0.1 ms or more and every 64th call:
 * StatsSampleHeap), and its fetches: each request reports how it ended to
 * the call that started it (CallStatsAddFetch; fetch.c keeps the frame's
 * address, which stays valid because a call's fetches are dropped before
 * the call ends, and is checked against the open chain all the same), and
 * the event loop reports the time it waited with fetches in flight. Where
 * it goes: StatsStore (stats.c), keyed by its source (who called it), and
 * a LOG line when it took udf.log_min_duration or longer.
 *
 * Nothing here calls into V8 except the heap statistics, read after the
 * shim returned. CallStatsEnd and the trace's report may raise (a LOG line
 * that cannot be sent); the frame is unlinked first, so the chain stays
 * right whatever unwinds.
 */
#include "udf.h"

#include "utils/backend_status.h"
#include "utils/guc.h"

static int	udf_log_min_duration = -1;
static CallStats *current = NULL;

static StatsError ErrorOfStatus(UdfV8Status st, const UdfV8Error *err);
static inline uint64 Delta(uint64 now, uint64 base);
static StatsError ErrorOfSqlstate(int sqlerrcode);
static void Finish(CallStats *cs, StatsError error);

/* Register udf.log_min_duration. */
void
CallStatsInit(void)
{
	DefineCustomIntVariable("udf.log_min_duration",
							"Log function calls that take at least this long.",
							"Each such call is logged with its function, kind, duration, documents "
							"read and written, and the caller's query id. -1 (the default) logs "
							"none, 0 logs every call. Range -1 to 24 hours.",
							&udf_log_min_duration,
							-1, -1, 24 * 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/*
 * A call of fn from source starts. fresh_limits: the call path resets
 * limits.c's per-call counts when it starts (a top-level call), so they
 * start at zero.
 */
void
CallStatsBegin(CallStats *cs, const ResolvedFunction *fn, StatsSource source, bool fresh_limits)
{
	/* a name that is no function fails at once: nothing to count */
	CallStatsBeginNamed(cs, fn->fn.display, fn->kind, source, fresh_limits);
}

/* A call of function (of kind; NULL: no function, not counted) from source starts. */
void
CallStatsBeginNamed(CallStats *cs, const char *function, const char *kind, StatsSource source,
					bool fresh_limits)
{
	cs->parent = current;
	cs->ended = false;
	current = cs;
	cs->to_stats = kind != NULL && StatsWanted(CallStackDepth() == 0);
	cs->active = cs->to_stats || udf_log_min_duration >= 0 || TraceActive();
	if (!cs->active)
		return;
	cs->function = function;
	cs->kind = kind ? kind : "unknown";
	cs->source = source;
	cs->cxt = CurrentMemoryContext;
	cs->syscall_ms = 0;
	memset(cs->syscalls, 0, sizeof(cs->syscalls));
	memset(&cs->fetch, 0, sizeof(cs->fetch));
	if (fresh_limits)
		memset(&cs->base, 0, sizeof(cs->base));
	else
		LimitsCurrentUsage(&cs->base);
	INSTR_TIME_SET_CURRENT(cs->start);
}

/*
 * The function a call turned out to run (an HTTP action's route, known once
 * the router chose it); NULL: none ran, and udf_stats does not count it.
 */
void
CallStatsSetFunction(CallStats *cs, const char *function)
{
	if (!cs->active)
		return;
	if (function)
		cs->function = function;
	else
		cs->to_stats = false;
}

/* The innermost open call, for a fetch to report to when it ends (or NULL). */
CallStats *
CallStatsCurrent(void)
{
	return current;
}

/* A fetch of the call cs ended (or was refused): add its numbers, if cs is still open and measured. */
void
CallStatsAddFetch(CallStats *cs, const StatsFetch *f)
{
	for (CallStats *c = current; c; c = c->parent)
	{
		if (c != cs)
			continue;
		if (!c->active)
			return;
		c->fetch.fetches += f->fetches;
		c->fetch.failures += f->failures;
		c->fetch.refused += f->refused;
		c->fetch.timeouts += f->timeouts;
		c->fetch.network_errors += f->network_errors;
		for (int i = 0; i < STATS_STATUS_CLASSES; i++)
			c->fetch.status[i] += f->status[i];
		c->fetch.bytes_sent += f->bytes_sent;
		c->fetch.bytes_received += f->bytes_received;
		return;
	}
}

/* The current call waited ms with fetches in flight (loop.c). */
void
CallStatsAddFetchWait(double ms)
{
	if (current && current->active)
		current->fetch.wait_ms += ms;
}

/*
 * now - base, or 0: a batch's unused rows are uncounted when its query is
 * cleaned up (limits.c), possibly after the step or call that counted them.
 */
static inline uint64
Delta(uint64 now, uint64 base)
{
	return now > base ? now - base : 0;
}

/* How a call that returned st failed, for udf_stats. */
static StatsError
ErrorOfStatus(UdfV8Status st, const UdfV8Error *err)
{
	switch (st)
	{
		case UDF_V8_OK:
			return STATS_ERR_NONE;
		case UDF_V8_TIMED_OUT:
			return STATS_ERR_TIMEOUT;
		case UDF_V8_TERMINATED:
			return STATS_ERR_CANCELED;
		case UDF_V8_OUT_OF_MEMORY:
			return STATS_ERR_OUT_OF_MEMORY;
		case UDF_V8_JS_ERROR:
			if (err->code && strcmp(err->code, "UDF01") == 0)
				return STATS_ERR_CONVEX;
			/* the runtime's codes for argument and return validation */
			if (err->code && (strcmp(err->code, "22023") == 0 || strcmp(err->code, "UDF02") == 0))
				return STATS_ERR_VALIDATION;
			return STATS_ERR_UNCAUGHT;
		default:
			return STATS_ERR_UNCAUGHT;
	}
}

/* How a call that a PostgreSQL error unwound failed, for udf_stats. */
static StatsError
ErrorOfSqlstate(int sqlerrcode)
{
	if (sqlerrcode == ERRCODE_QUERY_CANCELED || sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
		return STATS_ERR_CANCELED;
	if (sqlerrcode == ERRCODE_OUT_OF_MEMORY)
		return STATS_ERR_OUT_OF_MEMORY;
	if (sqlerrcode == ERRCODE_UDF_CONVEX_ERROR)
		return STATS_ERR_CONVEX;
	return STATS_ERR_UNCAUGHT;
}

/* Unlink a call's frame; if measured, store its sample and log it if slow. */
static void
Finish(CallStats *cs, StatsError error)
{
	instr_time	now;
	StatsSample s;
	LimitsUsage usage;

	cs->ended = true;
	current = cs->parent;
	if (!cs->active)
		return;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, cs->start);
	s.total_ms = INSTR_TIME_GET_MILLISEC(now);
	s.syscall_ms = Min(cs->syscall_ms, s.total_ms);
	s.error = error;
	memcpy(s.syscalls, cs->syscalls, sizeof(s.syscalls));
	LimitsCurrentUsage(&usage);
	s.documents_read = Delta(usage.documents_read, cs->base.documents_read);
	s.bytes_read = Delta(usage.bytes_read, cs->base.bytes_read);
	s.documents_written = Delta(usage.documents_written, cs->base.documents_written);
	s.bytes_written = Delta(usage.bytes_written, cs->base.bytes_written);
	s.fetch = cs->fetch;
	if (cs->to_stats)
	{
		size_t		used;
		size_t		total;
		size_t		limit;

		s.heap_bytes = 0;
		if (StatsSampleHeap(s.total_ms))
		{
			udf_v8_heap_stats(&used, &total, &limit);
			s.heap_bytes = used;
		}
		StatsStore(cs->function, cs->kind, cs->source, &s);
	}
	if (udf_log_min_duration >= 0 && s.total_ms >= udf_log_min_duration)
		ereport(LOG,
				(errmsg("udf: duration: %.3f ms  function: %s  kind: %s  documents read: " UINT64_FORMAT
						"  documents written: " UINT64_FORMAT "  query id: " INT64_FORMAT "%s",
						s.total_ms, cs->function, cs->kind, s.documents_read, s.documents_written,
						(int64) pgstat_get_my_query_id(), error == STATS_ERR_NONE ? "" : "  (failed)")));
}

/* The shim returned st for the call: measure it (before any error is raised). */
void
CallStatsEnd(CallStats *cs, UdfV8Status st, const UdfV8Error *err)
{
	if (!cs->ended)
		Finish(cs, ErrorOfStatus(st, err));
}

/* From PG_CATCH: an error unwound the call before CallStatsEnd; measure it as failed. */
void
CallStatsAbort(CallStats *cs)
{
	MemoryContext old;

	if (cs->ended)
		return;
	if (!cs->active)
	{
		Finish(cs, STATS_ERR_UNCAUGHT);
		return;
	}
	/* PG_CATCH runs in ErrorContext; measure in the caller's */
	old = MemoryContextSwitchTo(cs->cxt);
	Finish(cs, ErrorOfSqlstate(geterrcode()));
	MemoryContextSwitchTo(old);
}

/* The running call starts again (an optimistic attempt re-run): its syscalls so far are forgotten. */
void
CallStatsForgetSyscalls(void)
{
	if (current == NULL || !current->active)
		return;
	current->syscall_ms = 0;
	memset(current->syscalls, 0, sizeof(current->syscalls));
}

/* A syscall (row op of the dispatch table) starts: time it if its call or a trace wants it. */
void
CallStatsSyscallBegin(SyscallTimer *t, int op, const char *op_name, const char *args, size_t args_len)
{
	t->call = current && current->active ? current : NULL;
	t->trace = TraceActive() ? TraceSyscallBegin(CallStackFunction(), op_name, args, args_len) : NULL;
	t->active = t->call != NULL || t->trace != NULL;
	if (!t->active)
		return;
	t->op = op;
	if (t->trace)
		LimitsCurrentUsage(&t->base);
	INSTR_TIME_SET_CURRENT(t->start);
}

/*
 * The syscall ended with out (NULL: an error ended it): count it toward its
 * call, and finish its trace step (reported when report is set; that may
 * raise, so the accounting is done first and only once).
 */
void
CallStatsSyscallEnd(SyscallTimer *t, const UdfV8HostResult *out, bool report)
{
	instr_time	now;
	double		ms;

	if (!t->active)
		return;
	t->active = false;
	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, t->start);
	ms = INSTR_TIME_GET_MILLISEC(now);
	if (t->call)
	{
		t->call->syscall_ms += ms;
		if (t->op >= 0 && t->op < STATS_MAX_OPS)
			t->call->syscalls[t->op]++;
	}
	if (t->trace)
	{
		LimitsUsage usage;
		int64		rows;

		LimitsCurrentUsage(&usage);
		rows = (int64) (Delta(usage.documents_read, t->base.documents_read) +
						Delta(usage.documents_written, t->base.documents_written));
		TraceSyscallEnd(t->trace, rows, ms, out ? out->error_message : "the syscall raised an error", report);
	}
}

/*
 * schedstats.c -- the scheduler's statistics: what udf_scheduler_stats
 * counts per database, besides what the workers report themselves.
 *
 * The scheduler workers (scheduler.c) report runs -- how each ended, its
 * lag from the job's scheduled time to its start, its duration -- and the
 * crashes they count, each after the transaction that recorded it in
 * udf_job committed, straight to stats.c (StatsStoreScheduler).
 *
 * Jobs written (ctx.scheduler, crons) and canceled (ctx.scheduler.cancel,
 * udf_cancel_job) are counted here, in whichever backend does it, and only
 * if it sticks: each is first held in a small stack of counts per open
 * subtransaction; a subtransaction's abort drops its counts and those of
 * its children (every subtransaction started after it and still counted is
 * one of them), its commit hands them to its parent, and the top-level
 * commit adds them to the database's entry. An abort or a PREPARE drops
 * them. The commit callback never raises: StatsStoreScheduler never does.
 *
 * Queue depth is not counted: udf_scheduler_stats computes it when it is
 * read, from udf_job (udf--*.sql: udf_scheduler_queue), which is exact.
 *
 * udf_scheduler_counters() is the view's other half: every database's
 * counters, from shared memory (ERROR without it, as udf_stats).
 */
#include "udf.h"

#include "access/xact.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "catalog/pg_type.h"
#include "utils/memutils.h"

#define UDF_SCHEDULER_COLS 14

/* The counts of one open (sub)transaction. */
typedef struct PendingCounts
{
	SubTransactionId subid;
	int64		scheduled;
	int64		canceled;
} PendingCounts;

static PendingCounts *pending = NULL;
static int	npending = 0;
static int	maxpending = 0;

static void Count(int64 scheduled, int64 canceled);
static void SchedStatsXactCallback(XactEvent event, void *arg);
static void SchedStatsSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
									  SubTransactionId parentSubid, void *arg);

PG_FUNCTION_INFO_V1(udf_scheduler_counters);

/* _PG_init: follow transactions, to count what commits. */
void
SchedStatsInit(void)
{
	RegisterXactCallback(SchedStatsXactCallback, NULL);
	RegisterSubXactCallback(SchedStatsSubXactCallback, NULL);
}

/* Count jobs written and canceled in the current subtransaction (may raise: out of memory). */
static void
Count(int64 scheduled, int64 canceled)
{
	SubTransactionId subid = GetCurrentSubTransactionId();

	if (!StatsAvailable())
		return;
	if (npending == 0 || pending[npending - 1].subid != subid)
	{
		if (npending == maxpending)
		{
			int			grown = Max(8, maxpending * 2);

			pending = pending ? repalloc(pending, grown * sizeof(PendingCounts))
				: MemoryContextAlloc(TopMemoryContext, grown * sizeof(PendingCounts));
			maxpending = grown;
		}
		pending[npending].subid = subid;
		pending[npending].scheduled = 0;
		pending[npending].canceled = 0;
		npending++;
	}
	pending[npending - 1].scheduled += scheduled;
	pending[npending - 1].canceled += canceled;
}

/* A job was written (canceled: written canceled, its scheduler being a canceled action). */
void
SchedStatsJobWritten(bool canceled)
{
	Count(1, canceled ? 1 : 0);
}

/* A pending or running job was canceled. */
void
SchedStatsJobCanceled(void)
{
	Count(0, 1);
}

/* Subtransaction callback: an abort drops its counts (and its children's), a commit gives them to its parent. */
static void
SchedStatsSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		while (npending > 0 && pending[npending - 1].subid >= mySubid)
			npending--;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		while (npending > 0 && pending[npending - 1].subid >= mySubid)
		{
			PendingCounts *top = &pending[npending - 1];

			if (npending > 1 && pending[npending - 2].subid == parentSubid)
			{
				pending[npending - 2].scheduled += top->scheduled;
				pending[npending - 2].canceled += top->canceled;
				npending--;
			}
			else
			{
				top->subid = parentSubid;
				break;
			}
		}
	}
}

/* Transaction callback: a commit adds what it wrote and canceled to the database's entry. */
static void
SchedStatsXactCallback(XactEvent event, void *arg)
{
	if (npending == 0)
		return;
	if (event == XACT_EVENT_COMMIT)
	{
		StatsSchedulerSample s = {0};

		for (int i = 0; i < npending; i++)
		{
			s.scheduled += pending[i].scheduled;
			s.canceled += pending[i].canceled;
		}
		StatsStoreScheduler(&s);
	}
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		npending = 0;
}

/*
 * udf_scheduler_counters() returns setof record: one row per database with
 * scheduler counters (the udf_scheduler_stats view adds the queue).
 */
Datum
udf_scheduler_counters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	StatsRow   *rows;
	int			n;

	rows = StatsSnapshot(STATS_CLASS_SCHEDULER, &n);
	InitMaterializedSRF(fcinfo, 0);
	for (int r = 0; r < n; r++)
	{
		const StatsSchedulerCounters *c = &rows[r].c.sched;
		Datum		values[UDF_SCHEDULER_COLS];
		bool		nulls[UDF_SCHEDULER_COLS] = {0};
		int			i = 0;

		values[i++] = ObjectIdGetDatum(rows[r].key.dbid);
		values[i++] = Int64GetDatum(c->scheduled);
		values[i++] = Int64GetDatum(c->canceled);
		values[i++] = Int64GetDatum(c->runs);
		values[i++] = Int64GetDatum(c->succeeded);
		values[i++] = Int64GetDatum(c->failed);
		values[i++] = Int64GetDatum(c->retried);
		values[i++] = Int64GetDatum(c->crashes);
		values[i++] = Int64GetDatum(c->crash_failed);
		values[i++] = Float8GetDatum(c->lag_total_ms);
		values[i++] = Float8GetDatum(c->lag_max_ms);
		values[i++] = Float8GetDatum(c->runs > 0 ? c->lag_total_ms / c->runs : 0.0);
		values[i++] = StatsInt8Array(c->lag_histogram, STATS_HIST_BUCKETS);
		values[i++] = Float8GetDatum(c->run_ms);
		Assert(i == UDF_SCHEDULER_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * scheduler.c -- the scheduler's per-database worker: it runs due jobs of
 * udf_job (written by schedule.c and crons.c) through the one call path.
 *
 * Lifecycle: the launcher (bgworker.c) starts udf.scheduler_max_workers of
 * these per database. A worker connects, ends idle if udf is not installed
 * there, fails the actions that died with an earlier worker, and then loops:
 * run every due job, one transaction each; start due cron runs (crons.c);
 * every minute the first worker deletes finished jobs older than
 * udf.scheduler_retention; then sleep on its latch until the next job is
 * due, at most udf.scheduler_naptime. A commit that scheduled a job sets
 * the latch (schedule.c), so a job due now starts at once.
 *
 * Claiming: SELECT ... FOR UPDATE SKIP LOCKED of the earliest due pending
 * job, so two workers never take the same job and neither waits on the
 * other's.
 *
 * A mutation runs in the claiming transaction, inside an internal
 * subtransaction, as the role that scheduled it (SetUserIdAndSecContext):
 * its writes and the job's new state commit together, or neither does. A
 * worker killed mid-job leaves the job pending and its writes rolled back by
 * crash recovery; it runs once when a worker takes it again: exactly once.
 * A JS error rolls the subtransaction back and marks the job failed with the
 * message; a serialization failure or deadlock (40001, 40P01) is a system
 * error: the job stays pending, due again after a backoff of 500 ms doubling
 * up to 2 hours.
 *
 * An action is first marked inProgress (with the worker's pid and start
 * time) in a committed transaction, then runs in a second one; an action
 * that fails keeps what its ctx.runMutation calls wrote, as in Convex. A
 * worker that dies mid-action leaves it inProgress; the next worker to start
 * marks every inProgress action whose worker is no longer alive as failed:
 * at most once, never retried. A cancel while it runs changes the state to
 * canceled, and the end of the run leaves it so.
 *
 * A job that ends its worker process (a crash, kill -9) is counted: before
 * a job runs, the worker writes its pid and the job's id to its file
 * pg_udf/scheduler-<db>-<index> in the data directory, and clears it when
 * the job's transaction has ended, or when the worker exits normally (FATAL
 * included). Before its first claim, a worker reads every such file of its
 * database, under an advisory lock: a file naming a process that is no udf
 * worker any more counts a crash for its job (so no worker takes the job
 * again uncounted); a pending job that has ended its worker
 * JOB_MAX_CRASHES times is failed, not run again.
 *
 * Statistics (udf_scheduler_stats): each run's lag (from the job's
 * scheduled time to the start of the run), duration and outcome, and the
 * crashes counted, go to stats.c once the transaction recording them in
 * udf_job has committed; jobs written and canceled are counted by
 * schedstats.c.
 *
 * Memory: each job's strings live in job_cxt, reset per job. What may raise:
 * our own SQL on udf_job (the worker then exits with an error and the
 * launcher starts it again); a job's errors are caught and recorded.
 */
#include "udf.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#define BACKOFF_FIRST_MS 500.0
#define BACKOFF_MAX_MS (2.0 * 3600 * 1000)
#define CLEANUP_EVERY_MS (60 * 1000)
#define CLEANUP_BATCH 10000
#define JOB_MAX_CRASHES 2
#define JOB_PLANS 16

/* A claimed job, in job_cxt. */
typedef struct Job
{
	char	   *id;
	char	   *name;
	char	   *args;
	char	   *kind;
	Oid			owner;
	int			attempts;
	double		scheduled_time; /* ms since the epoch */
} Job;

/* How a run ended. */
typedef enum JobOutcome
{
	JOB_SUCCESS,
	JOB_FAILED,
	JOB_RETRY
} JobOutcome;

static int	scheduler_max_workers = 2;
static int	scheduler_naptime_ms = 10000;
static int	scheduler_retention_min = 7 * 24 * 60;

static MemoryContext job_cxt = NULL;
static int	running_fd = -1;		/* the worker's file naming the job it runs */

static bool ClaimJob(Job *job, double now_ms);
static bool RunOneJob(void);
static JobOutcome RunJob(const Job *job, char **error);
static bool FinishJob(const Job *job, JobOutcome outcome, const char *error, bool only_in_progress);
static void MarkInProgress(const Job *job);
static void FailDeadActions(void);
static void DeleteExpired(void);
static double NextDueMs(void);
static int	JobExecute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls);
static void RunningFileOpen(int index);
static void RunningFileSet(const char *id);
static void RunningFileClear(int code, Datum arg);
static bool CountCrash(const char *id);
static void CountCrashes(void);

/* _PG_init: the scheduler's settings, and its kind of worker. */
void
SchedulerInit(void)
{
	DefineCustomIntVariable("udf.scheduler_max_workers",
							"Scheduler workers per database: how many jobs run at once.",
							"Each worker is a background worker with its own backend and isolate; "
							"they count against max_worker_processes. 0 runs no jobs. Range 0 to 64. "
							"Needs udf in shared_preload_libraries.",
							&scheduler_max_workers, 2, 0, 64,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.scheduler_naptime",
							"Longest sleep of an idle scheduler worker.",
							"Workers are woken when a job is scheduled and sleep until the next job is "
							"due; this bounds the sleep, for jobs written by other means (a restore). "
							"Range 100 ms to 1 hour.",
							&scheduler_naptime_ms, 10000, 100, 3600 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("udf.scheduler_retention",
							"How long finished jobs stay in _scheduled_functions.",
							"Succeeded, failed and canceled jobs older than this are deleted by the "
							"scheduler workers. Convex keeps them 7 days. Range 1 minute to 10 years.",
							&scheduler_retention_min, 7 * 24 * 60, 1, 10 * 365 * 24 * 60,
							PGC_SIGHUP, GUC_UNIT_MIN, NULL, NULL, NULL);
	BgwRegisterKind(BGW_KIND_SCHEDULER, "udf scheduler", "udf_scheduler_main", SchedulerMaxWorkers);
}

/* Workers per database (udf.scheduler_max_workers), for the launcher and for warnings. */
int
SchedulerMaxWorkers(void)
{
	return scheduler_max_workers;
}



/* The job's function sees the session's own search_path again. */
static inline void
SchedulerUnpinSearchPath(int level)
{
	AtEOXact_GUC(true, level);
}

/* "schema".udf_job, looked up once per worker (the extension's schema does not move under it). */
static const char *
JobTable(void)
{
	static char *name = NULL;

	if (name == NULL)
		name = MemoryContextStrdup(TopMemoryContext, ExtensionTableName("udf_job"));
	return name;
}

/*
 * Run one of the worker's own statements; the SPI result code. Each
 * statement text is planned once per worker and the plan kept: these run
 * once or twice per job, and planning them each time would cost more than
 * a trivial job.
 */
static int
JobExecute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls)
{
	static struct
	{
		char	   *sql;
		SPIPlanPtr	plan;
	}			plans[JOB_PLANS];
	int			i;

	for (i = 0; i < JOB_PLANS && plans[i].sql; i++)
		if (strcmp(plans[i].sql, sql) == 0)
			return SPI_execute_plan(plans[i].plan, values, nulls, false, 0);
	if (i == JOB_PLANS)
		return SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
	plans[i].plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
	if (plans[i].plan == NULL || SPI_keepplan(plans[i].plan) != 0)
		elog(ERROR, "could not prepare \"%s\"", sql);
	plans[i].sql = MemoryContextStrdup(TopMemoryContext, sql);
	return SPI_execute_plan(plans[i].plan, values, nulls, false, 0);
}

/* Open this worker's file naming the job it runs (pg_udf/scheduler-<db>-<index>). */
static void
RunningFileOpen(int index)
{
	char		path[MAXPGPATH];

	if (MakePGDirectory("pg_udf") < 0 && errno != EEXIST)
		ereport(FATAL, (errcode_for_file_access(), errmsg("could not create directory \"pg_udf\": %m")));
	snprintf(path, sizeof(path), "pg_udf/scheduler-%u-%d", MyDatabaseId, index);
	running_fd = BasicOpenFile(path, O_RDWR | O_CREAT | PG_BINARY);
	if (running_fd < 0)
		ereport(FATAL, (errcode_for_file_access(), errmsg("could not open file \"%s\": %m", path)));
}

/* Name the job about to run as "<pid> <id>", NUL-terminated; the name survives a crash of this process. */
static void
RunningFileSet(const char *id)
{
	char		buf[160];
	int			len = snprintf(buf, sizeof(buf), "%d %s", (int) MyProcPid, id) + 1;

	if (pwrite(running_fd, buf, len, 0) != (ssize_t) len)
		ereport(WARNING, (errcode_for_file_access(), errmsg("could not write the running job's id: %m")));
}

/*
 * No job runs now: one NUL byte at the start (a truncate costs far more).
 * Also a before_shmem_exit callback: a normal exit, FATAL included, is no crash.
 */
static void
RunningFileClear(int code, Datum arg)
{
	if (running_fd >= 0 && pwrite(running_fd, "", 1, 0) != 1)
		ereport(WARNING, (errcode_for_file_access(), errmsg("could not clear the running job's id: %m")));
}

/*
 * Count one crash of a job (SPI connected); at JOB_MAX_CRASHES a pending job
 * is failed, and true returned.
 */
static bool
CountCrash(const char *id)
{
	char	   *sql;
	Oid			types[3] = {TEXTOID, FLOAT8OID, INT4OID};
	Datum		values[3] = {CStringGetTextDatum(id), Float8GetDatum(ClockNowMs()), Int32GetDatum(JOB_MAX_CRASHES)};
	bool		failed_now;

	sql = psprintf("WITH old AS (SELECT state FROM %s WHERE id = $1) UPDATE %s SET crashes = crashes + 1, "
				   "state = CASE WHEN state = 'pending' AND crashes + 1 >= $3 THEN 'failed' ELSE state END, "
				   "completed_time = CASE WHEN state = 'pending' AND crashes + 1 >= $3 THEN $2 ELSE completed_time END, "
				   "error = CASE WHEN state = 'pending' AND crashes + 1 >= $3 "
				   "THEN 'The job ended its worker process ' || (crashes + 1) || ' times; it is not run again.' "
				   "ELSE error END WHERE id = $1 RETURNING name, state, crashes, (SELECT state FROM old)",
				   JobTable(), JobTable());
	if (SPI_execute_with_args(sql, 3, types, values, NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "could not count the crash of job %s", id);
	if (SPI_processed == 1)
		ereport(LOG,
				(errmsg("udf scheduler: the worker running %s (job %s) died; the job is now %s after %s crash(es)",
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), id,
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3))));
	failed_now = SPI_processed == 1 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2), "failed") == 0 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4), "pending") == 0;
	return failed_now;
}

/*
 * Before a worker's first claim: every worker file of this database that
 * names a job of a process that is no udf worker any more (it died: a
 * crash, kill -9) gets that crash counted and is cleared. All of them, not
 * just this worker's own, and under a lock, so that no worker can take such
 * a job again before its crash is counted.
 */
static void
CountCrashes(void)
{
	char		prefix[64];
	DIR		   *dir;
	struct dirent *de;
	StatsSchedulerSample counted = {0};

	snprintf(prefix, sizeof(prefix), "scheduler-%u-", MyDatabaseId);
	StartTransactionCommand();
	(void) PinCatalogSearchPath();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	/* one worker at a time; the lock ends with the transaction */
	if (SPI_execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('udf scheduler crash files'))",
					false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not lock the scheduler's crash files");
	dir = AllocateDir("pg_udf");
	while ((de = ReadDir(dir, "pg_udf")) != NULL)
	{
		char		path[MAXPGPATH];
		char		buf[160];
		int			fd;
		ssize_t		n;
		int			pid;
		char	   *space;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "pg_udf/%s", de->d_name);
		fd = OpenTransientFile(path, O_RDWR | PG_BINARY);
		if (fd < 0)
			continue;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[Max(n, 0)] = '\0';
		space = strchr(buf, ' ');
		if (n > 0 && buf[0] != '\0' && space && (pid = atoi(buf)) > 0 && !BgwIsWorkerPid(pid))
		{
			counted.crashes++;
			if (CountCrash(space + 1))
				counted.crash_failed++;
			if (pwrite(fd, "", 1, 0) != 1)
				ereport(WARNING, (errcode_for_file_access(), errmsg("could not clear file \"%s\": %m", path)));
		}
		CloseTransientFile(fd);
	}
	FreeDir(dir);
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	if (counted.crashes > 0)
		StatsStoreScheduler(&counted);
}

/* Claim the earliest due pending job, locking its row (SPI connected). */
static bool
ClaimJob(Job *job, double now_ms)
{
	char	   *sql = psprintf("SELECT id, name, args::text, kind, owner::oid, attempts, scheduled_time FROM %s "
							   "WHERE state = 'pending' AND scheduled_time <= $1 "
							   "ORDER BY scheduled_time LIMIT 1 FOR UPDATE SKIP LOCKED",
							   JobTable());
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1] = {Float8GetDatum(now_ms)};
	TupleDesc	desc;
	HeapTuple	tup;
	MemoryContext old;
	bool		isnull;

	if (JobExecute(sql, 1, types, values, NULL) != SPI_OK_SELECT)
		elog(ERROR, "could not claim a scheduled job");
	if (SPI_processed == 0)
		return false;
	desc = SPI_tuptable->tupdesc;
	tup = SPI_tuptable->vals[0];
	old = MemoryContextSwitchTo(job_cxt);
	job->id = SPI_getvalue(tup, desc, 1);
	job->name = SPI_getvalue(tup, desc, 2);
	job->args = SPI_getvalue(tup, desc, 3);
	job->kind = SPI_getvalue(tup, desc, 4);
	job->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
	job->attempts = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
	job->scheduled_time = DatumGetFloat8(SPI_getbinval(tup, desc, 7, &isnull));
	MemoryContextSwitchTo(old);
	return true;
}

/* Mark a claimed action inProgress, naming this worker (SPI connected). */
static void
MarkInProgress(const Job *job)
{
	char	   *sql = psprintf("UPDATE %s SET state = 'inProgress', worker_pid = $2, started_at = now() "
							   "WHERE id = $1", JobTable());
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(job->id), Int32GetDatum(MyProcPid)};

	if (JobExecute(sql, 2, types, values, NULL) != SPI_OK_UPDATE)
		elog(ERROR, "could not mark job %s in progress", job->id);
}

/*
 * Record how a run ended (SPI connected); an action's end leaves a cancel in
 * place, and returns false then.
 */
static bool
FinishJob(const Job *job, JobOutcome outcome, const char *error, bool only_in_progress)
{
	const char *table = JobTable();
	double		now_ms = ClockNowMs();
	Oid			types[3] = {TEXTOID, FLOAT8OID, TEXTOID};
	Datum		values[3] = {CStringGetTextDatum(job->id), Float8GetDatum(now_ms),
	error ? CStringGetTextDatum(error) : (Datum) 0};
	char		nulls[3] = {' ', ' ', error ? ' ' : 'n'};
	char	   *sql;

	if (outcome == JOB_RETRY)
	{
		double		backoff = Min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * pow(2.0, Min(job->attempts, 30)));

		values[1] = Float8GetDatum(now_ms + backoff);
		sql = psprintf("UPDATE %s SET scheduled_time = $2, attempts = attempts + 1, error = $3 WHERE id = $1",
					   table);
		ereport(LOG,
				(errmsg("udf scheduler: %s (job %s) hit a system error and runs again in %.0f ms: %s",
						job->name, job->id, backoff, error ? error : "")));
	}
	else
		sql = psprintf("UPDATE %s SET state = $4, completed_time = $2, error = $3 WHERE id = $1%s",
					   table, only_in_progress ? " AND state = 'inProgress'" : "");
	{
		Oid			t4[4] = {types[0], types[1], types[2], TEXTOID};
		Datum		v4[4] = {values[0], values[1], values[2],
		CStringGetTextDatum(outcome == JOB_SUCCESS ? "success" : "failed")};
		char		n4[4] = {nulls[0], nulls[1], nulls[2], ' '};

		if (JobExecute(sql, outcome == JOB_RETRY ? 3 : 4, t4, v4, n4) != SPI_OK_UPDATE)
			elog(ERROR, "could not record the end of job %s", job->id);
	}
	if (SPI_processed == 0)
		return false;
	if (outcome == JOB_FAILED)
		ereport(LOG,
				(errmsg("udf scheduler: %s (job %s) failed: %s", job->name, job->id, error ? error : "")));
	return true;
}

/*
 * Run a claimed job's function as its role, in an internal subtransaction
 * of the current transaction. Its writes are kept on success (and for a
 * failed action), rolled back otherwise; *error gets the failure's message.
 */
static JobOutcome
RunJob(const Job *job, char **error)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool		action = strcmp(job->kind, "action") == 0;
	volatile JobOutcome outcome = JOB_FAILED;
	Oid			save_user;
	int			save_sec;

	*error = NULL;
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(job->owner)))
	{
		*error = psprintf("The role that scheduled %s no longer exists.", job->name);
		return JOB_FAILED;
	}
	GetUserIdAndSecContext(&save_user, &save_sec);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		const UdfDeployment *dep;
		const ResolvedFunction *resolved;
		InvokeCall	call = {0};
		char		seed[33];
		char	   *result_json = NULL;
		UdfV8Error	err;
		UdfV8Status st;

		/* the subtransaction's abort restores the user id too */
		SetUserIdAndSecContext(job->owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		dep = StoreCurrentDeployment();
		resolved = NameResolve(dep, job->name);
		if (!resolved->has_module || resolved->kind == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("Could not find function for '%s': it is not in the live deployment.",
							resolved->fn.display)));
		PrngSeedHex(seed, sizeof(seed));
		call.args_json = job->args;
		call.seed = seed;
		call.now_ms = (double) (int64) ClockNowMs();
		call.flags = UDF_INVOKE_ALLOW_INTERNAL | UDF_INVOKE_NO_IDENTITY;
		call.expect_kind = job->kind;
		LimitsCheckArgsSize(resolved->fn.display, strlen(job->args));
		ScheduleSetRunningJob(job->id);
		st = CallFunction(dep, resolved, CALL_FROM_SCHEDULER, &call, &result_json, &err);
		ScheduleSetRunningJob(NULL);
		SetUserIdAndSecContext(save_user, save_sec);
		if (st == UDF_V8_OK)
			outcome = JOB_SUCCESS;
		else
		{
			*error = MemoryContextStrdup(job_cxt, err.message ? err.message : "the function failed");
			outcome = SqlstateFromString(err.code, 0) == ERRCODE_T_R_SERIALIZATION_FAILURE ||
				SqlstateFromString(err.code, 0) == ERRCODE_T_R_DEADLOCK_DETECTED ? JOB_RETRY : JOB_FAILED;
		}
		if (outcome == JOB_SUCCESS || (action && outcome == JOB_FAILED))
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		ScheduleSetRunningJob(NULL);
		MemoryContextSwitchTo(job_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		*error = edata->message;
		outcome = edata->sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE ||
			edata->sqlerrcode == ERRCODE_T_R_DEADLOCK_DETECTED ? JOB_RETRY : JOB_FAILED;
	}
	PG_END_TRY();
	/* an action is never run again */
	if (action && outcome == JOB_RETRY)
		outcome = JOB_FAILED;
	return outcome;
}

/* Claim and run one due job in its own transaction(s); false when none is due. */
static bool
RunOneJob(void)
{
	Job			job;
	JobOutcome	outcome;
	char	   *error;
	bool		action;
	int			pinned;
	instr_time	start;
	StatsSchedulerSample run = {0};

	MemoryContextReset(job_cxt);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pinned = PinCatalogSearchPath();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (!ClaimJob(&job, ClockNowMs()))
	{
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		return false;
	}
	action = strcmp(job.kind, "action") == 0;
	if (action)
	{
		/* at most once: the claim is durable before the action starts */
		MarkInProgress(&job);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		pinned = PinCatalogSearchPath();
		PushActiveSnapshot(GetTransactionSnapshot());
		SPI_connect();
	}
	pgstat_report_activity(STATE_RUNNING, job.name);
	SPI_finish();
	RunningFileSet(job.id);
	SchedulerUnpinSearchPath(pinned);
	run.ran = true;
	run.lag_ms = ClockNowMs() - job.scheduled_time;
	INSTR_TIME_SET_CURRENT(start);
	outcome = RunJob(&job, &error);
	{
		instr_time	end;

		INSTR_TIME_SET_CURRENT(end);
		INSTR_TIME_SUBTRACT(end, start);
		run.run_ms = INSTR_TIME_GET_MILLISEC(end);
	}
	(void) PinCatalogSearchPath();
	SPI_connect();
	if (ActiveSnapshotSet())
		PopActiveSnapshot();
	PushActiveSnapshot(GetTransactionSnapshot());
	/* an action canceled while it ran ends canceled: counted by its cancel */
	if (FinishJob(&job, outcome, error, action))
	{
		run.succeeded = outcome == JOB_SUCCESS;
		run.failed = outcome == JOB_FAILED;
		run.retried = outcome == JOB_RETRY;
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	StatsStoreScheduler(&run);
	RunningFileClear(0, 0);
	pgstat_report_activity(STATE_IDLE, NULL);
	return true;
}

/* Fail the inProgress actions whose worker is gone: they are never run again. */
static void
FailDeadActions(void)
{
	char	   *sql;
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1] = {Float8GetDatum(ClockNowMs())};
	StatsSchedulerSample dead = {0};

	StartTransactionCommand();
	(void) PinCatalogSearchPath();
	sql = psprintf("UPDATE %s j SET state = 'failed', completed_time = $1, "
							   "error = 'Transient error while executing action' "
							   "WHERE state = 'inProgress' AND kind = 'action' AND NOT EXISTS "
							   "(SELECT FROM pg_catalog.pg_stat_activity a "
							   " WHERE a.pid = j.worker_pid AND a.backend_start <= j.started_at)",
							   JobTable());
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (JobExecute(sql, 1, types, values, NULL) != SPI_OK_UPDATE)
		elog(ERROR, "could not fail the actions of dead workers");
	if (SPI_processed > 0)
		ereport(LOG,
				(errmsg("udf scheduler: %lu action(s) were running in a worker that died; they are failed, not run again",
						(unsigned long) SPI_processed)));
	dead.crash_failed = (int64) SPI_processed;
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	if (dead.crash_failed > 0)
		StatsStoreScheduler(&dead);
}

/* Delete finished jobs older than udf.scheduler_retention. */
static void
DeleteExpired(void)
{
	const char *table;
	char	   *sql;
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1] = {Float8GetDatum(ClockNowMs() - (double) scheduler_retention_min * 60 * 1000)};

	StartTransactionCommand();
	(void) PinCatalogSearchPath();
	table = JobTable();
	sql = psprintf("DELETE FROM %s WHERE id IN (SELECT id FROM %s "
				   "WHERE completed_time < $1 LIMIT %d)", table, table, CLEANUP_BATCH);
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (JobExecute(sql, 1, types, values, NULL) != SPI_OK_DELETE)
		elog(ERROR, "could not delete expired jobs");
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/* When the next pending job or cron run is due (ms since the epoch), or +infinity. */
static double
NextDueMs(void)
{
	char	   *sql;
	double		next = INFINITY;
	bool		isnull;
	Datum		d;

	StartTransactionCommand();
	(void) PinCatalogSearchPath();
	sql = psprintf("SELECT LEAST((SELECT min(scheduled_time) FROM %s WHERE state = 'pending'), "
				   "(SELECT min(next_run) FROM %s))",
				   JobTable(), ExtensionTableName("udf_cron"));
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	if (SPI_execute(sql, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			next = DatumGetFloat8(d);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	return next;
}

/* Entry point of a scheduler worker (bgworker.c starts it). */
void
udf_scheduler_main(Datum main_arg)
{
	int			index;
	bool		installed;
	double		last_cleanup = 0;

	BgwWorkerAttach(main_arg, BGW_KIND_SCHEDULER, &index);
	job_cxt = AllocSetContextCreate(TopMemoryContext, "udf job", ALLOCSET_DEFAULT_SIZES);
	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("udf", true));
	CommitTransactionCommand();
	if (!installed)
		BgwWorkerExit(BGW_EXIT_IDLE);
	RunningFileOpen(index);
	CountCrashes();
	before_shmem_exit(RunningFileClear, (Datum) 0);
	FailDeadActions();

	for (;;)
	{
		double		next;
		long		timeout;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!BgwWorkerWanted())
			BgwWorkerExit(BGW_EXIT_IDLE);
		while (RunOneJob())
			CHECK_FOR_INTERRUPTS();
		CronRunDue();
		if (index == 0 && ClockNowMs() - last_cleanup > CLEANUP_EVERY_MS)
		{
			FailDeadActions();
			DeleteExpired();
			last_cleanup = ClockNowMs();
		}
		next = NextDueMs();
		timeout = scheduler_naptime_ms;
		if (isfinite(next))
			timeout = (long) Max(0, Min((double) timeout, ceil(next - ClockNowMs())));
		if (timeout > 0)
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 timeout, PG_WAIT_EXTENSION);
	}
}

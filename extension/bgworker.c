/*
 * bgworker.c -- udf's background workers: one launcher, per-database workers
 * of each kind (the scheduler now, the HTTP endpoint next), and waking them.
 *
 * Everything here exists only when udf is in shared_preload_libraries: then
 * _PG_init (BgwInit) asks for a little shared memory and registers the
 * launcher, a static worker that the postmaster restarts a second after it
 * exits. Loaded any other way, BgwAvailable() is false, BgwWake does
 * nothing, and the rest of udf works as before (jobs wait in their table).
 *
 * Shared memory is one BgwShared: a spinlock, the launcher's latch, a short
 * queue of wake requests for databases that have no worker of a kind
 * running, and one BgwSlot per possible worker (max_worker_processes of
 * them). A slot is a (database, kind, index) the launcher has assigned;
 * while its worker runs, the slot also holds the worker's pid and latch.
 * The launcher alone assigns and frees slots; a worker only fills in and
 * clears its own pid and latch, and says how it ended (exit_idle).
 *
 * The launcher connects to no database (shared catalogs only). At start it
 * reads pg_database and makes sure every database that allows connections
 * has its workers of each kind (the kind's count, a GUC). A worker that
 * finds nothing to do in its database (udf is not installed there) ends
 * with BGW_EXIT_IDLE and is started again only when a backend of that
 * database asks for it (BgwWake, e.g. at the commit of a transaction that
 * scheduled a job). A worker that errors out is started again after
 * BGW_RESTART_DELAY_MS. A worker that crashes makes the postmaster reset
 * the whole cluster, as any backend crash does; the launcher then starts
 * afresh with fresh shared memory.
 *
 * Waking: BgwWake sets the latches of the database's workers of that kind;
 * if there are none, it queues a request and sets the launcher's latch.
 * Latches are set after the spinlock is released.
 *
 * Databases: a connected worker would make DROP DATABASE, CREATE DATABASE
 * ... TEMPLATE and ALTER DATABASE ... RENAME fail ("being accessed by other
 * users"), so a ProcessUtility hook stops that database's workers first
 * (BgwStopDatabase: SIGTERM, wait) and, for a template, wakes them again
 * afterwards.
 *
 * Memory: the launcher's handles live in TopMemoryContext for its life.
 * What may raise: worker registration (no free bgworker slot is a LOG, not
 * an error: the launcher retries).
 */
#include "udf.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/syscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include <signal.h>

#define BGW_MAX_REQUESTS 32
#define BGW_RESTART_DELAY_MS 1000
#define BGW_STOP_WAIT_MS 10000

/* One worker the launcher has assigned. */
typedef struct BgwSlot
{
	Oid			dboid;			/* InvalidOid: the slot is free */
	int			kind;
	int			index;			/* 0 .. count-1 among the database's workers of the kind */
	pid_t		pid;			/* the running worker, 0 if none */
	Latch	   *latch;			/* its latch while it runs */
	bool		exit_idle;		/* it ended with BGW_EXIT_IDLE */
	bool		stop_requested; /* BgwStopDatabase asked it to end */
} BgwSlot;

typedef struct BgwShared
{
	slock_t		mutex;
	Latch	   *launcher_latch;
	int			nrequests;
	bool		requests_overflowed;	/* too many: the launcher rescans every database */
	Oid			request_db[BGW_MAX_REQUESTS];
	int			request_kind[BGW_MAX_REQUESTS];
	int			nslots;
	BgwSlot		slots[FLEXIBLE_ARRAY_MEMBER];
} BgwShared;

/* A kind of per-database worker, as its subsystem registered it. */
typedef struct BgwKindInfo
{
	const char *name;			/* the process title, "udf scheduler" */
	const char *function;		/* its entry point in udf.so */
	int			(*count) (void);	/* how many per database */
} BgwKindInfo;

static BgwShared *bgw = NULL;
static bool bgw_preloaded = false;
static BgwKindInfo kinds[BGW_NUM_KINDS];
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static ProcessUtility_hook_type prev_process_utility_hook = NULL;

/* this process's slot, when it is a per-database worker */
static int	my_slot = -1;

/* the launcher's own view of its slots */
static BackgroundWorkerHandle **launcher_handles = NULL;
static TimestampTz *launcher_restart_at = NULL;

static Size BgwShmemSize(void);
static void BgwShmemRequest(void);
static void BgwShmemStartup(void);
static void BgwProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
							  ProcessUtilityContext context, ParamListInfo params,
							  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc);
static void BgwStopDatabase(Oid dboid);
static void BgwWorkerDetach(int code, Datum arg);
static void LauncherEnsure(Oid dboid, int kind);
static void LauncherEnsureAll(void);
static void LauncherStart(int slot);
static void LauncherReap(void);
static bool DatabaseExists(Oid dboid);

/* Register a kind of per-database worker; called from its subsystem's Init. */
void
BgwRegisterKind(BgwKind kind, const char *name, const char *function, int (*count) (void))
{
	kinds[kind].name = name;
	kinds[kind].function = function;
	kinds[kind].count = count;
}

/* Workers of kind per database, as its subsystem sets them (0 before it registered). */
int
BgwKindWorkers(BgwKind kind)
{
	return kinds[kind].count ? kinds[kind].count() : 0;
}

/* _PG_init: with the library preloaded, ask for shared memory and register the launcher. */
void
BgwInit(void)
{
	BackgroundWorker worker;

	if (!process_shared_preload_libraries_in_progress)
		return;
	bgw_preloaded = true;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = BgwShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = BgwShmemStartup;
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = BgwProcessUtility;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "udf");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "udf_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "udf launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "udf launcher");
	RegisterBackgroundWorker(&worker);
}

/* Bytes of shared memory udf's workers need. */
static Size
BgwShmemSize(void)
{
	return add_size(offsetof(BgwShared, slots), mul_size(max_worker_processes, sizeof(BgwSlot)));
}

/* shmem_request_hook: reserve BgwShared. */
static void
BgwShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(BgwShmemSize());
}

/* shmem_startup_hook: find or create BgwShared. */
static void
BgwShmemStartup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bgw = ShmemInitStruct("udf workers", BgwShmemSize(), &found);
	if (!found)
	{
		memset(bgw, 0, BgwShmemSize());
		SpinLockInit(&bgw->mutex);
		bgw->nslots = max_worker_processes;
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Whether background workers run udf's jobs here (the library is preloaded). */
bool
BgwAvailable(void)
{
	return bgw != NULL;
}

/* Wake the workers of a kind in a database, asking the launcher to start them if none run. */
void
BgwWake(Oid dboid, BgwKind kind)
{
	Latch	   *wake[64];
	int			nwake = 0;
	Latch	   *launcher = NULL;

	if (bgw == NULL)
		return;
	SpinLockAcquire(&bgw->mutex);
	for (int i = 0; i < bgw->nslots; i++)
	{
		BgwSlot    *s = &bgw->slots[i];

		if (s->dboid == dboid && s->kind == kind && s->latch != NULL && nwake < lengthof(wake))
			wake[nwake++] = s->latch;
	}
	if (nwake == 0)
	{
		bool		queued = false;

		for (int i = 0; i < bgw->nrequests; i++)
			if (bgw->request_db[i] == dboid && bgw->request_kind[i] == kind)
				queued = true;
		if (!queued && bgw->nrequests < BGW_MAX_REQUESTS)
		{
			bgw->request_db[bgw->nrequests] = dboid;
			bgw->request_kind[bgw->nrequests] = kind;
			bgw->nrequests++;
		}
		else if (!queued)
			bgw->requests_overflowed = true;
		launcher = bgw->launcher_latch;
	}
	SpinLockRelease(&bgw->mutex);
	for (int i = 0; i < nwake; i++)
		SetLatch(wake[i]);
	if (launcher)
		SetLatch(launcher);
}

/* ProcessUtility hook: commands that need a database without connections stop its workers first. */
static void
BgwProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				  ProcessUtilityContext context, ParamListInfo params,
				  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	Oid			stopped = InvalidOid;
	bool		wake_after = false;

	if (IsA(stmt, DropdbStmt))
		stopped = get_database_oid(((DropdbStmt *) stmt)->dbname, true);
	else if (IsA(stmt, RenameStmt) && ((RenameStmt *) stmt)->renameType == OBJECT_DATABASE)
	{
		stopped = get_database_oid(((RenameStmt *) stmt)->subname, true);
		wake_after = true;
	}
	else if (IsA(stmt, CreatedbStmt))
	{
		ListCell   *lc;

		foreach(lc, ((CreatedbStmt *) stmt)->options)
		{
			DefElem    *opt = lfirst(lc);

			if (strcmp(opt->defname, "template") == 0 && opt->arg != NULL)
				stopped = get_database_oid(defGetString(opt), true);
		}
		wake_after = true;
	}
	if (OidIsValid(stopped) && stopped != MyDatabaseId)
		BgwStopDatabase(stopped);
	else
		stopped = InvalidOid;

	if (prev_process_utility_hook)
		prev_process_utility_hook(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);

	if (OidIsValid(stopped) && wake_after)
		for (int k = 0; k < BGW_NUM_KINDS; k++)
			BgwWake(stopped, k);
}

/* Ask every worker of a database to end, and wait (up to BGW_STOP_WAIT_MS) until they have. */
static void
BgwStopDatabase(Oid dboid)
{
	if (bgw == NULL)
		return;
	for (int waited = 0; waited < BGW_STOP_WAIT_MS; waited += 10)
	{
		bool		running = false;

		SpinLockAcquire(&bgw->mutex);
		for (int i = 0; i < bgw->nslots; i++)
		{
			BgwSlot    *s = &bgw->slots[i];

			if (s->dboid != dboid)
				continue;
			s->stop_requested = true;
			if (s->pid != 0)
			{
				running = true;
				kill(s->pid, SIGTERM);
			}
		}
		SpinLockRelease(&bgw->mutex);
		if (!running)
			return;
		CHECK_FOR_INTERRUPTS();
		pg_usleep(10 * 1000L);
	}
}

/*
 * In a per-database worker: take the slot main_arg names, set up signals,
 * and connect to its database as the bootstrap superuser. *index is the
 * worker's index among its database's workers of the kind.
 */
void
BgwWorkerAttach(Datum main_arg, BgwKind kind, int *index)
{
	BgwSlot    *s;
	Oid			dboid;

	my_slot = DatumGetInt32(main_arg);
	if (bgw == NULL || my_slot < 0 || my_slot >= bgw->nslots)
		elog(FATAL, "udf worker started without its slot");
	s = &bgw->slots[my_slot];
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	pqsignal(SIGINT, StatementCancelHandler);
	BackgroundWorkerUnblockSignals();

	SpinLockAcquire(&bgw->mutex);
	dboid = s->dboid;
	*index = s->index;
	s->pid = MyProcPid;
	s->latch = MyLatch;
	s->exit_idle = false;
	SpinLockRelease(&bgw->mutex);
	before_shmem_exit(BgwWorkerDetach, (Datum) 0);
	if (s->kind != kind || !OidIsValid(dboid))
		elog(FATAL, "udf worker started in a slot of another kind");
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
}

/* Whether pid is a running udf worker (not a process that died and whose pid is free, or reused). */
bool
BgwIsWorkerPid(pid_t pid)
{
	bool		found = false;

	SpinLockAcquire(&bgw->mutex);
	for (int i = 0; i < bgw->nslots; i++)
		if (bgw->slots[i].pid == pid)
			found = true;
	SpinLockRelease(&bgw->mutex);
	return found;
}

/* Whether this worker is still wanted: its index is below its kind's count, no stop is asked. */
bool
BgwWorkerWanted(void)
{
	BgwSlot    *s = &bgw->slots[my_slot];

	return !s->stop_requested && s->index < kinds[s->kind].count();
}

/* End this per-database worker, telling the launcher whether to start it again. */
void
BgwWorkerExit(BgwExit how)
{
	SpinLockAcquire(&bgw->mutex);
	bgw->slots[my_slot].exit_idle = how == BGW_EXIT_IDLE;
	SpinLockRelease(&bgw->mutex);
	proc_exit(0);
}

/* before_shmem_exit: the worker is gone; a stopped one is not started again. */
static void
BgwWorkerDetach(int code, Datum arg)
{
	BgwSlot    *s = &bgw->slots[my_slot];
	Latch	   *launcher;

	SpinLockAcquire(&bgw->mutex);
	s->pid = 0;
	s->latch = NULL;
	if (s->stop_requested)
		s->exit_idle = true;
	launcher = bgw->launcher_latch;
	SpinLockRelease(&bgw->mutex);
	if (launcher)
		SetLatch(launcher);
}

/* Start the worker of a slot the launcher has assigned. */
static void
LauncherStart(int slot)
{
	BgwSlot    *s = &bgw->slots[slot];
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "udf");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", kinds[s->kind].function);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s %d of database %u", kinds[s->kind].name, s->index, s->dboid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", kinds[s->kind].name);
	worker.bgw_main_arg = Int32GetDatum(slot);
	worker.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&worker, &launcher_handles[slot]))
	{
		/* no free bgworker slot now: try again after the restart delay */
		ereport(LOG,
				(errmsg("udf launcher could not start a %s for database %u", kinds[s->kind].name, s->dboid),
				 errhint("Raise max_worker_processes (it counts udf's workers too).")));
		launcher_handles[slot] = NULL;
		launcher_restart_at[slot] = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), BGW_RESTART_DELAY_MS);
		return;
	}
	launcher_restart_at[slot] = 0;
}

/* Make sure a database has its workers of a kind, assigning slots for those missing. */
static void
LauncherEnsure(Oid dboid, int kind)
{
	int			want = kinds[kind].count();

	for (int index = 0; index < want; index++)
	{
		int			free_slot = -1;
		bool		have = false;

		SpinLockAcquire(&bgw->mutex);
		for (int i = 0; i < bgw->nslots; i++)
		{
			BgwSlot    *s = &bgw->slots[i];

			if (s->dboid == dboid && s->kind == kind && s->index == index)
				have = true;
			else if (!OidIsValid(s->dboid) && free_slot < 0)
				free_slot = i;
		}
		if (!have && free_slot >= 0)
		{
			BgwSlot    *s = &bgw->slots[free_slot];

			memset(s, 0, sizeof(*s));
			s->dboid = dboid;
			s->kind = kind;
			s->index = index;
		}
		SpinLockRelease(&bgw->mutex);
		if (!have && free_slot >= 0)
			LauncherStart(free_slot);
	}
}

/* Every database that allows connections gets its workers of every kind. */
static void
LauncherEnsureAll(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	List	   *dbs = NIL;
	ListCell   *lc;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);

		if (db->datallowconn && !db->datistemplate)
		{
			MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

			dbs = lappend_oid(dbs, db->oid);
			MemoryContextSwitchTo(old);
		}
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	foreach(lc, dbs)
		for (int k = 0; k < BGW_NUM_KINDS; k++)
			if (kinds[k].function)
				LauncherEnsure(lfirst_oid(lc), k);
	list_free(dbs);
}

/* Whether a database still exists (a worker of a dropped one is not started again). */
static bool
DatabaseExists(Oid dboid)
{
	bool		exists;

	StartTransactionCommand();
	exists = SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(dboid));
	CommitTransactionCommand();
	return exists;
}

/* Free the slots of workers that ended idle, restart the others when their delay is over. */
static void
LauncherReap(void)
{
	TimestampTz now = GetCurrentTimestamp();

	for (int i = 0; i < bgw->nslots; i++)
	{
		BgwSlot    *s = &bgw->slots[i];
		pid_t		pid;
		bool		idle;
		bool		gone;

		if (!OidIsValid(s->dboid))
			continue;
		/* running, started by an earlier launcher (this one has no handle): leave it be */
		if (launcher_handles[i] == NULL && s->pid != 0)
			continue;
		if (launcher_handles[i] != NULL &&
			GetBackgroundWorkerPid(launcher_handles[i], &pid) != BGWH_STOPPED)
			continue;
		if (launcher_handles[i] != NULL)
		{
			pfree(launcher_handles[i]);
			launcher_handles[i] = NULL;
			launcher_restart_at[i] = TimestampTzPlusMilliseconds(now, BGW_RESTART_DELAY_MS);
		}
		gone = !DatabaseExists(s->dboid);
		SpinLockAcquire(&bgw->mutex);
		idle = s->exit_idle || s->index >= kinds[s->kind].count() || gone;
		if (idle)
			s->dboid = InvalidOid;
		SpinLockRelease(&bgw->mutex);
		if (!idle && now >= launcher_restart_at[i])
			LauncherStart(i);
	}
}

/* The launcher's main loop: start, reap and restart per-database workers. */
void
udf_launcher_main(Datum main_arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	launcher_handles = MemoryContextAllocZero(TopMemoryContext, sizeof(void *) * bgw->nslots);
	launcher_restart_at = MemoryContextAllocZero(TopMemoryContext, sizeof(TimestampTz) * bgw->nslots);
	SpinLockAcquire(&bgw->mutex);
	/* after a launcher restart (not a cluster reset) nothing it assigned is known to it: start over */
	for (int i = 0; i < bgw->nslots; i++)
		if (bgw->slots[i].pid == 0)
			bgw->slots[i].dboid = InvalidOid;
	bgw->launcher_latch = MyLatch;
	bgw->nrequests = 0;
	bgw->requests_overflowed = false;
	SpinLockRelease(&bgw->mutex);

	LauncherEnsureAll();
	for (;;)
	{
		Oid			req_db[BGW_MAX_REQUESTS];
		int			req_kind[BGW_MAX_REQUESTS];
		int			nreq;
		bool		overflowed;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 BGW_RESTART_DELAY_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		SpinLockAcquire(&bgw->mutex);
		nreq = bgw->nrequests;
		memcpy(req_db, bgw->request_db, sizeof(Oid) * nreq);
		memcpy(req_kind, bgw->request_kind, sizeof(int) * nreq);
		overflowed = bgw->requests_overflowed;
		bgw->nrequests = 0;
		bgw->requests_overflowed = false;
		SpinLockRelease(&bgw->mutex);

		LauncherReap();
		if (overflowed)
			LauncherEnsureAll();
		for (int i = 0; i < nreq; i++)
			LauncherEnsure(req_db[i], req_kind[i]);
	}
}

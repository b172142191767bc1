/*
 * stats.c -- statistics in shared memory, in the manner of
 * pg_stat_statements.
 *
 * One shared hash table of udf.stats_max entries holds three classes of
 * entry: one per (role, database, kind, function path, source) for
 * udf_stats, one per database for udf_scheduler_stats, and one per
 * (database, route) for udf_http_stats. They share the memory, the lock,
 * eviction, saving and udf_stats_reset(). The table is allocated once at
 * server start: the library
 * must be in shared_preload_libraries, because only then can it ask for
 * shared memory (shmem_request_hook, PG15) and set it up
 * (shmem_startup_hook). Without preloading there is no shared memory:
 * nothing is collected, the call path skips the work, and the SQL functions
 * raise an error with a hint (StatsRequireShared); there are no scheduler
 * or HTTP workers then either.
 *
 * Locking: the hash is guarded by one LWLock (the tranche "udf_stats"). A
 * call's sample is added under the lock in shared mode, with the entry's
 * own spinlock held around its counters, so backends running different
 * functions never wait for each other; only creating an entry, evicting and
 * resetting take the lock exclusively. The global counters (evictions, last
 * reset) have a spinlock of their own.
 *
 * Eviction: when a new entry finds the hash full, the least-used 5% go (at
 * least ten), as pg_stat_statements does; usage is the number of calls (of
 * jobs, of requests), decayed a little at each eviction so old busy entries
 * can age out. Each eviction pass is counted (udf_stats_info.dealloc). The
 * pass sorts pointers in an array of shared memory set aside for it, so
 * that storing a sample never allocates and never raises: it may run in a
 * commit callback (schedstats.c).
 *
 * Persistence: at a clean shutdown the postmaster writes every entry to
 * $PGDATA/pg_stat/udf_stats.stat (udf.stats_save) and the next start reads
 * them back and removes the file; a crash or a file of another format starts
 * afresh.
 *
 * Nothing here calls into V8; StatsStore runs after the shim has returned.
 * The Store functions never raise (an entry that cannot be made drops the
 * sample); the view's copy may (out of memory), never while a spinlock is
 * held.
 */
#include "udf.h"

#include <math.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/timestamp.h"

#define STATS_DUMP_FILE "pg_stat/udf_stats.stat"
/* the file's format: changes whenever an entry's layout does */
#define STATS_FILE_MAGIC (0x75646673 ^ (uint32) sizeof(StatsRow))
#define USAGE_DEALLOC_PERCENT 5
#define USAGE_DECREASE_FACTOR 0.99

/* One entry of the shared hash. */
typedef struct StatsEntry
{
	StatsKey	key;			/* must be first: the hash key */
	char		kind[STATS_KIND_LEN];	/* set when made, never changed */
	char		function[STATS_FUNCTION_LEN];
	double		usage;			/* guarded by mutex */
	StatsAnyCounters c;			/* guarded by mutex; the member of key.cls */
	slock_t		mutex;
} StatsEntry;

/* The shared state besides the hash. */
typedef struct StatsShared
{
	LWLock	   *lock;			/* guards the hash */
	slock_t		mutex;			/* guards global */
	StatsGlobal global;
	StatsEntry *victims[FLEXIBLE_ARRAY_MEMBER];	/* udf.stats_max, for eviction (lock held) */
} StatsShared;

typedef enum StatsTrack
{
	STATS_TRACK_NONE,
	STATS_TRACK_TOP,
	STATS_TRACK_ALL
} StatsTrack;

static const struct config_enum_entry track_options[] = {
	{"none", STATS_TRACK_NONE, false},
	{"top", STATS_TRACK_TOP, false},
	{"all", STATS_TRACK_ALL, false},
	{NULL, 0, false}
};

static int	udf_stats_max = 5000;
static int	udf_stats_track = STATS_TRACK_ALL;
static bool udf_stats_save = true;

static StatsShared *shared = NULL;
static HTAB *stats_hash = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size StatsMemSize(void);
static void StatsShmemRequest(void);
static void StatsShmemStartup(void);
static void StatsShmemShutdown(int code, Datum arg);
static void StatsLoad(void);
static StatsEntry *EntryAlloc(const StatsKey *key, const char *function, const char *kind);
static void EntryDealloc(void);
static int	UsageCompare(const void *a, const void *b);
static StatsEntry *EntryFor(const StatsKey *key, const char *function, const char *kind);
static void AddSample(StatsCounters *c, const StatsSample *s);
static int	HistogramBucket(double ms);

/* Register the settings; when preloaded, udf.stats_max too, and ask for shared memory. */
void
StatsInit(void)
{
	DefineCustomEnumVariable("udf.stats_track",
							 "Which function calls udf_stats counts.",
							 "top: calls from SQL and triggers; all: nested ctx.runQuery/runMutation "
							 "calls too; none: nothing.",
							 &udf_stats_track,
							 STATS_TRACK_ALL, track_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("udf.stats_save",
							 "Keep udf_stats across server restarts.",
							 "Written to pg_stat/udf_stats.stat at a clean shutdown, read back at start.",
							 &udf_stats_save,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	/* a server-start setting can only be made while the server starts */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomIntVariable("udf.stats_max",
							"Maximum number of functions udf_stats keeps.",
							"One entry per role, database, kind and function; when full, the "
							"least-used 5% are evicted. Range 100 to 1000000; needs a restart.",
							&udf_stats_max,
							5000, 100, 1000000,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = StatsShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = StatsShmemStartup;
}

/* Shared memory the statistics need. */
static Size
StatsMemSize(void)
{
	return add_size(MAXALIGN(add_size(offsetof(StatsShared, victims),
									  mul_size(udf_stats_max, sizeof(StatsEntry *)))),
					hash_estimate_size(udf_stats_max, sizeof(StatsEntry)));
}

/* shmem_request_hook: the memory and the lock. */
static void
StatsShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(StatsMemSize());
	RequestNamedLWLockTranche("udf_stats", 1);
}

/* shmem_startup_hook: attach to (or make) the shared state; the postmaster loads the saved file. */
static void
StatsShmemStartup(void)
{
	bool		found;
	HASHCTL		info;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = ShmemInitStruct("udf_stats",
							 add_size(offsetof(StatsShared, victims),
									  mul_size(udf_stats_max, sizeof(StatsEntry *))),
							 &found);
	if (!found)
	{
		shared->lock = &(GetNamedLWLockTranche("udf_stats"))->lock;
		SpinLockInit(&shared->mutex);
		shared->global.dealloc = 0;
		shared->global.stats_reset = GetCurrentTimestamp();
	}
	info.keysize = sizeof(StatsKey);
	info.entrysize = sizeof(StatsEntry);
	stats_hash = ShmemInitHash("udf_stats hash", udf_stats_max, udf_stats_max,
							   &info, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
	if (!IsUnderPostmaster)
		on_shmem_exit(StatsShmemShutdown, (Datum) 0);
	if (!found)
		StatsLoad();
}

/* Read the entries a clean shutdown saved, then remove the file. */
static void
StatsLoad(void)
{
	FILE	   *file = AllocateFile(STATS_DUMP_FILE, PG_BINARY_R);
	uint32		magic;
	int32		n;
	StatsGlobal global;

	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG, (errcode_for_file_access(),
						  errmsg("could not read file \"%s\": %m", STATS_DUMP_FILE)));
		return;
	}
	if (fread(&magic, sizeof(magic), 1, file) != 1 || magic != STATS_FILE_MAGIC ||
		fread(&global, sizeof(global), 1, file) != 1 ||
		fread(&n, sizeof(n), 1, file) != 1 || n < 0)
		goto bad;
	shared->global = global;
	for (int i = 0; i < n; i++)
	{
		StatsRow	row;
		StatsEntry *e;

		if (fread(&row, sizeof(row), 1, file) != 1)
			goto bad;
		/* a smaller udf.stats_max than before: the rest is evicted as usual */
		if (hash_get_num_entries(stats_hash) >= udf_stats_max)
			EntryDealloc();
		e = EntryAlloc(&row.key, row.function, row.kind);
		if (e == NULL)
			break;
		e->usage = row.usage;
		e->c = row.c;
	}
	FreeFile(file);
	unlink(STATS_DUMP_FILE);
	return;
bad:
	ereport(LOG, (errmsg("ignoring udf statistics file \"%s\": it is damaged or from another version",
						 STATS_DUMP_FILE)));
	FreeFile(file);
	unlink(STATS_DUMP_FILE);
}

/* on_shmem_exit in the postmaster: save every entry at a clean shutdown. */
static void
StatsShmemShutdown(int code, Datum arg)
{
	FILE	   *file;
	HASH_SEQ_STATUS hs;
	StatsEntry *e;
	uint32		magic = STATS_FILE_MAGIC;
	int32		n;

	/* a crash, or nothing to save: leave no file */
	if (code || !shared || !stats_hash)
		return;
	if (!udf_stats_save)
	{
		unlink(STATS_DUMP_FILE);
		return;
	}
	file = AllocateFile(STATS_DUMP_FILE ".tmp", PG_BINARY_W);
	if (file == NULL)
		goto error;
	n = hash_get_num_entries(stats_hash);
	if (fwrite(&magic, sizeof(magic), 1, file) != 1 ||
		fwrite(&shared->global, sizeof(StatsGlobal), 1, file) != 1 ||
		fwrite(&n, sizeof(n), 1, file) != 1)
		goto error;
	hash_seq_init(&hs, stats_hash);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		StatsRow	row;

		row.key = e->key;
		memcpy(row.kind, e->kind, sizeof(row.kind));
		memcpy(row.function, e->function, sizeof(row.function));
		row.usage = e->usage;
		row.c = e->c;

		if (fwrite(&row, sizeof(row), 1, file) != 1)
		{
			hash_seq_term(&hs);
			goto error;
		}
	}
	if (FreeFile(file))
	{
		file = NULL;
		goto error;
	}
	(void) durable_rename(STATS_DUMP_FILE ".tmp", STATS_DUMP_FILE, LOG);
	return;
error:
	ereport(LOG, (errcode_for_file_access(),
				  errmsg("could not write file \"%s\": %m", STATS_DUMP_FILE ".tmp")));
	if (file)
		FreeFile(file);
	unlink(STATS_DUMP_FILE ".tmp");
}

/* Does udf.stats_track want a call at this level counted? */
bool
StatsWanted(bool top_level)
{
	return shared != NULL &&
		(udf_stats_track == STATS_TRACK_ALL || (udf_stats_track == STATS_TRACK_TOP && top_level));
}

/*
 * Should a call that took total_ms read V8's heap statistics for
 * peak_heap_bytes? Reading them walks every heap space, about as costly as
 * the rest of a trivial call's bookkeeping, so only calls of 0.1 ms or more
 * and every 64th call are measured: a call shorter than that cannot grow
 * the heap by much.
 */
bool
StatsSampleHeap(double total_ms)
{
	static uint32 calls = 0;

	return total_ms >= 0.1 || (++calls & 63) == 0;
}

/* ERROR unless there is shared memory for statistics. */
void
StatsRequireShared(void)
{
	if (!shared)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("udf_stats must be loaded via \"shared_preload_libraries\""),
				 errdetail("Statistics live in shared memory, which only a preloaded library can reserve."),
				 errhint("Add udf to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/*
 * A new entry for key, named function and kind; the exclusive lock is held
 * and there should be room. NULL if there is none after all (never raises).
 */
static StatsEntry *
EntryAlloc(const StatsKey *key, const char *function, const char *kind)
{
	bool		found;
	StatsEntry *e = hash_search(stats_hash, key, HASH_ENTER_NULL, &found);

	if (e && !found)
	{
		strlcpy(e->function, function, sizeof(e->function));
		strlcpy(e->kind, kind, sizeof(e->kind));
		memset(&e->c, 0, sizeof(e->c));
		e->usage = 1.0;
		SpinLockInit(&e->mutex);
	}
	return e;
}

/* qsort order: least used first. */
static int
UsageCompare(const void *a, const void *b)
{
	double		l = (*(StatsEntry *const *) a)->usage;
	double		r = (*(StatsEntry *const *) b)->usage;

	return l < r ? -1 : l > r ? 1 : 0;
}

/* Evict the least-used entries; the exclusive lock is held. Allocates nothing. */
static void
EntryDealloc(void)
{
	HASH_SEQ_STATUS hs;
	StatsEntry **entries = shared->victims;
	StatsEntry *e;
	int			n = 0;
	int			victims;

	hash_seq_init(&hs, stats_hash);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		/* usage is read and written under the exclusive lock: no sample is being added */
		e->usage *= USAGE_DECREASE_FACTOR;
		if (n < udf_stats_max)
			entries[n++] = e;
	}
	qsort(entries, n, sizeof(StatsEntry *), UsageCompare);
	victims = Min(n, Max(10, n * USAGE_DEALLOC_PERCENT / 100));
	for (int i = 0; i < victims; i++)
		hash_search(stats_hash, &entries[i]->key, HASH_REMOVE, NULL);
	SpinLockAcquire(&shared->mutex);
	shared->global.dealloc++;
	SpinLockRelease(&shared->mutex);
}

/* The latency histogram's bucket of ms. */
static int
HistogramBucket(double ms)
{
	static const double bounds[STATS_HIST_BUCKETS - 1] = STATS_HIST_BOUNDS_MS;
	int			b = 0;

	while (b < STATS_HIST_BUCKETS - 1 && ms > bounds[b])
		b++;
	return b;
}

/* The index of status's class in a status[] array (2xx first), or -1 for 1xx and others. */
int
StatsStatusClass(int status)
{
	return status >= 200 && status < 600 ? status / 100 - 2 : -1;
}

/* Add one call's sample to an entry's counters (its spinlock held: no calls out). */
static void
AddSample(StatsCounters *c, const StatsSample *s)
{
	double		t = s->total_ms;

	c->calls++;
	if (s->error != STATS_ERR_NONE)
		c->errors[s->error]++;
	if (c->calls == 1)
	{
		c->min_ms = c->max_ms = c->mean_ms = t;
		c->sum_var_ms = 0;
	}
	else
	{
		double		old_mean = c->mean_ms;

		c->mean_ms += (t - old_mean) / c->calls;
		c->sum_var_ms += (t - old_mean) * (t - c->mean_ms);
		c->min_ms = Min(c->min_ms, t);
		c->max_ms = Max(c->max_ms, t);
	}
	c->total_ms += t;
	c->syscall_ms += s->syscall_ms;
	for (int i = 0; i < STATS_MAX_OPS; i++)
		c->syscalls[i] += s->syscalls[i];
	c->documents_read += s->documents_read;
	c->bytes_read += s->bytes_read;
	c->documents_written += s->documents_written;
	c->bytes_written += s->bytes_written;
	c->peak_heap_bytes = Max(c->peak_heap_bytes, (int64) s->heap_bytes);
	c->histogram[HistogramBucket(t)]++;
	c->fetch.fetches += s->fetch.fetches;
	c->fetch.failures += s->fetch.failures;
	c->fetch.refused += s->fetch.refused;
	c->fetch.timeouts += s->fetch.timeouts;
	c->fetch.network_errors += s->fetch.network_errors;
	for (int i = 0; i < STATS_STATUS_CLASSES; i++)
		c->fetch.status[i] += s->fetch.status[i];
	c->fetch.bytes_sent += s->fetch.bytes_sent;
	c->fetch.bytes_received += s->fetch.bytes_received;
	c->fetch.wait_ms += s->fetch.wait_ms;
}

/* Add a scheduler event to a database's counters (its spinlock held). */
static void
AddScheduler(StatsSchedulerCounters *c, const StatsSchedulerSample *s)
{
	c->scheduled += s->scheduled;
	c->canceled += s->canceled;
	c->succeeded += s->succeeded;
	c->failed += s->failed;
	c->retried += s->retried;
	c->crashes += s->crashes;
	c->crash_failed += s->crash_failed;
	if (s->ran)
	{
		double		lag = Max(s->lag_ms, 0.0);

		c->runs++;
		c->lag_total_ms += lag;
		c->lag_max_ms = Max(c->lag_max_ms, lag);
		c->lag_histogram[HistogramBucket(lag)]++;
		c->run_ms += s->run_ms;
	}
}

/* Add one answered request to a route's counters (its spinlock held). */
static void
AddHttp(StatsHttpCounters *c, const StatsHttpSample *s)
{
	int			cls = StatsStatusClass(s->status);

	c->requests++;
	if (cls >= 0)
		c->status[cls]++;
	c->bytes_in += s->bytes_in;
	c->bytes_out += s->bytes_out;
	c->min_ms = c->requests == 1 ? s->ms : Min(c->min_ms, s->ms);
	c->max_ms = Max(c->max_ms, s->ms);
	c->total_ms += s->ms;
	c->histogram[HistogramBucket(s->ms)]++;
}

/* The 64-bit id of a function of a kind; the last one is remembered, as calls repeat. */
static inline uint64
FunctionId(const char *function, const char *kind)
{
	static char last_function[STATS_FUNCTION_LEN];
	static char last_kind[STATS_KIND_LEN];
	static uint64 last_id = 0;
	uint64		id;

	if (last_id != 0 && strcmp(function, last_function) == 0 && strcmp(kind, last_kind) == 0)
		return last_id;
	id = hash_bytes_extended((const unsigned char *) function, strlen(function),
							 hash_bytes((const unsigned char *) kind, strlen(kind)));
	strlcpy(last_function, function, sizeof(last_function));
	strlcpy(last_kind, kind, sizeof(last_kind));
	last_id = id;
	return id;
}

/*
 * The entry of key, made (named function and kind) if it is new, with the
 * hash's lock held in some mode; NULL, with no lock held, if it could not
 * be made. Never raises.
 */
static StatsEntry *
EntryFor(const StatsKey *key, const char *function, const char *kind)
{
	StatsEntry *e;

	LWLockAcquire(shared->lock, LW_SHARED);
	e = hash_search(stats_hash, key, HASH_FIND, NULL);
	if (e)
		return e;
	/* a new entry: room is made under the exclusive lock */
	LWLockRelease(shared->lock);
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	e = hash_search(stats_hash, key, HASH_FIND, NULL);
	if (!e)
	{
		if (hash_get_num_entries(stats_hash) >= udf_stats_max)
			EntryDealloc();
		e = EntryAlloc(key, function, kind);
	}
	if (!e)
		LWLockRelease(shared->lock);
	return e;
}

/* Is there shared memory for statistics (udf preloaded)? */
bool
StatsAvailable(void)
{
	return shared != NULL;
}

/* A source's name, as udf_stats' source column shows it. */
const char *
StatsSourceName(StatsSource source)
{
	static const char *const names[STATS_NSOURCES] = {"sql", "trigger", "nested", "scheduler", "http"};

	return source >= 0 && source < STATS_NSOURCES ? names[source] : "unknown";
}

/* Add one call of function (of kind, called from source) by the current role to its entry. */
void
StatsStore(const char *function, const char *kind, StatsSource source, const StatsSample *sample)
{
	StatsKey	key = {0};
	StatsEntry *e;

	if (!shared)
		return;
	key.userid = GetUserId();
	key.dbid = MyDatabaseId;
	key.function_id = FunctionId(function, kind);
	key.cls = STATS_CLASS_FUNCTION;
	key.source = (int16) source;

	e = EntryFor(&key, function, kind);
	if (!e)
		return;
	SpinLockAcquire(&e->mutex);
	AddSample(&e->c.fn, sample);
	e->usage += 1.0;
	SpinLockRelease(&e->mutex);
	LWLockRelease(shared->lock);
}

/* Add a scheduler event of the current database to its entry. Never raises. */
void
StatsStoreScheduler(const StatsSchedulerSample *sample)
{
	StatsKey	key = {0};
	StatsEntry *e;

	if (!shared)
		return;
	key.dbid = MyDatabaseId;
	key.cls = STATS_CLASS_SCHEDULER;
	e = EntryFor(&key, "", "scheduler");
	if (!e)
		return;
	SpinLockAcquire(&e->mutex);
	AddScheduler(&e->c.sched, sample);
	e->usage += 1.0;
	SpinLockRelease(&e->mutex);
	LWLockRelease(shared->lock);
}

/* Add one answered request of route (of kind) in the current database to its entry. */
void
StatsStoreHttp(const char *route, const char *kind, const StatsHttpSample *sample)
{
	StatsKey	key = {0};
	StatsEntry *e;

	if (!shared)
		return;
	key.dbid = MyDatabaseId;
	key.function_id = hash_bytes_extended((const unsigned char *) route, strlen(route),
										  hash_bytes((const unsigned char *) kind, strlen(kind)));
	key.cls = STATS_CLASS_HTTP;
	e = EntryFor(&key, route, kind);
	if (!e)
		return;
	SpinLockAcquire(&e->mutex);
	AddHttp(&e->c.http, sample);
	e->usage += 1.0;
	SpinLockRelease(&e->mutex);
	LWLockRelease(shared->lock);
}

/* A copy of every entry of a class, palloc'd in the current context; ERROR without shared memory. */
StatsRow *
StatsSnapshot(StatsClass cls, int *nrows)
{
	HASH_SEQ_STATUS hs;
	StatsEntry *e;
	StatsRow   *rows;
	int			n = 0;

	StatsRequireShared();
	LWLockAcquire(shared->lock, LW_SHARED);
	/* palloc may raise: the lock is released by the error's LWLockReleaseAll */
	rows = palloc(Max(1, hash_get_num_entries(stats_hash)) * sizeof(StatsRow));
	hash_seq_init(&hs, stats_hash);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		if (e->key.cls != cls)
			continue;
		rows[n].key = e->key;
		memcpy(rows[n].kind, e->kind, sizeof(rows[n].kind));
		memcpy(rows[n].function, e->function, sizeof(rows[n].function));
		SpinLockAcquire(&e->mutex);
		rows[n].usage = e->usage;
		rows[n].c = e->c;
		SpinLockRelease(&e->mutex);
		n++;
	}
	LWLockRelease(shared->lock);
	*nrows = n;
	return rows;
}

/* The statistics-wide counters; ERROR without shared memory. */
StatsGlobal
StatsGlobals(void)
{
	StatsGlobal g;

	StatsRequireShared();
	SpinLockAcquire(&shared->mutex);
	g = shared->global;
	SpinLockRelease(&shared->mutex);
	return g;
}

/*
 * Remove every entry of every class (function NULL), or the udf_stats
 * entries of one function path in this database (every role, kind and
 * source); how many went. ERROR without shared memory.
 */
int64
StatsReset(const char *function)
{
	HASH_SEQ_STATUS hs;
	StatsEntry *e;
	int64		removed = 0;
	TimestampTz now = GetCurrentTimestamp();

	StatsRequireShared();
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&hs, stats_hash);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		if (function && (e->key.cls != STATS_CLASS_FUNCTION || e->key.dbid != MyDatabaseId ||
						 strcmp(e->function, function) != 0))
			continue;
		hash_search(stats_hash, &e->key, HASH_REMOVE, NULL);
		removed++;
	}
	if (!function)
	{
		SpinLockAcquire(&shared->mutex);
		shared->global.dealloc = 0;
		shared->global.stats_reset = now;
		SpinLockRelease(&shared->mutex);
	}
	LWLockRelease(shared->lock);
	return removed;
}

/* Remove every entry of one class, in every database; how many went. ERROR without shared memory. */
int64
StatsResetClass(StatsClass cls)
{
	HASH_SEQ_STATUS hs;
	StatsEntry *e;
	int64		removed = 0;

	StatsRequireShared();
	LWLockAcquire(shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&hs, stats_hash);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		if (e->key.cls != cls)
			continue;
		hash_search(stats_hash, &e->key, HASH_REMOVE, NULL);
		removed++;
	}
	LWLockRelease(shared->lock);
	return removed;
}

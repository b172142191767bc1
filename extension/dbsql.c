/*
 * dbsql.c -- ctx.db's SQL plumbing: the SELECT list of a table, the saved
 * plans, and Execute, the one way an op runs a statement.
 *
 * Statements are built as text with every identifier quoted and every
 * value a parameter (SqlParams, AddParam in db.h), then run through a plan
 * prepared once per backend. The plan cache is keyed by SQL text and
 * parameter types; the SQL names tables schema-qualified, so a plan does
 * not depend on search_path, and PostgreSQL's plan cache replans after DDL
 * and for row-level security per role.
 *
 * Memory: a statement's key is built in the op's (SPI's) memory; only a
 * miss copies it into the plan cache's own context (plan_cache_cxt, under
 * TopMemoryContext). A slot taken over by another statement frees the old
 * plan and key; should the context still grow past PLAN_CACHE_MAX_BYTES
 * (fragments of freed keys), every plan is freed and the context reset.
 * The plans themselves are SPI_keepplan'd (under CacheMemoryContext).
 *
 * Every statement is told to a running trace (trace.c) as its plan is
 * looked up. Everything here may raise (preparing, executing).
 */
#include "db.h"

#include "utils/memutils.h"

#define PLAN_CACHE_SIZE 512
#define PLAN_CACHE_MAX_BYTES (4 * 1024 * 1024)

/* A saved plan and the key (SQL text, parameter types) it was prepared for. */
typedef struct PlanEntry
{
	char	   *key;			/* in plan_cache_cxt; NULL: a free slot */
	SPIPlanPtr	plan;
} PlanEntry;

static void PlanCacheReset(void);

static PlanEntry plan_cache[PLAN_CACHE_SIZE];
/* an op runs below the current one: slots in use may not be taken over */
static bool plan_cache_nested = false;
static MemoryContext plan_cache_cxt = NULL;

/* Append the SELECT list of a table's columns. */
void
AppendColumns(StringInfo sql, const DbTable *t)
{
	for (int i = 0; i < t->ncols; i++)
	{
		if (i)
			appendStringInfoString(sql, ", ");
		appendStringInfoString(sql, quote_identifier(t->cols[i].name));
	}
}

/* Forget every saved plan and the memory of their keys. */
static void
PlanCacheReset(void)
{
	for (int i = 0; i < PLAN_CACHE_SIZE; i++)
		if (plan_cache[i].key)
			SPI_freeplan(plan_cache[i].plan);
	memset(plan_cache, 0, sizeof(plan_cache));
	MemoryContextReset(plan_cache_cxt);
}

/*
 * Is key the plan cache key of sql with p's parameter types ("sql|t1|t2"),
 * compared in place, without building it?
 */
static bool
KeyIs(const char *key, const char *sql, const SqlParams *p)
{
	size_t		len = strlen(sql);

	if (strncmp(key, sql, len) != 0)
		return false;
	key += len;
	for (int i = 0; i < p->n; i++)
	{
		char		digits[12];
		int			n = 0;
		Oid			type = p->types[i];

		if (*key++ != '|')
			return false;
		do
			digits[n++] = (char) ('0' + type % 10);
		while ((type /= 10) != 0);
		while (n > 0)
			if (*key++ != digits[--n])
				return false;
	}
	return *key == '\0';
}

/* The saved plan for sql with p's parameter types, prepared on first use. */
SPIPlanPtr
SavedPlanFor(const char *sql, SqlParams *p)
{
	/* the slot the last lookup found: an op in a loop runs one statement again and again */
	static uint32 last_slot = 0;
	StringInfoData key;
	uint32		slot;
	SPIPlanPtr	plan;

	TraceNoteSql(sql);
	if (plan_cache[last_slot].key && KeyIs(plan_cache[last_slot].key, sql, p))
		return plan_cache[last_slot].plan;
	initStringInfo(&key);
	appendStringInfoString(&key, sql);
	for (int i = 0; i < p->n; i++)
		appendStringInfo(&key, "|%u", p->types[i]);
	slot = HashKey(key.data) % PLAN_CACHE_SIZE;
	if (plan_cache[slot].key && strcmp(plan_cache[slot].key, key.data) == 0)
	{
		last_slot = slot;
		return plan_cache[slot].plan;
	}
	plan = SPI_prepare(sql, p->n, p->types);
	if (plan == NULL)
		elog(ERROR, "could not prepare a udf query: %s", SPI_result_code_string(SPI_result));
	/*
	 * Under a nested op, the slot's plan may be the one an outer op's
	 * statement is executing right now: leave it, and use this plan for this
	 * op only (SPI frees it when the op ends).
	 */
	if (plan_cache[slot].key && plan_cache_nested)
		return plan;
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep a udf query plan");
	if (plan_cache_cxt == NULL)
		plan_cache_cxt = AllocSetContextCreate(TopMemoryContext, "udf plan cache", ALLOCSET_SMALL_SIZES);
	if (plan_cache[slot].key)
	{
		SPI_freeplan(plan_cache[slot].plan);
		pfree(plan_cache[slot].key);
	}
	plan_cache[slot].key = MemoryContextStrdup(plan_cache_cxt, key.data);
	plan_cache[slot].plan = plan;
	last_slot = slot;
	return plan;
}

/* Snapshot reads begun and not yet ended (runQuery with useStaleSnapshot). */
static int	snapshot_reads = 0;

/*
 * From now until DbEndSnapshotReads, reads use the active snapshot as it is
 * (the one nested.c pushed for a stale-snapshot query) instead of a fresh
 * one per statement.
 */
void
DbBeginSnapshotReads(void)
{
	snapshot_reads++;
}

/* The stale-snapshot query ended (however it ended). */
void
DbEndSnapshotReads(void)
{
	if (snapshot_reads > 0)
		snapshot_reads--;
}

/*
 * Should SPI run a statement "read only", on the active snapshot? Only for
 * snapshot reads: otherwise that would reuse the statement's first snapshot
 * and hide the transaction's own later writes (a nested query must see its
 * calling mutation's inserts).
 */
bool
SnapshotReads(void)
{
	return snapshot_reads > 0;
}

/*
 * Run sql through its saved plan; SPI result code. Writes are refused for
 * queries before any SQL is built (RequireMutation), and a READ ONLY
 * transaction refuses them itself.
 */
int
Execute(const char *sql, SqlParams *p, bool read_only, long count)
{
	return SPI_execute_plan(SavedPlanFor(sql, p), p->values, p->nulls, read_only || SnapshotReads(), count);
}

/* Free every plan when the cache has grown past its bound; only between ops (dbops.c). */
void
PlanCacheTrim(void)
{
	if (plan_cache_cxt && MemoryContextMemAllocated(plan_cache_cxt, true) > PLAN_CACHE_MAX_BYTES)
		PlanCacheReset();
}

/* dbops.c says whether the op now running is nested in another op's SQL. */
void
PlanCacheSetNested(bool nested)
{
	plan_cache_nested = nested;
}

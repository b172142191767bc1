/*
 * contexts.c -- the backend's V8 contexts, and what a failed call does to them.
 *
 * A context holds the runtime and one deployment's modules for one role at
 * one nesting level (0 top-level, 1 a call nested in it...), so module state
 * never leaks between roles, and a nested call runs in a context of its own
 * as Convex runs each execution in its own. Contexts are made on first use
 * and kept (at most MAX_IDLE_CONTEXTS idle, least recently used dropped
 * first); a running call pins its context so nothing drops it underneath.
 * The contexts live in C++ memory owned by the shim; the slots that index
 * them are static.
 *
 * Failure policy: a call that was stopped (cancel, timeout, heap limit, a
 * parked error) may have left module state half-updated and microtasks
 * queued, so every context goes; after the heap limit the isolate goes too.
 * While a call is still running (a nested call failed) the drop is only
 * recorded, and carried out by the next ContextsAfterCall with no call
 * running, which every call path runs before it starts.
 */
#include "udf.h"

#include "miscadmin.h"

#define MAX_IDLE_CONTEXTS 8
#define MAX_CONTEXTS 64

typedef struct ContextSlot
{
	int64		deployment_id;
	Oid			role;
	int			level;			/* nesting level: 0 top-level, 1 a nested call... */
	int			pins;			/* running calls using it */
	uint64		last_used;
	UdfV8Context *ctx;
} ContextSlot;

static ContextSlot slots[MAX_CONTEXTS];
static uint64 use_counter = 0;
/* for udf_info(): contexts made (each from the startup snapshot; deploy's too) and cached ones dropped */
static uint64 contexts_created = 0;
static uint64 contexts_dropped = 0;
/* a failure that wants contexts dropped, deferred while JS frames are active */
static UdfV8Status pending_failure = UDF_V8_OK;

static void DropSlot(ContextSlot *slot);
static void RecordStop(UdfV8Status status);

/* Free one cached context. */
static void
DropSlot(ContextSlot *slot)
{
	if (slot->ctx)
	{
		udf_v8_context_free(slot->ctx);
		contexts_dropped++;
	}
	memset(slot, 0, sizeof(*slot));
}

/* Drop every cached context (new deployment, or isolate rebuilt); none may be running. */
void
ContextsDropAll(void)
{
	for (int i = 0; i < MAX_CONTEXTS; i++)
	{
		slots[i].pins = 0;
		DropSlot(&slots[i]);
	}
}

/*
 * After a failed call. A stopped call (cancel, timeout) may have left module
 * state half-updated and microtasks queued, so its contexts are dropped; an
 * isolate that ran out of memory is rebuilt from scratch. While any call is
 * still running (a nested call failed), this only records what to do: its
 * callers' contexts are in use. The record comes first and the log line last,
 * because logging may raise a pending cancel: the next call then still finds
 * the record and drops the contexts before it runs anything.
 */
void
ContextsAfterFailure(UdfV8Status status, const char *function)
{
	bool		stopped = status == UDF_V8_TERMINATED || status == UDF_V8_TIMED_OUT ||
		status == UDF_V8_OUT_OF_MEMORY;

	RecordStop(stopped ? status : UDF_V8_OK);
	if (stopped)
		LimitsCountTermination(status, function);
}

/*
 * Record that a call was stopped by status (UDF_V8_OK: it was not, but the
 * isolate may be gone), the heap limit outranking the rest, and carry the
 * drop out at once if no call runs.
 */
static void
RecordStop(UdfV8Status status)
{
	if (status != UDF_V8_OK && pending_failure != UDF_V8_OUT_OF_MEMORY)
		pending_failure = status;
	if (!udf_v8_isolate_alive())
		pending_failure = UDF_V8_OUT_OF_MEMORY;
	ContextsAfterCall();
}

/* When no call is running any more: carry out a deferred drop or rebuild. */
void
ContextsAfterCall(void)
{
	UdfV8Status status = pending_failure;

	if (CallStackDepth() > 0 || status == UDF_V8_OK)
		return;
	pending_failure = UDF_V8_OK;
	ContextsDropAll();
	if (status == UDF_V8_OUT_OF_MEMORY)
	{
		udf_v8_dispose_isolate();
		LimitsCountIsolateDiscarded();
	}
}

/*
 * A new context holding the runtime and every module of a deployment (not
 * yet compiled), with their source maps registered.
 */
UdfV8Context *
ContextsNew(const UdfDeployment *dep, int nmodules, const UdfModule *modules)
{
	UdfV8Error	err;
	UdfV8Context *ctx;

	RuntimeEnsureStarted();
	ctx = udf_v8_context_new(&err);
	if (ctx == NULL)
	{
		ContextsAfterFailure(err.status, NULL);
		ReportV8Error(&err, NULL);
	}
	contexts_created++;
	if (dep->schema)
	{
		const char *args[1] = {dep->schema};
		char	   *ignored;

		if (udf_v8_call(ctx, "registerSchema", NULL, args, 1, &ignored, &err) != UDF_V8_OK)
		{
			udf_v8_context_free(ctx);
			ReportV8Error(&err, NULL);
		}
	}
	for (int i = 0; i < nmodules; i++)
	{
		const UdfModule *m = &modules[i];

		udf_v8_context_add_module(ctx, m->path, m->source, strlen(m->source),
								  m->source_map, m->source_map ? strlen(m->source_map) : 0,
								  CodeCacheKey(m));
		if (m->source_map)
		{
			const char *args[2] = {m->path, m->source_map};
			char	   *ignored;

			if (udf_v8_call(ctx, "registerSourceMap", NULL, args, 2, &ignored, &err) != UDF_V8_OK)
			{
				udf_v8_context_free(ctx);
				ReportV8Error(&err, NULL);
			}
		}
	}
	return ctx;
}

/*
 * The context for the current deployment, role and nesting level, made on
 * first use and pinned until ContextsUnpin. Nested calls get a context
 * of their own per level, as Convex runs each function execution in its own
 * context.
 */
UdfV8Context *
ContextsFor(const UdfDeployment *dep)
{
	Oid			role = GetUserId();
	int			level = CallStackDepth();
	ContextSlot *free_slot = NULL;
	ContextSlot *victim = NULL;
	int			idle = 0;

	RuntimeEnsureStarted();
	for (int i = 0; i < MAX_CONTEXTS; i++)
	{
		ContextSlot *s = &slots[i];

		if (s->ctx && s->pins == 0 && s->deployment_id != dep->id)
			DropSlot(s);		/* an older deployment: never used again */
		if (s->ctx && s->deployment_id == dep->id && s->role == role && s->level == level)
		{
			s->last_used = ++use_counter;
			s->pins++;
			return s->ctx;
		}
		if (!s->ctx)
		{
			if (!free_slot)
				free_slot = s;
		}
		else if (s->pins == 0)
		{
			idle++;
			if (!victim || s->last_used < victim->last_used)
				victim = s;
		}
	}
	if (victim && (idle >= MAX_IDLE_CONTEXTS || !free_slot))
	{
		DropSlot(victim);
		free_slot = victim;
	}
	if (!free_slot)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many JavaScript contexts in use in this backend (limit: %d)", MAX_CONTEXTS)));
	free_slot->ctx = ContextsNew(dep, dep->nmodules, dep->modules);
	free_slot->deployment_id = dep->id;
	free_slot->role = role;
	free_slot->level = level;
	free_slot->pins = 1;
	free_slot->last_used = ++use_counter;
	return free_slot->ctx;
}

/* A call is done with the context ContextsFor gave it. */
void
ContextsUnpin(UdfV8Context *ctx)
{
	for (int i = 0; i < MAX_CONTEXTS; i++)
		if (slots[i].ctx == ctx && slots[i].pins > 0)
		{
			slots[i].pins--;
			return;
		}
}

/* A call ended by a parked error was stopped mid-way: treat it as a termination. */
void
ContextsNoteParked(void)
{
	RecordStop(UDF_V8_TERMINATED);
}

/*
 * udf_info()'s "contexts" member: the cached contexts, how many are running
 * a call, how many were made and dropped, and how many of dep's modules
 * the contexts of dep have loaded (compiled, linked, evaluated).
 */
void
ContextsAppendInfo(StringInfo buf, const UdfDeployment *dep)
{
	int			cached = 0;
	int			pinned = 0;
	int			loaded = 0;

	for (int i = 0; i < MAX_CONTEXTS; i++)
	{
		if (!slots[i].ctx)
			continue;
		cached++;
		pinned += slots[i].pins > 0;
		if (slots[i].deployment_id != dep->id)
			continue;
		for (int m = 0; m < dep->nmodules; m++)
			loaded += udf_v8_module_ready(slots[i].ctx, dep->modules[m].path);
	}
	appendStringInfo(buf, "{\"cached\": %d, \"running\": %d, \"idle_limit\": %d, \"limit\": %d, "
					 "\"created\": " UINT64_FORMAT ", \"dropped\": " UINT64_FORMAT "}, "
					 "\"modules\": {\"deployed\": %d, \"loaded\": %d}",
					 cached, pinned, MAX_IDLE_CONTEXTS, MAX_CONTEXTS, contexts_created, contexts_dropped,
					 dep->nmodules, loaded);
}

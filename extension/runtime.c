/*
 * runtime.c -- V8 lifecycle and contexts, as PostgreSQL sees them.
 *
 * V8 starts on the first call in a backend (RuntimeEnsureStarted), never in
 * the postmaster. The backend keeps one isolate and a few contexts, one per
 * (deployment, current role), so module-level state never leaks between
 * roles; a new deployment drops them all (store.c notices it through a
 * relcache invalidation). Contexts live in C++ memory owned by the shim; the
 * small list that indexes them lives in TopMemoryContext.
 *
 * Host callbacks (alloc, syscall, console) run while V8 frames are on the
 * stack. They never raise: allocation uses MCXT_ALLOC_NO_OOM, and code that
 * may ereport runs under PG_TRY. An error that must abort the call (rather
 * than become a catchable JS exception) is parked with
 * RuntimeParkError(), V8 is told to terminate, and the caller re-raises the
 * parked error once the shim has returned (RuntimeRaiseParkedError).
 */
#include "udf.h"

#include "common/pg_prng.h"
#include <limits.h>

#include "miscadmin.h"
#include "utils/timestamp.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

extern const char udf_runtime_js[];
extern const size_t udf_runtime_js_len;
extern const char udf_runtime_snapshot[];
extern const size_t udf_runtime_snapshot_len;

/* unpinned contexts kept for reuse; pinned ones (in use by a running call) are never dropped */
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

int			udf_max_heap_size_mb = 512;
double		udf_test_now_ms = 0;
static int	udf_test_seed = 0;
static bool test_seed_changed = true;
double		udf_time_limit_ms = 0;

static bool runtime_started = false;
static ContextSlot slots[MAX_CONTEXTS];
static uint64 use_counter = 0;
/* a failure that wants contexts dropped, deferred while JS frames are active */
static UdfV8Status pending_failure = UDF_V8_OK;

/*
 * The modules deployed code may import besides its own: the convex package's
 * two entry points by name, and the two _generated modules a Convex app's
 * codegen would write, at the deployment's root (a deployed module of that
 * path wins). Any other import must be relative. The runtime makes each
 * one's source from its name (udf-runtime/src/builtins.js).
 */
static const UdfV8BuiltinModule builtin_modules[] = {
	{"convex/server", "convex/server", false},
	{"convex/values", "convex/values", false},
	{"_generated/server.js", "_generated/server", true},
	{"_generated/api.js", "_generated/api", true},
};

static void *HostAlloc(size_t size);
static void TestSeedAssigned(int newval, void *extra);
static void DropSlot(ContextSlot *slot);

/* Register the runtime's settings. */
void
RuntimeInit(void)
{
	DefineCustomIntVariable("udf.max_heap_size",
							"Maximum V8 heap per backend, in megabytes.",
							"Counts the JavaScript heap and ArrayBuffer memory. A call that nears "
							"the limit ends with an ERROR and the isolate is rebuilt. Range 16 to "
							"16384 MB; takes effect when a backend next creates its isolate.",
							&udf_max_heap_size_mb,
							512, 16, 16384,
							PGC_SUSET,
							GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomRealVariable("udf.test_now",
							 "Testing aid: the time (ms since 1970) every call sees as Date.now().",
							 "0 (the default) means the real time. With it set, Date.now() in queries and "
							 "mutations and new documents' _creationTime are fixed, so expected test "
							 "output is stable. Not for production.",
							 &udf_test_now_ms,
							 0, 0, 1e15,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("udf.test_seed",
							"Testing aid: seed of every call's Math.random, crypto and new document ids.",
							"0 (the default) means fresh randomness. Setting it (again) restarts a "
							"reproducible sequence, so ids and random values in test output are stable. "
							"Not for production.",
							&udf_test_seed,
							0, 0, INT_MAX,
							PGC_USERSET, 0,
							NULL, TestSeedAssigned, NULL);
}

/* udf.test_seed was set: restart its sequence on the next seed. */
static void
TestSeedAssigned(int newval, void *extra)
{
	test_seed_changed = true;
}

/* Allocation for strings the shim hands back: never raises. */
static void *
HostAlloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

/* Start V8 and the isolate if this backend has not yet. */
void
RuntimeEnsureStarted(void)
{
	UdfV8Host	host;
	UdfV8Error	err;

	if (runtime_started && udf_v8_isolate_alive())
		return;
	V8PeersCheck();
	host.alloc = HostAlloc;
	host.syscall = SyscallDispatch;
	host.console = ConsoleEmit;
	host.interrupt_pending = LimitsInterruptPending;
	host.builtin_modules = builtin_modules;
	host.n_builtin_modules = lengthof(builtin_modules);
	/* contexts start from a snapshot in which the runtime has already run */
	udf_v8_use_snapshot(udf_runtime_snapshot, udf_runtime_snapshot_len);
	CodeCacheStart();
	if (!udf_v8_initialize(&host, udf_runtime_js, udf_runtime_js_len,
						   (size_t) udf_max_heap_size_mb, &err))
		ReportV8Error(&err, NULL);
	runtime_started = true;
}

/* Free one cached context. */
static void
DropSlot(ContextSlot *slot)
{
	if (slot->ctx)
		udf_v8_context_free(slot->ctx);
	memset(slot, 0, sizeof(*slot));
}

/* Drop every cached context (new deployment, or isolate rebuilt); none may be running. */
void
RuntimeDropContexts(void)
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
RuntimeAfterFailure(UdfV8Status status, const char *function)
{
	bool		stopped = status == UDF_V8_TERMINATED || status == UDF_V8_TIMED_OUT ||
		status == UDF_V8_OUT_OF_MEMORY;

	if (stopped && pending_failure != UDF_V8_OUT_OF_MEMORY)
		pending_failure = status;
	if (!udf_v8_isolate_alive())
		pending_failure = UDF_V8_OUT_OF_MEMORY;
	RuntimeAfterCall();
	if (stopped)
		LimitsCountTermination(status, function);
}

/* When no call is running any more: carry out a deferred drop or rebuild. */
void
RuntimeAfterCall(void)
{
	UdfV8Status status = pending_failure;

	if (RuntimeCallDepth() > 0 || status == UDF_V8_OK)
		return;
	pending_failure = UDF_V8_OK;
	RuntimeDropContexts();
	if (status == UDF_V8_OUT_OF_MEMORY)
	{
		udf_v8_dispose_isolate();
		LimitsCountIsolateDiscarded();
	}
}

/*
 * The per-backend PRNG behind call seeds and new ids. Seeds only need to
 * differ between calls (Convex seeds per execution for determinism, not
 * secrecy), so one PRNG seeded once from pg_strong_random serves; with
 * udf.test_seed it restarts from that seed.
 */
static pg_prng_state *
RuntimePrng(void)
{
	static pg_prng_state state;
	static bool seeded = false;
	static bool seeded_for_test = false;

	if (udf_test_seed != 0 && (test_seed_changed || !seeded_for_test))
	{
		pg_prng_seed(&state, (uint64) udf_test_seed);
		seeded_for_test = true;
		seeded = true;
		test_seed_changed = false;
	}
	else if (udf_test_seed == 0 && (!seeded || seeded_for_test))
	{
		if (!pg_prng_strong_seed(&state))
			pg_prng_seed(&state, (uint64) MyProcPid ^ (uint64) GetCurrentTimestamp());
		seeded = true;
		seeded_for_test = false;
	}
	return &state;
}

/*
 * n random bytes. Each byte takes two nibbles of a draw, high nibble first:
 * the order seeds and the ids pinned by tests under udf.test_seed were made in.
 */
void
RuntimeRandomBytes(uint8 *out, size_t n)
{
	pg_prng_state *state = RuntimePrng();

	for (size_t i = 0; i < n; i += 8)
	{
		uint64		r = pg_prng_uint64(state);

		for (size_t j = i; j < n && j < i + 8; j++, r >>= 8)
			out[j] = (uint8) (((r & 0x0f) << 4) | ((r >> 4) & 0x0f));
	}
}

/* Fill hex with hexlen-1 (an even number, at most 64) random hex digits: a PRNG seed. */
void
RuntimeSeed(char *hex, size_t hexlen)
{
	uint8		bytes[32];
	size_t		nbytes = (hexlen - 1) / 2;

	Assert(hexlen % 2 == 1 && nbytes <= sizeof(bytes));
	RuntimeRandomBytes(bytes, nbytes);
	hex_encode((const char *) bytes, nbytes, hex);
	hex[2 * nbytes] = '\0';
}

/*
 * A new context holding the runtime and every module of a deployment (not
 * yet compiled), with their source maps registered.
 */
UdfV8Context *
RuntimeNewContext(const UdfDeployment *dep, int nmodules, const UdfModule *modules)
{
	UdfV8Error	err;
	UdfV8Context *ctx;

	RuntimeEnsureStarted();
	ctx = udf_v8_context_new(&err);
	if (ctx == NULL)
	{
		RuntimeAfterFailure(err.status, NULL);
		ReportV8Error(&err, NULL);
	}
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
 * first use and pinned until RuntimeUnpinContext. Nested calls get a context
 * of their own per level, as Convex runs each function execution in its own
 * context.
 */
UdfV8Context *
RuntimeContextFor(const UdfDeployment *dep)
{
	Oid			role = GetUserId();
	int			level = RuntimeCallDepth();
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
	free_slot->ctx = RuntimeNewContext(dep, dep->nmodules, dep->modules);
	free_slot->deployment_id = dep->id;
	free_slot->role = role;
	free_slot->level = level;
	free_slot->pins = 1;
	free_slot->last_used = ++use_counter;
	return free_slot->ctx;
}

/* A call is done with the context RuntimeContextFor gave it. */
void
RuntimeUnpinContext(UdfV8Context *ctx)
{
	for (int i = 0; i < MAX_CONTEXTS; i++)
		if (slots[i].ctx == ctx && slots[i].pins > 0)
		{
			slots[i].pins--;
			return;
		}
}

/* The JavaScript time limit of the next top-level entry into V8, in ms. */
void
RuntimeSetTimeLimit(double ms)
{
	udf_time_limit_ms = ms;
	udf_v8_set_time_limit(ms);
}

/*
 * The stack of running functions: a nested ctx.runQuery/runMutation pushes
 * one. Its top names console lines; its depth bounds nesting.
 */
#define MAX_CALL_STACK 64

typedef struct RunningCall
{
	char		name[NAMEDATALEN * 2];
	char		kind[16];
	bool		paginated;		/* ran its one paginated query */
	UdfV8Context *ctx;			/* the context it runs in */
} RunningCall;

static RunningCall call_stack[MAX_CALL_STACK];
static int	call_depth = 0;

/* Name of the function now running, for console prefixes; NULL at import. */
const char *
RuntimeCurrentFunction(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].name : NULL;
}

/* Kind of the function now running (query, mutation, action), or NULL. */
const char *
RuntimeCurrentKind(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].kind : NULL;
}

int
RuntimeCallDepth(void)
{
	return call_depth;
}

void
RuntimePushCall(const char *name, const char *kind, UdfV8Context *ctx)
{
	RunningCall *c;

	if (call_depth >= MAX_CALL_STACK)
		elog(ERROR, "udf call stack overflow");
	c = &call_stack[call_depth++];
	strlcpy(c->name, name, sizeof(c->name));
	strlcpy(c->kind, kind ? kind : "", sizeof(c->kind));
	c->paginated = false;
	c->ctx = ctx;
}

/* The context of the function now running, or NULL. */
UdfV8Context *
RuntimeCurrentContext(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].ctx : NULL;
}

/* Note that the running function paginates; true if it already had. */
bool
RuntimeMarkPaginated(void)
{
	bool		was;

	if (call_depth == 0)
		return false;
	was = call_stack[call_depth - 1].paginated;
	call_stack[call_depth - 1].paginated = true;
	return was;
}

void
RuntimePopCall(void)
{
	if (call_depth > 0)
		call_depth--;
}

/*
 * The parked error: a PostgreSQL error raised inside a host callback that
 * must end the call. It is copied out of the error state (so no longjmp
 * crosses V8), V8 is terminated, and the caller re-raises it.
 */
static ErrorData *parked_error = NULL;

/* Call from PG_CATCH in a host callback, with the callback's memory context current. */
void
RuntimeParkError(MemoryContext callback_context)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (parked_error == NULL)
		parked_error = CopyErrorData();
	MemoryContextSwitchTo(callback_context);
	FlushErrorState();
	MemoryContextSwitchTo(old);
	udf_v8_terminate();
}

/*
 * Re-raise a parked error, if any; call after the shim returned. The call it
 * ended was stopped mid-way, so its contexts go first, as for a termination.
 */
void
RuntimeRaiseParkedError(void)
{
	ErrorData  *e = parked_error;

	if (e == NULL)
		return;
	parked_error = NULL;
	if (pending_failure == UDF_V8_OK)
		pending_failure = UDF_V8_TERMINATED;
	if (!udf_v8_isolate_alive())
		pending_failure = UDF_V8_OUT_OF_MEMORY;
	RuntimeAfterCall();
	ReThrowError(e);
}

/*
 * Must an error caught in a host callback end the call rather than reach JS
 * as a catchable exception? A cancel or statement timeout (also a nested
 * call's timeout) must, and so must anything caught while the call is
 * already being stopped (a nested call that ran out of memory).
 */
bool
RuntimeErrorEndsCall(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_QUERY_CANCELED || udf_v8_stopping();
}

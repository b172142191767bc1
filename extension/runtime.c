/*
 * runtime.c -- starting V8 in a backend, and the host callbacks it gets.
 *
 * V8 starts on the first call in a backend (RuntimeEnsureStarted), never in
 * the postmaster, and again after an isolate was discarded (heap limit). The
 * host callbacks handed to the shim (alloc, syscall, console, interrupt
 * check) run while V8 frames are on the stack and never raise: allocation
 * uses MCXT_ALLOC_NO_OOM, and code that may ereport runs under PG_TRY (see
 * parked.c). Contexts are contexts.c's; the call protocol is call.c's.
 */
#include "udf.h"

#include "loop.h"
#include "utils/memutils.h"

extern const char udf_runtime_js[];
extern const size_t udf_runtime_js_len;
/* the parts of the runtime loaded on first use (udf-runtime/src/lazy/, runtime_lazy_js.c) */
extern const char udf_lazy_url[];
extern const size_t udf_lazy_url_len;
extern const char udf_lazy_streams[];
extern const size_t udf_lazy_streams_len;
extern const char udf_runtime_snapshot[];
extern const size_t udf_runtime_snapshot_len;

static bool runtime_started = false;
/* whether this backend's V8 reads the embedded startup snapshot */
static bool snapshot_usable = false;

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

/* The parts of the runtime loaded on first use, by name (filled in once: the arrays are extern). */
static UdfV8LazySource lazy_sources[2];

static void *HostAlloc(size_t size);

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
	host.op = SyscallDispatchOp;
	host.console = ConsoleEmit;
	host.wait = LoopWait;
	host.interrupt_pending = LimitsInterruptPending;
	host.builtin_modules = builtin_modules;
	host.n_builtin_modules = lengthof(builtin_modules);
	lazy_sources[0] = (UdfV8LazySource) {"url", udf_lazy_url, udf_lazy_url_len};
	lazy_sources[1] = (UdfV8LazySource) {"streams", udf_lazy_streams, udf_lazy_streams_len};
	host.lazy_sources = lazy_sources;
	host.n_lazy_sources = lengthof(lazy_sources);
	/* contexts start from a snapshot in which the runtime has already run */
	snapshot_usable = udf_v8_use_snapshot(udf_runtime_snapshot, udf_runtime_snapshot_len);
	if (!snapshot_usable && !runtime_started)
		ereport(LOG,
				(errmsg("udf: the startup snapshot in udf.so was made by another V8 than this libnode.so.108's; contexts start from the runtime's source"),
				 errhint("Rebuild udf against the installed libnode108 to get the snapshot's faster start back.")));
	CodeCacheStart();
	if (!udf_v8_initialize(&host, udf_runtime_js, udf_runtime_js_len,
						   (size_t) LimitsMaxHeapMb(), &err))
		ReportV8Error(&err, NULL);
	runtime_started = true;
}

/* udf_info()'s "snapshot" member: the startup snapshot's size and whether this backend's isolate runs from it. */
void
RuntimeAppendSnapshotInfo(StringInfo buf)
{
	appendStringInfo(buf, "{\"bytes\": %zu, \"in_use\": %s}", (size_t) udf_runtime_snapshot_len,
					 runtime_started && udf_v8_isolate_alive() && snapshot_usable ? "true" : "false");
}

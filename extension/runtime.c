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

#include "utils/memutils.h"

extern const char udf_runtime_js[];
extern const size_t udf_runtime_js_len;
extern const char udf_runtime_snapshot[];
extern const size_t udf_runtime_snapshot_len;

static bool runtime_started = false;

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
	host.console = ConsoleEmit;
	host.interrupt_pending = LimitsInterruptPending;
	/* contexts start from a snapshot in which the runtime has already run */
	udf_v8_use_snapshot(udf_runtime_snapshot, udf_runtime_snapshot_len);
	CodeCacheStart();
	if (!udf_v8_initialize(&host, udf_runtime_js, udf_runtime_js_len,
						   (size_t) LimitsMaxHeapMb(), &err))
		ReportV8Error(&err, NULL);
	runtime_started = true;
}

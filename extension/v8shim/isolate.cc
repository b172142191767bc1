/*
 * isolate.cc -- V8, its platform and the one isolate of a backend.
 *
 * Lifecycle: V8 and its platform are started once per process, on the first
 * call in a backend (never in the postmaster), and never stopped: a backend
 * leaves through exit() with V8's thread alive. One isolate per process is
 * kept for reuse; after it ran out of memory it is poisoned, and the host
 * disposes of it and makes the next one. Contexts (context.cc) all live in
 * it.
 *
 * Memory: the heap limit is udf.max_heap_size, and ArrayBuffer memory counts
 * against the same limit (CountingAllocator), so a program cannot get round
 * the limit with buffers. When the heap nears its limit, V8 calls
 * NearHeapLimit, which stops JS instead of letting V8 abort the process:
 * g_oom and g_stopping are set, execution is terminated, and the limit is
 * raised just enough for the termination to unwind. The outermost call then
 * poisons the isolate (PoisonAfterOom, from call.cc's LeaveCall) and reports
 * the OOM; udf_v8_isolate_alive() is false from then on.
 *
 * Stopping: g_stopping is set by every stop request (the heap limit, the
 * watchdog thread, udf_v8_terminate from the host) and cleared when the
 * outermost call ends (call.cc). While it is set, host callbacks hand V8
 * nothing (natives.cc).
 *
 * Threads: V8 runs with --single-threaded-gc: its garbage collector works
 * on the backend's own thread, and optimizing compiles go to the platform's
 * one worker thread (with --single-threaded they ran on the backend's
 * thread too, about 70 ms in a fresh session's first 10,000 calls); every
 * signal is blocked while that thread is created, so
 * PostgreSQL's signal handlers only ever run on the backend's main thread
 * (the watchdog thread is started the same way, in watchdog.cc). Nothing
 * here installs a signal handler or calls PostgreSQL.
 *
 * V8 starts once per process and libnode may be shared with another embedder
 * (plv8): udf_v8_owner tells the host who started it, judged by the platform
 * V8 holds.
 */
#include "shim_internal.h"
#include "watchdog.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include <libplatform/libplatform.h>

using namespace v8;

/* Exported by libnode but in no public V8 header: the platform V8 was given, nullptr before. */
namespace v8 { namespace debug { Platform *GetCurrentPlatform(); } }

namespace udf_shim
{

/* queues of freed contexts: V8 may still reach them until the isolate goes */
static std::vector<std::unique_ptr<MicrotaskQueue>> *g_retired_queues = nullptr;

/* Keep a freed context's microtask queue until the isolate goes. */
void
RetireQueue(std::unique_ptr<MicrotaskQueue> queue)
{
	if (!g_retired_queues)
		g_retired_queues = new std::vector<std::unique_ptr<MicrotaskQueue>>();
	g_retired_queues->push_back(std::move(queue));
}

/* Forget the queues of freed contexts (the isolate that could reach them is gone). */
void
DropRetiredQueues(void)
{
	if (g_retired_queues)
		g_retired_queues->clear();
}

UdfV8Host	g_host;
Isolate    *g_isolate = nullptr;
const char *g_runtime_source = nullptr;
size_t		g_runtime_source_len = 0;
StartupData g_snapshot = {nullptr, 0};
std::atomic<bool> g_oom(false);
std::atomic<bool> g_stopping(false);

} /* namespace udf_shim */

using namespace udf_shim;

namespace
{

/* ArrayBuffer memory counted against the same limit as the heap. */
class CountingAllocator : public ArrayBuffer::Allocator
{
public:
	explicit CountingAllocator(size_t limit) : limit_(limit) {}

	/* Zeroed memory for a buffer, or NULL past the limit. */
	void *Allocate(size_t length) override
	{
		if (!Reserve(length))
			return nullptr;
		void	   *p = calloc(length ? length : 1, 1);

		if (!p)
			used_ -= length;
		return p;
	}
	/* Memory for a buffer V8 fills itself, or NULL past the limit. */
	void *AllocateUninitialized(size_t length) override
	{
		if (!Reserve(length))
			return nullptr;
		void	   *p = malloc(length ? length : 1);

		if (!p)
			used_ -= length;
		return p;
	}
	/* A buffer freed. */
	void Free(void *data, size_t length) override
	{
		free(data);
		used_ -= length;
	}
	/* Bytes of buffers alive. */
	size_t used() const { return used_; }

private:
	/* Count length against the limit; false if it does not fit. */
	bool Reserve(size_t length)
	{
		if (used_ + length > limit_)
			return false;
		used_ += length;
		return true;
	}
	size_t		limit_;
	size_t		used_ = 0;
};

size_t NearHeapLimit(void *data, size_t current_limit, size_t initial_limit);

/* never destroyed: a backend leaves through exit(), with V8 threads alive */
Platform   *g_platform = nullptr;
bool		g_v8_ready = false;
size_t		g_max_heap_mb = 0;
CountingAllocator *g_allocator = nullptr;
/* when the heap limit was hit, and how long the call then took to stop */
struct timespec g_oom_at;
double		g_last_oom_unwind_ms = 0;
bool		g_poisoned = false;
uint64_t	g_isolates_created = 0;

/* Called by V8 when the heap nears its limit: stop JS instead of aborting. */
size_t
NearHeapLimit(void *data, size_t current_limit, size_t initial_limit)
{
	if (!g_oom)
		clock_gettime(CLOCK_MONOTONIC, &g_oom_at);
	g_oom = true;
	g_stopping = true;
	/* inside Module::Evaluate's prologue a termination is fatal: the watchdog stops it a poll later */
	if (WatchdogHolding())
		WatchdogRequestStop();
	else
		g_isolate->TerminateExecution();
	/* room for the termination to unwind; the isolate is discarded afterwards */
	return current_limit * 2;
}

} /* namespace */

namespace udf_shim
{

/* Start V8 with udf's flags and a platform whose thread blocks every signal; once. */
void
StartV8(void)
{
	static const char flags[] = "--single-threaded-gc --no-expose-wasm --min-semi-space-size=4";
	sigset_t	all;
	sigset_t	old;

	if (g_v8_ready)
		return;
	V8::SetFlagsFromString(flags, sizeof(flags) - 1);
	V8::InitializeICU();
	/* the platform's worker thread must never receive PostgreSQL's signals */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	g_platform = platform::NewDefaultPlatform(1).release();
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	V8::InitializePlatform(g_platform);
	V8::Initialize();
	g_v8_ready = true;
}

/* Make the isolate (with the snapshot, if any); false and err filled on failure. */
bool
CreateIsolate(UdfV8Error *err)
{
	Isolate::CreateParams params;
	size_t		heap = g_max_heap_mb * 1024 * 1024;

	g_allocator = new CountingAllocator(heap);
	params.array_buffer_allocator = g_allocator;
	params.external_references = ExternalReferences();
	if (g_snapshot.data)
		params.snapshot_blob = &g_snapshot;
	params.constraints.ConfigureDefaultsFromHeapSize(0, heap);
	/*
	 * The snapshot is part of udf.so, read-only mapped like its code: V8's
	 * checksum of it (a third of the isolate's start) guards nothing here.
	 * The flag also governs code caches, which come from files, so it is
	 * off only while the isolate starts (flags can still change then; the
	 * flag hash code caches are keyed by is the same once it is back on).
	 */
	if (g_snapshot.data)
		V8::SetFlagsFromString("--no-verify-snapshot-checksum");
	g_isolate = Isolate::New(params);
	if (g_snapshot.data)
		V8::SetFlagsFromString("--verify-snapshot-checksum");
	if (!g_isolate)
	{
		delete g_allocator;
		g_allocator = nullptr;
		SetError(err, UDF_V8_INTERNAL, "could not create a V8 isolate");
		return false;
	}
	/*
	 * Entered once for good: every call's Isolate::Scope is then a nested
	 * entry (a counter), not a lookup of the thread's data under V8's mutex.
	 * udf runs V8 on the backend's main thread only, and another embedder
	 * never runs V8 in the same backend (v8_peers.c).
	 */
	g_isolate->Enter();
	g_isolate->SetMicrotasksPolicy(MicrotasksPolicy::kExplicit);
	g_isolate->AddNearHeapLimitCallback(NearHeapLimit, nullptr);
	g_isolate->SetCaptureStackTraceForUncaughtExceptions(true, 10);
	g_isolate->SetPromiseRejectCallback(OnPromiseReject);
	g_isolate->SetHostImportModuleDynamicallyCallback(RefuseDynamicImport);
	g_oom = false;
	g_poisoned = false;
	g_isolates_created++;
	return true;
}

/*
 * Give back the resident pages of the snapshot once V8 has read it. V8
 * copies what it deserializes into the heap, and reads the blob again only
 * when it makes another context. The blob lies in udf.so's read-only data,
 * a private file mapping that is never written, so MADV_DONTNEED drops this
 * process's pages and a later read faults them back in from the page cache
 * (the same bytes): a backend does not carry 1.3 MB it no longer reads.
 * Only whole pages inside the blob are dropped, never a neighbour's.
 */
void
ReleaseSnapshotPages(void)
{
	uintptr_t	page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
	uintptr_t	start;
	uintptr_t	end;

	if (!g_snapshot.data || g_snapshot.raw_size <= 0)
		return;
	start = (reinterpret_cast<uintptr_t>(g_snapshot.data) + page - 1) & ~(page - 1);
	end = (reinterpret_cast<uintptr_t>(g_snapshot.data) + g_snapshot.raw_size) & ~(page - 1);
	/* advice only: if the kernel refuses, the pages simply stay */
	if (end > start)
		(void) madvise(reinterpret_cast<void *>(start), end - start, MADV_DONTNEED);
}

/* The outermost call ends after the heap limit: poison the isolate, report OOM. */
UdfV8Status
PoisonAfterOom(UdfV8Status st, UdfV8Error *err)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	g_last_oom_unwind_ms = (now.tv_sec - g_oom_at.tv_sec) * 1e3 + (now.tv_nsec - g_oom_at.tv_nsec) / 1e6;
	g_poisoned = true;
	if (st != UDF_V8_OK)
	{
		memset(err, 0, sizeof(*err));
		err->status = st = UDF_V8_OUT_OF_MEMORY;
		err->message = HostStrdup("JavaScript execution ran out of memory");
	}
	return st;
}

} /* namespace udf_shim */

/* Initialise V8 (once) and the watchdog, and make the isolate if there is none. */
extern "C" bool
udf_v8_initialize(const UdfV8Host *host, const char *runtime_source, size_t runtime_len,
				  size_t max_heap_mb, UdfV8Error *err)
{
	g_host = *host;
	SetBuiltinModules(host->builtin_modules, host->n_builtin_modules);
	g_runtime_source = runtime_source;
	g_runtime_source_len = runtime_len;
	g_max_heap_mb = max_heap_mb;
	/* V8 is ready even if the watchdog fails: a retry does not start V8 again */
	StartV8();
	if (!WatchdogStart(g_host.interrupt_pending, udf_v8_terminate))
	{
		SetError(err, UDF_V8_INTERNAL, "could not start the watchdog thread");
		return false;
	}
	if (!g_isolate)
		return CreateIsolate(err);
	return true;
}

/* Who started V8 in this process, judged by the platform V8 holds. */
extern "C" UdfV8Owner
udf_v8_owner(void)
{
	Platform   *current = v8::debug::GetCurrentPlatform();

	if (!current)
		return UDF_V8_NOT_STARTED;
	return current == g_platform ? UDF_V8_STARTED_BY_UDF : UDF_V8_STARTED_ELSEWHERE;
}

/* True once the isolate exists and was not poisoned by OOM. */
extern "C" bool
udf_v8_isolate_alive(void)
{
	return g_isolate != nullptr && !g_poisoned;
}

/* Throw away the isolate; the contexts that were in it must not be used again. */
extern "C" void
udf_v8_dispose_isolate(void)
{
	if (!g_isolate)
		return;
	g_isolate->Exit();
	g_isolate->Dispose();
	g_isolate = nullptr;
	DropRetiredQueues();
	delete g_allocator;
	g_allocator = nullptr;
	g_poisoned = false;
	g_oom = false;
	g_stopping = false;
}

/* Heap statistics of the isolate, ArrayBuffers included in used; zeros if none. */
extern "C" void
udf_v8_heap_stats(size_t *used, size_t *total, size_t *limit)
{
	*used = *total = *limit = 0;
	if (!g_isolate)
		return;
	HeapStatistics hs;

	g_isolate->GetHeapStatistics(&hs);
	*used = hs.used_heap_size() + (g_allocator ? g_allocator->used() : 0);
	*total = hs.total_heap_size();
	*limit = hs.heap_size_limit();
}

/* How many isolates this process has made. */
extern "C" uint64_t
udf_v8_isolates_created(void)
{
	return g_isolates_created;
}

/* Milliseconds from hitting the heap limit to leaving V8, for the last OOM. */
extern "C" double
udf_v8_last_oom_unwind_ms(void)
{
	return g_last_oom_unwind_ms;
}

/*
 * Use a startup snapshot for the isolates made from now on, if this V8 reads
 * it. V8 aborts the process on a snapshot of another V8 version, so a
 * snapshot that fails V8's own check is not used (contexts then run the
 * runtime's source): the packaged udf.so and the system's libnode108 are
 * updated separately.
 */
extern "C" bool
udf_v8_use_snapshot(const char *data, size_t len)
{
	StartupData blob = {data, static_cast<int>(len)};

	if (!data || len == 0 || !blob.IsValid())
	{
		g_snapshot = {nullptr, 0};
		return false;
	}
	g_snapshot = blob;
	return true;
}

/* Ask V8 to stop running JS as soon as possible (any thread: the watchdog's too). */
extern "C" void
udf_v8_terminate(void)
{
	g_stopping = true;
	if (g_isolate)
		g_isolate->TerminateExecution();
}

/* Is the running call being stopped? */
extern "C" bool
udf_v8_stopping(void)
{
	return g_stopping;
}

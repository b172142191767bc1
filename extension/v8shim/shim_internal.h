/*
 * shim_internal.h -- what the files of the V8 shim share; nothing outside
 * extension/v8shim/ includes it (C sees udf_v8.h only).
 *
 * The shim is split by concern, one file each:
 *   isolate.cc     V8 and its platform, the one isolate and its ArrayBuffer
 *                  allocator, the heap limit, stop requests, the isolate's
 *                  poisoning after OOM and its disposal, heap statistics
 *   context.cc     UdfV8Context: made from the snapshot or by running the
 *                  runtime bundle, freed; the runtime's functions by name
 *   modules.cc     a module's import tree compiled, resolved by the host's
 *                  policy (UdfV8Host.builtin_modules), instantiated, evaluated
 *   call.cc        entering and leaving the shim (watchdog, nesting), the one
 *                  typed call, the one settle step, an entry point's answer
 *   exceptions.cc  thrown values and unhandled rejections described for the
 *                  host; strings in host memory
 *   natives.cc     __udfNative.syscall/console, entry tokens, the external
 *                  references a snapshot needs
 *   snapshot.cc    build time: the startup snapshot and its warm-up call
 * beside host_values.cc, code_cache.cc and watchdog.cc, which have their own
 * headers.
 *
 * Everything declared here lives in namespace udf_shim with hidden
 * visibility: calls between the shim's files are direct calls (no PLT) that
 * GCC may still inline within a file, and the globals are read PC-relative
 * (no GOT), as when all of this was static in one file; nothing of it is
 * exported from udf.so. Each file keeps its own helpers in an anonymous
 * namespace.
 *
 * Threads: only the backend's main thread touches any of this, except
 * g_stopping and g_oom (atomics) and Isolate::TerminateExecution, which the
 * watchdog thread reaches through udf_v8_terminate.
 */
#ifndef UDF_SHIM_INTERNAL_H
#define UDF_SHIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <v8.h>

#include "udf_v8.h"
#include "host_values.h"

namespace udf_shim __attribute__((visibility("hidden")))
{

/* Embedder-data slot of a Context that points back to its UdfV8Context. */
constexpr int kContextSlot = 1;

/* Arguments of one entry-point call at most (invoke takes 10 with its namespace). */
constexpr int kMaxEntryArgs = 16;

/* A deployed or builtin module of a context: its source, and once compiled its V8 module. */
struct ModuleEntry
{
	std::string source;
	std::string source_map;
	std::string cache_key;		/* empty: not cached */
	bool		builtin = false;
	v8::Global<v8::Module> module;
	bool		evaluated = false;	/* module was seen evaluated: it stays so while it is set */
};

/* ---- isolate.cc: the process's V8 state ---- */

extern UdfV8Host g_host;
extern v8::Isolate *g_isolate;
/*
 * the runtime bundle's source, for contexts made without the snapshot: the
 * caller's bytes (udf.so's array), kept by pointer, since a backend with the
 * snapshot never reads them and a copy would be a third of a MB per backend
 */
extern const char *g_runtime_source;
extern size_t g_runtime_source_len;
/* startup snapshot with the runtime already run in its default context, if any */
extern v8::StartupData g_snapshot;
/* the heap limit was reached; the isolate is poisoned when the call ends */
extern std::atomic<bool> g_oom;
/*
 * Set whenever termination was asked for (heap limit, watchdog, host), until
 * the outermost call ends: host callbacks then build nothing in V8 and
 * report nothing as a catchable error, whatever the host answered.
 */
extern std::atomic<bool> g_stopping;

/* Start V8 with udf's flags and a platform whose thread blocks every signal; once. */
void		StartV8(void);

/* Make the isolate (with the snapshot, if any); false and err filled on failure. */
bool		CreateIsolate(UdfV8Error *err);

/* The outermost call ends after the heap limit: poison the isolate, report OOM. */
UdfV8Status PoisonAfterOom(UdfV8Status st, UdfV8Error *err);

/* Give back the resident pages of the snapshot V8 has just read (read again, they fault back in from udf.so). */
void		ReleaseSnapshotPages(void);

/* ---- context.cc: contexts ---- */

/* Compile and run the runtime bundle in ctx, with the bundle's code cache. */
bool		RunRuntime(v8::Local<v8::Context> ctx, UdfV8Error *err);

/* globalThis.__udf and its function `name`; false if either is missing. */
bool		RuntimeFunction(v8::Local<v8::Context> ctx, const char *name,
							v8::Local<v8::Object> *udf, v8::Local<v8::Function> *fn);

/* Forget the queues of freed contexts (the isolate that could reach them is gone). */
void		DropRetiredQueues(void);
void		RetireQueue(std::unique_ptr<v8::MicrotaskQueue> queue);

/* ---- modules.cc: ES modules ---- */

/* Take the host's module-resolution policy (copied). */
void		SetBuiltinModules(const UdfV8BuiltinModule *table, int n);

/* The module of path in context c, or nullptr; the last one found is kept at hand. */
ModuleEntry *FindModule(UdfV8Context *c, const char *path);

/* ---- call.cc ---- */

/* The V8 string of a name the host keeps (UDF_V8_NAME), made once per context and address. */
v8::Local<v8::String> CachedName(UdfV8Context *c, const char *name);

/* import() is refused, as Convex refuses it (the isolate's dynamic-import callback). */
v8::MaybeLocal<v8::Promise> RefuseDynamicImport(v8::Local<v8::Context> ctx, v8::Local<v8::Data> options,
												v8::Local<v8::Value> resource,
												v8::Local<v8::String> specifier,
												v8::Local<v8::FixedArray> assertions);

/* ---- call.cc: entries into JS ---- */

/* Every entry point begins here: the outermost one arms the watchdog. */
void		EnterCall(void);

/* Every entry point ends here; the outermost one disarms and turns a stop into its reason. */
UdfV8Status LeaveCall(UdfV8Status st, UdfV8Error *err);

/*
 * The one tail of every entry into JS: what `ran` returned (empty: it threw,
 * reported with status `failed`), microtasks drained from `queue`, a
 * termination noticed, and a promise read as pending (UDF_V8_UNFINISHED with
 * `unfinished`), rejected (status `failed`) or fulfilled (*out its value).
 */
UdfV8Status Settle(v8::Local<v8::Context> ctx, v8::MicrotaskQueue *queue, v8::TryCatch &tc,
				   v8::MaybeLocal<v8::Value> ran, UdfV8Status failed, const char *unfinished,
				   v8::Local<v8::Value> *out, UdfV8Error *err);

/* Turn the runtime's event loop until p settles or nothing is left to wait for. */
UdfV8Status RunLoop(v8::Local<v8::Context> ctx, v8::MicrotaskQueue *queue, v8::TryCatch &tc,
					v8::Local<v8::Promise> p, UdfV8Status failed, UdfV8Error *err);

/*
 * An entry point's answer: a string is the result's JSON, a Uint8Array the
 * result as host values (UDF_RESULT_VALUES), an object a failure.
 */
UdfV8Status ReadAnswer(v8::Local<v8::Context> ctx, v8::Local<v8::Value> answer, const char *entry,
					   char **result_json, UdfV8Error *err);

/* ---- exceptions.cc: errors and strings for the host ---- */

/* Copies in host memory (UdfV8Host.alloc); "" if the host has none left. */
char	   *HostStrdup(const char *s, size_t len);
char	   *HostStrdup(const std::string &s);
char	   *HostStrdup(v8::Isolate *iso, v8::Local<v8::Value> v);

/* Fill err with a status and a message of the shim's own. */
void		SetError(UdfV8Error *err, UdfV8Status status, const std::string &message);

/* A string property of obj; false when absent, null or undefined. */
bool		GetStringProp(v8::Local<v8::Context> ctx, v8::Local<v8::Object> obj, const char *name,
						  std::string *out);

/* A string property of obj in host memory, or NULL when absent. */
char	   *PropOrNull(v8::Local<v8::Context> ctx, v8::Local<v8::Object> obj, const char *name);

/* Describe a thrown value with the runtime's formatter; msg (may be empty) locates it. */
void		DescribeValue(v8::Local<v8::Context> ctx, v8::Local<v8::Value> exc, v8::Local<v8::Message> msg,
						  UdfV8Status status, UdfV8Error *err);

/* Describe what tc caught (or a termination), then clear tc. */
void		DescribeException(v8::Local<v8::Context> ctx, v8::TryCatch &tc, UdfV8Status status,
							  UdfV8Error *err);

/* A rejection nobody handled during this call, described; false if there is none. */
bool		DescribeUnhandled(v8::Local<v8::Context> ctx, UdfV8Error *err);

/* The isolate's promise-reject callback: tracks rejections nobody handles. */
void		OnPromiseReject(v8::PromiseRejectMessage message);

/* Forget the tracked rejections (a top-level call begins or ends). */
void		ClearUnhandled(void);

/* ---- natives.cc: what JS calls in the host ---- */

/* globalThis.__udfNative = {syscall, console}; false if V8 could not make them. */
bool		InstallNatives(v8::Local<v8::Context> ctx);

/* The C++ functions a snapshot refers to, in a fixed order (V8 needs them listed). */
const intptr_t *ExternalReferences(void);

/* Marks one entry into a context as the running one, for as long as it is in scope. */
class EntryToken
{
public:
	EntryToken(v8::Isolate *iso, v8::Local<v8::Context> ctx, UdfV8Context *c);
	~EntryToken();

private:
	v8::Local<v8::Context> ctx_;
	UdfV8Context *c_;
	uint32_t	outer_;			/* the token of an entry this one runs inside of, or 0 */
};

/* A context's entry token as the V8 value promises carry (a small integer: no allocation). */
inline v8::Local<v8::Value>
TokenValue(v8::Isolate *iso, uint32_t token)
{
	return v8::Integer::NewFromUnsigned(iso, token);
}

/* ---- small helpers, inline: some are on the call and syscall paths ---- */

/* The UdfV8Context that owns a V8 context (NULL: the snapshot's build-time context). */
inline UdfV8Context *
OwnerOf(v8::Local<v8::Context> ctx)
{
	return static_cast<UdfV8Context *>(ctx->GetAlignedPointerFromEmbedderData(kContextSlot));
}

/* A V8 string; the empty string if V8 cannot make it (too long, or the call is being stopped). */
inline v8::Local<v8::String>
V8Str(v8::Isolate *iso, const char *s, int len = -1)
{
	v8::Local<v8::String> str;

	if (!v8::String::NewFromUtf8(iso, s, v8::NewStringType::kNormal, len).ToLocal(&str))
		return v8::String::Empty(iso);
	return str;
}

/* A V8 string of a std::string, as V8Str. */
inline v8::Local<v8::String>
V8Str(v8::Isolate *iso, const std::string &s)
{
	return V8Str(iso, s.data(), static_cast<int>(s.size()));
}

/* A value's string form as UTF-8; empty if V8 cannot give it. */
inline std::string
ToStdString(v8::Isolate *iso, v8::Local<v8::Value> v)
{
	v8::String::Utf8Value u(iso, v);

	return *u ? std::string(*u, u.length()) : std::string();
}

} /* namespace udf_shim */

/* A V8 context of one deployment and role, with everything the shim keeps for it. */
struct __attribute__((visibility("hidden"))) UdfV8Context
{
	/*
	 * Each context has its own microtask queue: a nested call (which runs in
	 * a context of its own, from inside the caller's microtasks) can then
	 * drain its queue to completion, which V8 refuses on a queue that is
	 * already running.
	 */
	std::unique_ptr<v8::MicrotaskQueue> microtasks;
	v8::Global<v8::Context> context;
	v8::Global<v8::Object> runtime;	/* globalThis.__udf */
	/* the entry points called so far, by name: a handful, found by comparing names */
	std::vector<std::pair<std::string, v8::Global<v8::Function>>> entries;
	std::unordered_map<std::string, udf_shim::ModuleEntry> modules;
	/* the module the last call named (most calls name the one before's); entries are never erased */
	std::string last_module_path;
	udf_shim::ModuleEntry *last_module = nullptr;
	/* V8 strings of the names calls pass (UDF_V8_NAME), by address; the text checks a reused address */
	struct NameEntry
	{
		const char *ptr = nullptr;
		std::string text;
		v8::Global<v8::String> str;
	};
	NameEntry names[16];
	/* identity hash of a compiled module -> its path (for the resolver) */
	std::unordered_multimap<int, std::string> paths_by_hash;
	ObjectShapes shapes;		/* for host values */
	/*
	 * The running entry's token (empty between entries). V8 hands a context's
	 * continuation-preserved embedder data to every promise reaction made
	 * while it is set, so a continuation left behind by an earlier call (a
	 * promise resolved only later, from module state) still carries that
	 * call's token when it runs: its syscalls are refused.
	 */
	uint32_t	call_token = 0;
};

#endif							/* UDF_SHIM_INTERNAL_H */

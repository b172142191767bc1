/*
 * udf_v8.h -- the only face of the C++ V8 shim.
 *
 * The shim owns every V8 object. C sees opaque handles and plain strings; no
 * PostgreSQL error ever crosses into C++ (the host callbacks below are C
 * functions that catch their own errors and report them as values), and no
 * C++ exception or V8 exception crosses back: every entry point returns a
 * status and fills a UdfV8Error.
 *
 * Strings handed out by the shim (UdfV8Error fields, results) are allocated
 * with the host's allocator (UdfV8Host.alloc), so the C side can use palloc
 * and let memory contexts clean up.
 */
#ifndef UDF_V8_H
#define UDF_V8_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C"
{
#endif

typedef enum UdfV8Status
{
	UDF_V8_OK = 0,
	UDF_V8_JS_ERROR,			/* a JS exception; see error fields */
	UDF_V8_SYNTAX_ERROR,		/* a module failed to compile */
	UDF_V8_MODULE_ERROR,		/* an import could not be resolved, or a module threw */
	UDF_V8_TERMINATED,			/* execution was terminated (cancel, timeout) */
	UDF_V8_OUT_OF_MEMORY,		/* the heap limit was reached; isolate must be rebuilt */
	UDF_V8_UNFINISHED,			/* the function's promise never settled */
	UDF_V8_TIMED_OUT,			/* the call's time limit passed */
	UDF_V8_INTERNAL				/* a bug in udf; message says what */
} UdfV8Status;

/* An error as the shim reports it; every string may be NULL. */
typedef struct UdfV8Error
{
	UdfV8Status status;
	char	   *code;			/* SQLSTATE chosen by the runtime, if any */
	char	   *message;
	char	   *detail;
	char	   *hint;
	char	   *module;			/* module the error is located in, if known */
	int			line;			/* 1-based, 0 if unknown */
	int			column;			/* 1-based, 0 if unknown */
} UdfV8Error;

/*
 * Host values: a syscall result the shim turns straight into V8 values,
 * instead of JSON text. A value is a tag byte and its payload, lengths and
 * counts as native uint32, numbers as native double:
 *   null 'z', true 'T', false 'F', number 'n' double,
 *   string 's' len bytes (UTF-8), JSON text 'j' len bytes,
 *   array 'a' count values, object 'o' count (len key-bytes value)...,
 *   bytes 'b' len bytes (an ArrayBuffer)
 */
#define UDF_HV_NULL		'z'
#define UDF_HV_TRUE		'T'
#define UDF_HV_FALSE	'F'
#define UDF_HV_NUMBER	'n'
#define UDF_HV_STRING	's'
#define UDF_HV_JSON		'j'
#define UDF_HV_ARRAY	'a'
#define UDF_HV_OBJECT	'o'
#define UDF_HV_BYTES	'b'		/* len bytes, become an ArrayBuffer */

/* A syscall's answer from the host: either result or an error. */
typedef struct UdfV8HostResult
{
	char	   *result;			/* JSON text on success, or host values */
	size_t		result_len;		/* host values: their length in bytes */
	bool		result_is_values;	/* result holds host values, not JSON */
	char	   *error_message;	/* set on failure */
	char	   *error_code;		/* SQLSTATE as 5 chars */
	char	   *error_detail;
	char	   *error_hint;
} UdfV8HostResult;

/*
 * An argument of udf_v8_call_typed (a string (NULL: null), a number, or host
 * values: len bytes at str, passed as the value they encode), and of a
 * typed op (a string, len its bytes -- from JS bytes these may hold NULs --
 * or a number).
 */
typedef struct UdfV8Arg
{
	const char *str;			/* a string, or host values */
	double		num;
	bool		is_number;
	bool		is_values;
	size_t		len;			/* host values: their length */
	bool		is_name;		/* a string the host keeps (a function's name): its V8 string is cached */
} UdfV8Arg;

#define UDF_V8_STR(s)		((UdfV8Arg) {(s), 0, false, false, 0, false})
#define UDF_V8_NUM(n)		((UdfV8Arg) {NULL, (n), true, false, 0, false})
#define UDF_V8_VALUES(p, n)	((UdfV8Arg) {(p), 0, false, true, (n), false})
/* s must stay unchanged at that address for as long as the context lives, or be freed */
#define UDF_V8_NAME(s)		((UdfV8Arg) {(s), 0, false, false, 0, true})

/*
 * The module-resolution policy, one row per builtin module deployed code may
 * import (the runtime's builtinModuleSource makes each one's source from its
 * name). A bare specifier ("convex/server") matches an import of exactly
 * that text; a path ("_generated/server.js", from the deployment's root)
 * matches a relative import that reaches it, with or without ".js", when the
 * deployment has no module of that path. Any other import must be relative
 * and name a deployed module.
 */
typedef struct UdfV8BuiltinModule
{
	const char *specifier;		/* a bare specifier, or a path from the root */
	const char *name;			/* the runtime's name of the builtin module */
	bool		is_path;		/* specifier is a path, reached by relative imports */
} UdfV8BuiltinModule;

/* Callbacks into the host (PostgreSQL), and its policy. Callbacks must never longjmp. */
/*
 * A part of the runtime loaded on first use (udf-runtime/src/lazy/): its
 * name and its bundle's text, ASCII, at an address that outlives V8 (JS gets
 * it as an external string: it is never copied into a context's heap).
 */
typedef struct UdfV8LazySource
{
	const char *name;
	const char *source;
	size_t		len;
} UdfV8LazySource;

typedef struct UdfV8Host
{
	void	   *(*alloc) (size_t size);
	/* run a syscall; op and args are NUL-terminated UTF-8 */
	void		(*syscall) (const char *op, const char *args, size_t args_len,
							UdfV8HostResult *out);
	/*
	 * run one of the runtime's typed ops (name NUL-terminated; string
	 * arguments NUL-terminated UTF-8, str NULL for null; booleans as 1/0)
	 */
	void		(*op) (const char *name, const struct UdfV8Arg *args, int nargs,
					   UdfV8HostResult *out);
	/* emit one console line; level is log/info/warn/error/debug */
	void		(*console) (const char *level, const char *line, size_t len,
							UdfV8HostResult *out);
	/*
	 * The event loop's wait (__udfNative.wait): JS has nothing to run until
	 * host work completes. Block until some completes, timeout_ms passes
	 * (< 0: no timeout of its own) or the call is being stopped, and answer
	 * the completions as host values (an array; none: null). The watchdog
	 * keeps running meanwhile, so waiting counts as the call's time.
	 */
	void		(*wait) (double timeout_ms, UdfV8HostResult *out);
	/*
	 * Does the host want running JS stopped (cancel, timeout, shutdown)?
	 * Called from the watchdog thread: it may only read flags.
	 */
	bool		(*interrupt_pending) (void);
	/* the builtin modules (copied by udf_v8_initialize) */
	const UdfV8BuiltinModule *builtin_modules;
	int			n_builtin_modules;
	/* the parts loaded on first use (kept by address, not copied) */
	const UdfV8LazySource *lazy_sources;
	int			n_lazy_sources;
} UdfV8Host;

typedef struct UdfV8Context UdfV8Context;

/* Initialise V8 once per process (in a backend, never the postmaster); runtime_source is kept by address, so it must live as long as the process. */
extern bool udf_v8_initialize(const UdfV8Host *host, const char *runtime_source,
							  size_t runtime_len, size_t max_heap_mb,
							  UdfV8Error *err);

/*
 * V8 starts once per process, and libnode is shared with any other library
 * that embeds it (plv8): who started it here, if anyone (extension/v8_peers.c).
 */
typedef enum UdfV8Owner
{
	UDF_V8_NOT_STARTED = 0,
	UDF_V8_STARTED_BY_UDF,
	UDF_V8_STARTED_ELSEWHERE	/* another library in this process */
} UdfV8Owner;

extern UdfV8Owner udf_v8_owner(void);

/* True once the isolate exists and was not poisoned by OOM/termination. */
extern bool udf_v8_isolate_alive(void);

/* Throw away the isolate (and every context); the next context makes a new one. */
extern void udf_v8_dispose_isolate(void);

/* Heap statistics of the current isolate, in bytes; zeros if none. */
extern void udf_v8_heap_stats(size_t *used, size_t *total, size_t *limit);

/* Milliseconds from hitting the heap limit to leaving V8, for the last OOM. */
extern double udf_v8_last_oom_unwind_ms(void);

/* How many isolates this process has created. */
extern uint64_t udf_v8_isolates_created(void);

/* True if the module was compiled, linked and evaluated in this context. */
extern bool udf_v8_module_ready(UdfV8Context *ctx, const char *path);

/* A new context with the runtime loaded; NULL and err filled on failure. */
extern UdfV8Context *udf_v8_context_new(UdfV8Error *err);
extern void udf_v8_context_free(UdfV8Context *ctx);

/*
 * Register a module's source (not compiled until loaded). cache_key names its
 * compiled code in the code cache (a hash of the source; NULL: not cached).
 */
extern void udf_v8_context_add_module(UdfV8Context *ctx, const char *path,
									  const char *source, size_t source_len,
									  const char *source_map, size_t map_len,
									  const char *cache_key);

/* Compile, link and evaluate a module and its imports, once. */
extern UdfV8Status udf_v8_load_module(UdfV8Context *ctx, const char *path,
									  UdfV8Error *err);

/*
 * Call a runtime entry point (a function on globalThis.__udf) with string
 * arguments (NULL passes null). Every entry point answers in one form: it
 * returns, or resolves to, the result's JSON text on success, or an object
 * {code, message, detail, hint} on failure. If module_path is non-NULL its
 * namespace object is passed as the first argument. On success *result_json
 * is the JSON text. At most 16 arguments, namespace included.
 */
extern UdfV8Status udf_v8_call(UdfV8Context *ctx, const char *entry,
							   const char *module_path,
							   const char *const *args, int nargs,
							   char **result_json, UdfV8Error *err);


/*
 * udf_v8_call with typed arguments, so no options object needs parsing;
 * udf_v8_call is this same call with string arguments.
 */
extern UdfV8Status udf_v8_call_typed(UdfV8Context *ctx, const char *entry,
									 const char *module_path,
									 const UdfV8Arg *args, int nargs,
									 char **result_json, UdfV8Error *err);

/* The runtime's invoke flags (udf-runtime/src/call.js has the same bits). */
#define UDF_INVOKE_ALLOW_INTERNAL	1
#define UDF_INVOKE_TRIGGER			2
#define UDF_INVOKE_NESTED			4
#define UDF_INVOKE_ARGS_BUILT		8	/* args is the value itself, not JSON text */
#define UDF_INVOKE_NO_IDENTITY		16	/* the call has no auth identity (a scheduled function) */
#define UDF_INVOKE_ARGS_PLAIN		32	/* the built args need no Convex decoding (valid names, no tagged values) */
#define UDF_INVOKE_RESULT_VALUES	64	/* a plain result may come back as host values (UDF_RESULT_VALUES) */
#define UDF_INVOKE_RESULT_NUMBER	128 /* a number result comes back as the number (UDF_RESULT_NUMBER) */

/*
 * A result_json that begins with this byte (never the start of JSON text)
 * holds host values instead: a native uint32 length, then that many bytes
 * of one value. Only a call with UDF_INVOKE_RESULT_VALUES gets one.
 */
#define UDF_RESULT_VALUES			'\x01'

/*
 * A result_json that begins with this byte holds a number: a native double
 * follows. Only a call with UDF_INVOKE_RESULT_NUMBER gets one.
 */
#define UDF_RESULT_NUMBER			'\x02'

/*
 * Compiled module code is cached by the cache key given with each module (its
 * source hash): in memory, and in files under dir if set (NULL: memory only).
 */
extern void udf_v8_set_code_cache_dir(const char *dir);

typedef struct UdfV8CodeCacheStats
{
	uint64_t	hits;			/* modules compiled from a cache */
	uint64_t	misses;			/* compiled from source: no cache yet */
	uint64_t	rejected;		/* a cache V8 refused; compiled from source */
	uint64_t	written;		/* caches made */
} UdfV8CodeCacheStats;

extern void udf_v8_code_cache_stats(UdfV8CodeCacheStats *stats);

/*
 * Use a startup snapshot (made by udf_v8_make_snapshot); before udf_v8_initialize.
 * False, and no snapshot used, when this V8 cannot read it (another V8 build
 * made it: the system's libnode108 was updated after udf was built).
 */
extern bool udf_v8_use_snapshot(const char *data, size_t len);

/* Build time: write a startup snapshot with the runtime already run. 0 on success. */
extern int	udf_v8_make_snapshot(const char *runtime_source, size_t runtime_len,
								 const char *out_path);

/* Ask V8 to stop running JS as soon as possible (any thread). */
extern void udf_v8_terminate(void);

/*
 * Is the running call being stopped (cancel, timeout, heap limit, or a host
 * request)? True from the request until the outermost call returns; a host
 * callback that sees it must not hand JS anything catchable.
 */
extern bool udf_v8_stopping(void);

/*
 * Time limit for the next top-level entry (udf_v8_call, udf_v8_load_module,
 * udf_v8_context_new), in ms of JS time; <= 0 for none. Time inside host
 * syscalls is not counted.
 */
extern void udf_v8_set_time_limit(double ms);

#ifdef __cplusplus
}
#endif

#endif							/* UDF_V8_H */

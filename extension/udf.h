/*
 * udf.h -- declarations shared by the extension's C files.
 *
 * Each subsystem has its own file and its own Init function called from
 * _PG_init (udf.c): guc.c-style settings live beside the code that uses
 * them.
 */
#ifndef UDF_H
#define UDF_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"
#include "v8shim/udf_v8.h"

#include "call.h"
#include "callstack.h"
#include "clock.h"
#include "contexts.h"
#include "names.h"
#include "parked.h"
#include "prng.h"

/* SQLSTATEs of our own (class "UD"); the README lists them. */
#define ERRCODE_UDF_JAVASCRIPT_ERROR	MAKE_SQLSTATE('U','D','F','0','0')
#define ERRCODE_UDF_CONVEX_ERROR		MAKE_SQLSTATE('U','D','F','0','1')
#define ERRCODE_UDF_RETURN_VALIDATION	MAKE_SQLSTATE('U','D','F','0','2')
#define ERRCODE_UDF_UNFINISHED			MAKE_SQLSTATE('U','D','F','0','3')
#define ERRCODE_UDF_INVALID_DEPLOYMENT	MAKE_SQLSTATE('U','D','F','1','0')

/* A loaded deployment as the backend caches it. */
typedef struct UdfModule
{
	char	   *path;
	char	   *source;
	char	   *source_map;		/* NULL if none */
	char	   *source_sha256;	/* hex; set when read back from udf_module */
} UdfModule;

typedef struct UdfFunctionInfo
{
	char	   *name;			/* "dir/messages:send" */
	char	   *kind;			/* query, mutation, action, httpAction */
} UdfFunctionInfo;

typedef struct UdfDeployment
{
	int64		id;				/* 0: nothing deployed */
	double		deployed_at_ms;	/* Date.now() while modules are imported */
	char	   *import_seed;	/* Math.random seed while modules are imported */
	char	   *schema;			/* schema.js export JSON, or NULL */
	int			nmodules;
	UdfModule  *modules;		/* in TopMemoryContext-owned storage */
	int			nfunctions;
	UdfFunctionInfo *functions;	/* sorted by name */
} UdfDeployment;

/* udf.c */
extern void _PG_init(void);

/* store.c: the deployment tables */
extern void StoreInit(void);
extern const UdfDeployment *StoreCurrentDeployment(void);
extern const char *StoreFunctionKind(const UdfDeployment *dep, const char *name);
extern int64 StoreSaveDeployment(int nmodules, const UdfModule *modules,
								 const char *functions_json, const char *import_seed,
								 const char *schema_json);
extern void StoreLockDeployments(void);

/* elevated.c: udf's own tables, and SQL run on them as their owner */
extern Oid	ExtensionSchema(void);
extern Oid	ExtensionTable(const char *name, Oid *owner);
extern char *ExtensionTableName(const char *table);
typedef void (*ElevatedWork) (void *arg);
extern void RunAsExtensionOwner(ElevatedWork work, void *arg);

/* runtime.c: starting V8 and its host callbacks */
extern void RuntimeEnsureStarted(void);

/* console.c */
extern void ConsoleInit(void);
extern void ConsoleEmit(const char *level, const char *line, size_t len,
						UdfV8HostResult *out);

/* syscall.c: dispatch of Convex syscalls that reach C */
extern void SyscallDispatch(const char *op, const char *args, size_t args_len,
							UdfV8HostResult *out);

/* limits.c: time, heap and size limits, interrupts, udf_info() */
extern void LimitsInit(void);
extern bool LimitsInterruptPending(void);
extern double LimitsTimeLimitMs(const char *kind);
extern void LimitsSetCallTimeLimit(const char *kind);
extern double LimitsCallTimeLimitMs(void);
extern int	LimitsMaxHeapMb(void);
extern void LimitsCheckArgsSize(const char *function, size_t bytes);
extern void LimitsCheckResultSize(const char *function, size_t bytes);
extern void LimitsCountTermination(UdfV8Status status, const char *function);
extern void LimitsCountIsolateDiscarded(void);
extern void LimitsResetTransaction(void);
extern void LimitsCountQuery(void);
extern void LimitsCountRead(size_t bytes);
extern void LimitsCountWrite(size_t bytes);
extern void LimitsTransactionMetrics(const char *args, size_t len, UdfV8HostResult *out);

/* codecache.c: where compiled module code is cached */
extern void CodeCacheInit(void);
extern void CodeCacheStart(void);
extern const char *CodeCacheKey(const UdfModule *module);
extern void CodeCachePrune(List *old_hashes, List *new_hashes);
extern void CodeCacheAppendStats(StringInfo buf);

/* subxact.c: host work that JS may catch; returns true to roll back */
typedef bool (*SubxactWork) (void *arg, UdfV8HostResult *out);
extern void RunInSubtransaction(SubxactWork work, void *arg, UdfV8HostResult *out);

/* nested.c: 1.0/runUdf (ctx.runQuery / ctx.runMutation) */
extern void NestedRunUdf(const char *args, size_t args_len, UdfV8HostResult *out);

/* ids.c: Convex document ids and the table-number registry */
extern char *IdEncode(uint32 table_number, const uint8 *random16);
extern bool IdDecode(const char *id, uint32 *table_number);
extern char *IdNew(uint32 table_number);
extern uint32 TableNumberFor(Oid relid);
extern Oid	TableForNumber(uint32 number);
extern const char *CursorSecret(void);

/* db.c (the db*.c family; db.h is its internal header): the ctx.db syscalls */
extern void DbGet(const char *args, size_t len, UdfV8HostResult *out);
extern void DbInsert(const char *args, size_t len, UdfV8HostResult *out);
extern void DbPatch(const char *args, size_t len, UdfV8HostResult *out);
extern void DbReplace(const char *args, size_t len, UdfV8HostResult *out);
extern void DbRemove(const char *args, size_t len, UdfV8HostResult *out);
extern void DbCount(const char *args, size_t len, UdfV8HostResult *out);
extern void DbNormalizeId(const char *args, size_t len, UdfV8HostResult *out);
extern void DbQueryStream(const char *args, size_t len, UdfV8HostResult *out);
extern void DbQueryStreamNext(const char *args, size_t len, UdfV8HostResult *out);
extern void DbQueryCleanup(const char *args, size_t len, UdfV8HostResult *out);
extern void DbQueryPage(const char *args, size_t len, UdfV8HostResult *out);
/* dbrow.c: row <-> document for triggers (Relation and HeapTuple from utils/rel.h, access/htup.h) */
struct RelationData;
struct HeapTupleData;
struct ValueWriter;
extern void DbWriteRow(struct ValueWriter *w, struct RelationData *rel, struct HeapTupleData *tuple);
extern struct HeapTupleData *DbRowFromDocument(struct RelationData *rel, struct HeapTupleData *base,
											   const char *doc_json, const char *function);

/* schema.c: schema.js -> managed tables */
extern char *SchemaApply(const char *schema_json);

/* v8_peers.c: another V8 embedder (plv8) in the same backend */
extern void V8PeersCheck(void);

/* errors.c */
extern int	SqlstateFromString(const char *code, int fallback);
extern void ReportV8Error(const UdfV8Error *err, const char *context_name) pg_attribute_noreturn();

/* SQL-callable functions (deploy.c, invoke.c, trigger.c, limits.c) are declared by PG_FUNCTION_INFO_V1 */

#endif							/* UDF_H */

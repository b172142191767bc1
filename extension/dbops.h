/*
 * dbops.h -- the db family's face to the rest of the extension: the ctx.db
 * syscalls and trigger rows (db*.c; db.h is the family's internal header).
 */
#ifndef UDF_DBOPS_H
#define UDF_DBOPS_H

#include "v8shim/udf_v8.h"

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
extern void DbWriteTarget(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void DbIdTable(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void DbQueryNext(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
/* dbsql.c: reads on the active snapshot, for runQuery with useStaleSnapshot */
extern void DbBeginSnapshotReads(void);
extern void DbEndSnapshotReads(void);
/* dbrow.c: row <-> document for triggers (Relation and HeapTuple from utils/rel.h, access/htup.h) */
struct RelationData;
struct HeapTupleData;
struct ValueWriter;
extern void DbWriteRow(struct ValueWriter *w, struct RelationData *rel, struct HeapTupleData *tuple);
extern struct HeapTupleData *DbRowFromDocument(struct RelationData *rel, struct HeapTupleData *base,
											   const char *doc_json, const char *function);

#endif							/* UDF_DBOPS_H */

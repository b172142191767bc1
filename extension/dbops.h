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
extern void DbGetTyped(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void DbInsertTyped(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
/* dbsql.c: reads on the active snapshot, for runQuery with useStaleSnapshot */
extern void DbBeginSnapshotReads(void);
extern void DbEndSnapshotReads(void);
extern void DbVectorSearch(const char *args, size_t len, UdfV8HostResult *out);
/* dbsearch.c, dbvector.c: schema.js's search and vector indexes (json_t from jansson.h) */
struct json_t;
extern void SearchIndexesApply(Oid relid, const char *table, struct json_t *document_type, struct json_t *indexes);
extern void VectorIndexesApply(Oid relid, const char *table, struct json_t *document_type, struct json_t *indexes);
/* dbhidden.c: before a deploy alters or drops a column, the hidden index columns computed from it go */
extern void DropHiddenColumnsOn(Oid relid, const char *column);
extern const char *VectorFieldSqlType(struct json_t *table, const char *field, const char *type, bool *scalar);
extern bool VectorConvertColumn(Oid relid, const char *qtable, const char *table, const char *field,
								struct json_t *field_type, const char *have, const char *want);
/* dbrow.c: row <-> document for triggers (Relation and HeapTuple from utils/rel.h, access/htup.h) */
struct RelationData;
struct HeapTupleData;
struct ValueWriter;
extern void DbWriteRow(struct ValueWriter *w, struct RelationData *rel, struct HeapTupleData *tuple);
extern struct HeapTupleData *DbRowFromDocument(struct RelationData *rel, struct HeapTupleData *base,
											   const char *doc_json, const char *function);

#endif							/* UDF_DBOPS_H */

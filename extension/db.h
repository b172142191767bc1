/*
 * db.h -- the internal header of ctx.db, the Convex database syscalls as
 * SQL over SPI (the db*.c family, in the manner of pgvector's hnsw*.c).
 *
 * The rest of the extension sees only the Db* entry points declared in
 * udf.h; this header is for the family itself. One concern per file:
 *
 *   dbops.c     the op wrapper (RunOp) and the exported Db* entry points
 *   dbtable.c   tables by name, id or relation; their description and cache;
 *               the columns of an index
 *   dbsql.c     SQL plumbing: the SELECT list, saved plans, Execute
 *   dbfilter.c  filter expressions and index ranges as SQL predicates,
 *               in Convex's total order of types
 *   dbquery.c   queries: their order and SELECT, get, count, normalizeId,
 *               queryStream/Next/Cleanup and the open-query state
 *   dbpage.c    paginate and its signed cursors
 *   dbwrite.c   insert, patch (shallowMerge), replace, remove, and the
 *               typed op writeTarget the runtime asks before a write
 *   dbinsertsql.c the INSERT text of db.insert, remembered by table and fields
 *   dbrow.c     row <-> document, for ctx.db reads and for trigger rows
 *   dbschemaless.c tables without a schema: made by their first insert,
 *               the document kept whole in jsonb
 *   dbsortkey.c Convex's total order as bytes: udf_sort_key for values kept
 *               as jsonb, and the keys of literals
 *   dbpath.c    the value at a field path inside jsonb, for SQL
 *               (udf_path_text, udf_path_vector)
 *   dbhidden.c  the hidden generated columns of search and vector indexes
 *   dbsearch.c  text search: searchIndex columns, withSearchIndex queries
 *               and their pages
 *   dbvector.c  vector search: vectorIndex fields, ctx.vectorSearch
 *
 * Memory: an op runs inside SPI (RunOp connects), so what it pallocs goes
 * with SPI_finish; RunOp copies the op's result out first. What outlives an
 * op lives in a context of its own: the table cache and the plan cache
 * (each one context under TopMemoryContext, reset when it grows), and the
 * open queries of a transaction (under TopTransactionContext).
 *
 * Errors: every op may raise (DbError, SPI, conversions); RunOp runs inside
 * subxact.c's trampoline, which turns the error into a JS exception. No
 * function of the family calls into V8: a write is checked by the runtime
 * before its syscall is made (dbwrite.c).
 *
 * The small helpers below are static inline: the hot path (one op, one row)
 * calls them from several files.
 */
#ifndef UDF_DB_H
#define UDF_DB_H

#include "udf.h"

#include "values.h"

#include "access/htup.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

#define MAX_PARAMS 256

/* Generated columns udf keeps beside a managed table's fields start so; documents leave them out. */
#define UDF_HIDDEN_PREFIX "_udf_"

/* One column of a table, as ctx.db sees it (dropped columns left out). */
typedef struct DbColumn
{
	char	   *name;
	Oid			typid;
	int32		typmod;
	AttrNumber	attnum;			/* its number in the table's own tuple descriptor */
} DbColumn;

/* A table as ctx.db uses it; DescribeTable (dbtable.c) makes it. */
typedef struct DbTable
{
	Oid			relid;
	char	   *name;			/* as the function named it */
	char	   *sql;			/* schema-qualified, quoted */
	bool		managed;
	bool		schemaless;		/* managed, made by a first insert: fields in the jsonb "_doc" */
	bool		lockable;		/* rows can be locked FOR UPDATE (not views and the like) */
	int			ncols;
	DbColumn   *cols;
	int			pk;				/* index into cols, -1 if no single-column primary key */
	/* the table cache's entry: db.get's SELECT text, [0] plain, [1] FOR UPDATE (NULL: none kept) */
	char	  **get_sql;
} DbTable;

/* The parameters of one statement: $1..$n. */
typedef struct SqlParams
{
	int			n;
	Oid			types[MAX_PARAMS];
	Datum		values[MAX_PARAMS];
	char		nulls[MAX_PARAMS];
} SqlParams;

/* One query being translated: its table, its parameters and its order. */
typedef struct QueryBuild
{
	DbTable    *t;
	SqlParams  *p;
	/* set by QueryOrder (dbquery.c) */
	const char *index_name;		/* withIndex's index, NULL for a full table scan */
	List	   *order_cols;		/* sort columns (names), NIL if the rows have no order */
	bool		desc;
	/* set by the caller: filters as a last boolean column, not in WHERE (read limits, dbpage.c) */
	bool		filter_column;
} QueryBuild;

/* A search or vector index of schema.js, as the live deployment defines it. */
typedef struct DbIndexSpec
{
	char	   *field;			/* searchField or vectorField */
	List	   *filter_fields;	/* C strings */
	int			dimensions;		/* vector indexes */
} DbIndexSpec;

/* A db op works on its parsed arguments, inside SPI; RunOp (dbops.c) supplies both. */
typedef void (*DbOp) (json_t *root, size_t len, UdfV8HostResult *out);

/* A typed op of the family works on its typed arguments, inside SPI. */
typedef void (*DbTypedOp) (const UdfV8Arg *args, UdfV8HostResult *out);

/* dbops.c */
extern void RunTypedDbOp(DbTypedOp op, const UdfV8Arg *args, UdfV8HostResult *out);
/* ereport(ERROR) with a printf-style message; never returns. */
#define DbError(sqlstate, ...) \
	ereport(ERROR, (errcode(sqlstate), errmsg_internal(__VA_ARGS__)))

/* dbtable.c */
extern bool ResolveQueryTable(json_t *source, DbTable *t);
extern const char *QueryIndexName(json_t *source);
extern void ResolveTable(const char *name, DbTable *t);
extern bool ResolveTableIfExists(const char *name, DbTable *t);
extern bool TableCacheLookup(const char *name, DbTable *t);
extern bool WriteTargetCached(const UdfV8Arg *args, UdfV8HostResult *out);
extern void DbTableOfRelation(Oid relid, DbTable *t);
extern void CopyTable(const DbTable *src, DbTable *dst, MemoryContext cxt);
extern void TableCacheKeepGetSql(const DbTable *t, bool for_update, const char *sql);
extern void TableCacheTrim(void);
extern bool LocateIdText(const char *method, const char *table_name, const char *id, DbTable *t,
						 Datum *key, bool may_miss);
extern void OpGetTyped(const UdfV8Arg *args, UdfV8HostResult *out);
extern void OpInsertTyped(const UdfV8Arg *args, UdfV8HostResult *out);
extern bool LocateId(const char *method, const char *table_name, json_t *id_json, DbTable *t,
					 Datum *key, bool may_miss);
extern List *IndexColumns(const DbTable *t, const char *index_name);

/* dbsql.c */
extern void AppendColumns(StringInfo sql, const DbTable *t);
extern SPIPlanPtr SavedPlanFor(const char *sql, SqlParams *p);
extern int	Execute(const char *sql, SqlParams *p, bool read_only, long count);
extern bool SnapshotReads(void);
extern void PlanCacheTrim(void);
extern void PlanCacheSetNested(bool nested);

/* dbfilter.c */
extern void TranslateExpr(QueryBuild *b, json_t *e, StringInfo out);
extern void TranslateRange(QueryBuild *b, json_t *range, StringInfo where);

/* dbquery.c */

extern void QueryOrder(QueryBuild *b, json_t *source);
extern char *BuildQuery(QueryBuild *b, json_t *query, const char *extra_where, long max_rows);
extern void OpGet(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpCount(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpNormalizeId(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpQueryStream(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpQueryStreamNext(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpQueryCleanup(json_t *root, size_t len, UdfV8HostResult *out);

/* dbpage.c */
extern void OpQueryPage(json_t *root, size_t len, UdfV8HostResult *out);

/* dbsearch.c */
extern void IndexFieldPathCheck(const char *kind, const char *index, const char *table, const char *what,
								const char *path);
extern void IndexFilterFieldsCheck(const char *kind, const char *index, const char *table, json_t *document_type,
								   json_t *filters, bool creation_time);
extern bool FindIndexSpec(const DbTable *t, const char *kind, const char *index, DbIndexSpec *spec);
extern bool IsSearchSource(json_t *source);
extern char *BuildSearchQuery(QueryBuild *b, json_t *query, const char *extra_where, bool sentinel, long max_rows);
extern bool SearchRowIsSentinel(HeapTuple tup, TupleDesc desc);
extern void SearchScannedTooMany(void) pg_attribute_noreturn();
extern TupleDesc SearchDocumentDesc(TupleDesc desc, int ncols);
extern void SearchPage(json_t *root, UdfV8HostResult *out);

/* dbvector.c */
extern void OpVectorSearch(json_t *root, size_t len, UdfV8HostResult *out);

/* dbinsertsql.c */
extern void InsertSqlKeyBegin(StringInfo key, const DbTable *t, bool returning);
extern void InsertSqlKeyField(StringInfo key, const char *field);
extern const char *InsertSqlFor(const StringInfo key, const DbTable *t, List *fields, bool returning);

/* dbwrite.c */
extern void OpInsert(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpPatch(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpReplace(json_t *root, size_t len, UdfV8HostResult *out);
extern void OpRemove(json_t *root, size_t len, UdfV8HostResult *out);

/* dbschemaless.c */
#define SCHEMALESS_DOC "_doc"
extern const char *SchemalessTableName(const char *method, const char *name);
extern void CreateSchemalessTable(const char *name, DbTable *t);
extern void WriteSchemalessFields(ValueWriter *w, Datum doc);
extern Datum SchemalessDoc(json_t *value, const char *table, bool patch, Datum *removed);

/* dbsortkey.c */
extern Datum SortKeyOfLiteral(json_t *literal, const char *table, const char *path);
extern const char *SortKeySql(void);
extern Datum FieldPathArray(const char *path);
extern bool ColumnUsesSortKey(const DbTable *t, int c);
extern char *OrderColumnSql(const DbTable *t, int c);

/* dbpath.c */
extern bool JsonbAtPath(JsonbContainer *root, Datum *names, bool *nulls, int n, JsonbValue *out);

/* dbhidden.c */
extern char *PathValueSql(Oid relid, const char *fn, const char *path);
extern bool HiddenColumnIsCurrent(Oid relid, const char *column, const char *definition, const char *legacy_source);
extern void HiddenColumnMake(Oid relid, const char *qtable, const char *column, const char *sql_type,
							 const char *expr, const char *definition);
extern void HiddenColumnsDropStale(Oid relid, const char *qtable, const char *prefix, List *wanted);

/* typed ops (dbquery.c, dbwrite.c, dbidtable.c), entered through dbops.c */
extern void OpQueryNext(const UdfV8Arg *args, UdfV8HostResult *out);
extern void OpWriteTarget(const UdfV8Arg *args, UdfV8HostResult *out);
extern void OpIdTable(const UdfV8Arg *args, UdfV8HostResult *out);

/* dbrow.c */
extern void WriteDocument(ValueWriter *w, const DbTable *t, HeapTuple tup, TupleDesc desc);

/* FNV-1a of a string: the slot of a name or statement in a cache. */
static inline uint32
HashKey(const char *key)
{
	uint32		h = 2166136261u;

	for (const unsigned char *c = (const unsigned char *) key; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}

/* HashKey of len bytes that may hold NULs (a key of length-prefixed parts). */
static inline uint32
HashKeyBytes(const char *key, int len)
{
	uint32		h = 2166136261u;

	for (int i = 0; i < len; i++)
		h = (h ^ (unsigned char) key[i]) * 16777619u;
	return h;
}

/* Index into t->cols of the column name, or -1. */
static inline int
FindColumn(const DbTable *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

/* Position of name in a list of C strings, or -1. */
static inline int
ListPosition(List *cols, const char *name)
{
	int			i = 0;
	ListCell   *lc;

	foreach(lc, cols)
	{
		if (strcmp(lfirst(lc), name) == 0)
			return i;
		i++;
	}
	return -1;
}

/* The string member key of a syscall's JSON object, or NULL. */
static inline const char *
OptString(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Parameter type of a table's key: managed ids are text. */
static inline Oid
KeyType(const DbTable *t)
{
	return t->managed ? TEXTOID : t->cols[t->pk].typid;
}

/* Add a parameter; its number ($n). */
static inline int
AddParam(SqlParams *p, Datum value, Oid type, bool isnull)
{
	if (p->n >= MAX_PARAMS)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "query needs more than %d parameters", MAX_PARAMS);
	p->types[p->n] = type;
	p->values[p->n] = value;
	p->nulls[p->n] = isnull ? 'n' : ' ';
	return ++p->n;
}

/* A syscall's answer as host values: V8 gets them without a JSON parse. */
static inline void
ResultFromWriter(UdfV8HostResult *out, ValueWriter *w)
{
	Assert(w->binary);
	out->result = w->buf.data;
	out->result_len = w->buf.len;
	out->result_is_values = true;
}

#endif							/* UDF_DB_H */

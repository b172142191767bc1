/*
 * dbtable.c -- ctx.db's tables: found by name, by document id or by
 * relation, described as a DbTable, and cached.
 *
 * A description (DescribeTable) is the table's schema-qualified SQL name,
 * its live columns, its single-column primary key if any, whether it is
 * managed (a text `_id` primary key and a float8 `_creationTime`, as
 * schema.js makes them) and whether its rows can be locked FOR UPDATE.
 *
 * System tables (names starting with "_", db.system) are udf's own views in
 * the extension's schema, never looked up through search_path; a view whose
 * `_id` column is its documents' id (_scheduled_functions, _storage) has
 * that column as its key, so get by id works on it as on a managed table.
 *
 * The table cache maps (name, search_path) to a description, so an op on a
 * table it has seen costs no catalog lookup. Everything it holds lives in
 * one context under TopMemoryContext (table_cache_cxt). One relcache
 * invalidation callback forgets the entries of a changed relation (all of
 * them for a full invalidation); their memory is reclaimed when the context
 * passes TABLE_CACHE_MAX_BYTES and is reset, at a miss. A description
 * ResolveTable or DbTableOfRelation hands out points into the cache: it is
 * good until that reset, so it is used within the op (or the trigger row)
 * and never kept; the open queries keep a copy (CopyTable). Descriptions
 * of the id-only forms (LocateId) are built in the op's memory, not cached.
 * An entry also keeps db.get's SELECT text (dbquery.c), which names the
 * columns it describes, so the text goes when the entry does.
 *
 * Everything here may raise: unknown tables, ids of another table, and
 * catalog lookups. Nothing here reaches V8.
 */
#include "db.h"

#include "access/genam.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "nodes/primnodes.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/regproc.h"

#define TABLE_CACHE_SIZE 64
#define TABLE_CACHE_MAX_BYTES (4 * 1024 * 1024)

/* A cached description: the table a name meant under a search_path. */
typedef struct TableCacheEntry
{
	char	   *name;			/* NULL: a free (or forgotten) slot */
	char	   *search_path;
	DbTable		table;			/* in table_cache_cxt */
} TableCacheEntry;

static void DescribeTable(Oid relid, const char *name, DbTable *t);
static void TableCacheInvalidate(Datum arg, Oid relid);
static void TableCacheRemember(uint32 slot, const char *name, const char *search_path, const DbTable *t);
static const char *TableNameOfId(const char *id);

static TableCacheEntry table_cache[TABLE_CACHE_SIZE];
static MemoryContext table_cache_cxt = NULL;	/* also: the callback is registered */

/* Describe relid as a DbTable, in the current memory context. */
static void
DescribeTable(Oid relid, const char *name, DbTable *t)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	char		kind = rel->rd_rel->relkind;
	Oid			pkindex;
	int			id_col;
	int			ct_col;

	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE && kind != RELKIND_VIEW &&
		kind != RELKIND_MATVIEW && kind != RELKIND_FOREIGN_TABLE)
		DbError(ERRCODE_WRONG_OBJECT_TYPE, "\"%s\" is not a table", name);
	memset(t, 0, sizeof(*t));
	t->relid = relid;
	t->name = pstrdup(name);
	t->sql = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
										RelationGetRelationName(rel));
	t->lockable = kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE;
	t->cols = palloc0(sizeof(DbColumn) * Max(1, desc->natts));
	t->pk = -1;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		/* udf's own generated columns (search vectors) are no fields */
		if (att->attisdropped ||
			(att->attgenerated && strncmp(NameStr(att->attname), UDF_HIDDEN_PREFIX, strlen(UDF_HIDDEN_PREFIX)) == 0))
			continue;
		t->cols[t->ncols].name = pstrdup(NameStr(att->attname));
		t->cols[t->ncols].typid = att->atttypid;
		t->cols[t->ncols].typmod = att->atttypmod;
		t->cols[t->ncols].attnum = att->attnum;
		t->ncols++;
	}
	pkindex = RelationGetPrimaryKeyIndex(rel);
	if (OidIsValid(pkindex))
	{
		HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkindex));

		if (HeapTupleIsValid(tup))
		{
			Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

			if (idx->indnkeyatts == 1)
				t->pk = FindColumn(t, get_attname(relid, idx->indkey.values[0], false));
			ReleaseSysCache(tup);
		}
	}
	relation_close(rel, NoLock);
	id_col = FindColumn(t, "_id");
	ct_col = FindColumn(t, "_creationTime");
	/* a view of documents (udf's system tables): its _id is its key */
	if (kind == RELKIND_VIEW && t->pk < 0 && id_col >= 0)
		t->pk = id_col;
	t->managed = id_col >= 0 && id_col == t->pk && t->cols[id_col].typid == TEXTOID &&
		ct_col >= 0 && t->cols[ct_col].typid == FLOAT8OID;
	/* a table its first insert made: _id, _creationTime and the document (dbschemaless.c) */
	t->schemaless = t->managed && t->ncols == 3 && FindColumn(t, SCHEMALESS_DOC) >= 0 &&
		t->cols[FindColumn(t, SCHEMALESS_DOC)].typid == JSONBOID;
}

/* Relcache callback: forget the descriptions of relid (of all tables for InvalidOid). */
static void
TableCacheInvalidate(Datum arg, Oid relid)
{
	for (int i = 0; i < TABLE_CACHE_SIZE; i++)
		if (table_cache[i].name && (relid == InvalidOid || table_cache[i].table.relid == relid))
			table_cache[i].name = NULL; /* memory is reclaimed when the context resets */
}

/* Deep copy of a DbTable into cxt. */
void
CopyTable(const DbTable *src, DbTable *dst, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	*dst = *src;
	dst->get_sql = NULL;		/* only the cache's own entry keeps statement texts */
	dst->name = pstrdup(src->name);
	dst->sql = pstrdup(src->sql);
	dst->cols = palloc(sizeof(DbColumn) * Max(1, src->ncols));
	for (int i = 0; i < src->ncols; i++)
	{
		dst->cols[i] = src->cols[i];
		dst->cols[i].name = pstrdup(src->cols[i].name);
	}
	MemoryContextSwitchTo(old);
}

/* Keep a copy of t in the cache's slot; the first call sets the cache up. */
static void
TableCacheRemember(uint32 slot, const char *name, const char *search_path, const DbTable *t)
{
	if (table_cache_cxt == NULL)
	{
		CacheRegisterRelcacheCallback(TableCacheInvalidate, (Datum) 0);
		table_cache_cxt = AllocSetContextCreate(TopMemoryContext, "udf table cache", ALLOCSET_SMALL_SIZES);
	}
	CopyTable(t, &table_cache[slot].table, table_cache_cxt);
	table_cache[slot].table.get_sql = MemoryContextAllocZero(table_cache_cxt, 2 * sizeof(char *));
	table_cache[slot].search_path = MemoryContextStrdup(table_cache_cxt, search_path);
	table_cache[slot].name = MemoryContextStrdup(table_cache_cxt, name);
}

/*
 * Keep db.get's SELECT text for t (a description from the cache, whose
 * columns the text names) beside its entry; it goes with the entry when the
 * table changes. A description not from the cache keeps nothing.
 */
void
TableCacheKeepGetSql(const DbTable *t, bool for_update, const char *sql)
{
	if (t->get_sql == NULL || table_cache_cxt == NULL)
		return;
	t->get_sql[for_update ? 1 : 0] = MemoryContextStrdup(table_cache_cxt, sql);
}

/* Resolve a table by name as SQL would; ERROR if it does not exist. */
void
ResolveTable(const char *name, DbTable *t)
{
	if (!ResolveTableIfExists(name, t))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("Table \"%s\" does not exist", name),
				 errhint("Define it in schema.js, insert a document into it, or CREATE TABLE it; tables are found through search_path.")));
}

/*
 * The table cache's description of name under the current search_path, if
 * it has one; never raises, nor reads a catalog (db/writeTarget's answer
 * without a subtransaction, dbwrite.c).
 */
bool
TableCacheLookup(const char *name, DbTable *t)
{
	const char *search_path;
	uint32		slot;

	if (name == NULL)
		return false;
	search_path = GetConfigOption("search_path", false, false);
	slot = HashKey(name) % TABLE_CACHE_SIZE;
	if (table_cache[slot].name && strcmp(table_cache[slot].name, name) == 0 &&
		strcmp(table_cache[slot].search_path, search_path) == 0)
	{
		*t = table_cache[slot].table;
		return true;
	}
	return false;
}

/*
 * Resolve a table by name as SQL would; false if no such table exists (a
 * table without a schema that nothing has been inserted into yet). ERROR
 * for names that cannot be tables.
 */
bool
ResolveTableIfExists(const char *name, DbTable *t)
{
	List	   *names;
	Oid			relid;

	if (TableCacheLookup(name, t))
		return true;

	if (name == NULL || *name == '\0')
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "a table name is required");
	if (name[0] == '_')
	{
		/* system tables are udf's own views, never found through search_path */
		relid = get_relname_relid(name, ExtensionSchema());
		if (!OidIsValid(relid))
			DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
					"udf has no system table \"%s\" (it has _scheduled_functions and _storage)", name);
	}
	else
	{
		names = stringToQualifiedNameList(name);
		relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
	}
	if (!OidIsValid(relid))
		return false;
	DescribeTable(relid, name, t);
	TableCacheRemember(HashKey(name) % TABLE_CACHE_SIZE, name, GetConfigOption("search_path", false, false), t);
	return true;
}

/* The description of a relation through the table cache (a trigger describes its table per row). */
void
DbTableOfRelation(Oid relid, DbTable *t)
{
	const char *name;

	for (int i = 0; i < TABLE_CACHE_SIZE; i++)
		if (table_cache[i].name && table_cache[i].table.relid == relid)
		{
			*t = table_cache[i].table;
			return;
		}
	/* described by oid: a name would be looked up again, and refused if it starts with "_" */
	name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	DescribeTable(relid, name, t);
	TableCacheRemember(HashKey(name) % TABLE_CACHE_SIZE, name, GetConfigOption("search_path", false, false), t);
}

/* The name of the table a managed id belongs to, for messages. */
static const char *
TableNameOfId(const char *id)
{
	uint32		number;
	Oid			relid;

	if (!IdDecode(id, &number) || !OidIsValid(relid = TableForNumber(number)))
		return "unknown";
	return get_rel_name(relid);
}

/*
 * Find the table and primary-key value of a document id. table_name may be
 * NULL (the id-only forms). Returns false if the id names no document that
 * could exist (unknown table number, invalid id) and may_miss is set.
 */
bool
LocateId(const char *method, const char *table_name, json_t *id_json, DbTable *t,
		 Datum *key, bool may_miss)
{
	if (!json_is_string(id_json))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Invalid argument `id` for `db.%s`, expected string but got '%s'", method,
				ConvexTypeName(id_json));
	return LocateIdText(method, table_name, json_string_value(id_json), t, key, may_miss);
}

/* LocateId of an id already known to be a string. */
bool
LocateIdText(const char *method, const char *table_name, const char *id, DbTable *t,
			 Datum *key, bool may_miss)
{
	uint32		number;

	if (table_name)
	{
		if (!ResolveTableIfExists(table_name, t))
		{
			/* a table without a schema that has no documents yet */
			if (may_miss)
				return false;
			ResolveTable(table_name, t);
		}
		if (t->managed)
		{
			if (!IdDecode(id, &number))
			{
				if (may_miss)
					return false;
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"Invalid argument `id` for `db.%s`: \"%s\" is not a valid ID", method, id);
			}
			if (number != TableNumberFor(t->relid))
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"Invalid argument `id` for `db.%s`: expected to be an Id<\"%s\">, got Id<\"%s\"> instead.",
						method, table_name, TableNameOfId(id));
			*key = CStringGetTextDatum(id);
			return true;
		}
		if (t->pk < 0)
			DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
					"Table \"%s\" has no single-column primary key, so its rows have no _id", table_name);
		{
			Oid			input;
			Oid			ioparam;

			getTypeInputInfo(t->cols[t->pk].typid, &input, &ioparam);
			*key = OidInputFunctionCall(input, (char *) id, ioparam, t->cols[t->pk].typmod);
		}
		return true;
	}
	if (!IdDecode(id, &number))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Invalid argument `id` for `db.%s`: \"%s\" is not a udf document ID; name the table for other tables: db.%s(\"table\", id, ...)",
				method, id, method);
	{
		Oid			relid = TableForNumber(number);

		if (!OidIsValid(relid))
		{
			if (may_miss)
				return false;
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"Invalid argument `id` for `db.%s`: its table does not exist", method);
		}
		DescribeTable(relid, get_rel_name(relid), t);
	}
	*key = CStringGetTextDatum(id);
	return true;
}

/* The key columns of a withIndex index, in order; system fields appended for managed tables. */
List *
IndexColumns(const DbTable *t, const char *index_name)
{
	List	   *cols = NIL;
	List	   *indexes;
	ListCell   *lc;
	Relation	rel;
	char	   *pgname;

	if (strcmp(index_name, "by_creation_time") == 0)
	{
		if (!t->managed)
			DbError(ERRCODE_UNDEFINED_OBJECT, "Table \"%s\" has no _creationTime, so no by_creation_time index", t->name);
		return list_make2(pstrdup("_creationTime"), pstrdup("_id"));
	}
	if (strcmp(index_name, "by_id") == 0)
	{
		if (t->pk < 0)
			DbError(ERRCODE_UNDEFINED_OBJECT, "Table \"%s\" has no primary key, so no by_id index", t->name);
		return list_make1(pstrdup(t->cols[t->pk].name));
	}
	/* managed tables' indexes are named <table>__<index>; others by their own name */
	pgname = t->managed ? psprintf("%s__%s", get_rel_name(t->relid), index_name) : pstrdup(index_name);
	rel = relation_open(t->relid, AccessShareLock);
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Oid			indexoid = lfirst_oid(lc);

		if (strcmp(get_rel_name(indexoid), pgname) == 0)
		{
			HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
			Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
			Relation	irel = index_open(indexoid, AccessShareLock);
			List	   *exprs = RelationGetIndexExpressions(irel);
			ListCell   *next_expr = list_head(exprs);

			for (int k = 0; k < idx->indnkeyatts; k++)
			{
				AttrNumber	att = idx->indkey.values[k];

				if (att == 0)
				{
					/* udf_sort_key(field): an any-typed field in Convex's order (dbsortkey.c) */
					Node	   *e = next_expr ? lfirst(next_expr) : NULL;

					next_expr = next_expr ? lnext(exprs, next_expr) : NULL;
					if (e && IsA(e, FuncExpr) && list_length(((FuncExpr *) e)->args) == 1 &&
						strcmp(get_func_name(((FuncExpr *) e)->funcid), "udf_sort_key") == 0 &&
						IsA(linitial(((FuncExpr *) e)->args), Var))
						att = ((Var *) linitial(((FuncExpr *) e)->args))->varattno;
					else
						DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
								"index \"%s\" is on an expression; withIndex needs plain columns (or udf_sort_key of one)",
								index_name);
				}
				cols = lappend(cols, get_attname(t->relid, att, false));
			}
			index_close(irel, AccessShareLock);
			ReleaseSysCache(tup);
			break;
		}
	}
	relation_close(rel, NoLock);
	if (cols == NIL)
		DbError(ERRCODE_UNDEFINED_OBJECT, "Index \"%s.%s\" not found.", t->name, index_name);
	if (t->managed)
	{
		/* Convex indexes end with _creationTime and _id */
		if (ListPosition(cols, "_creationTime") < 0)
			cols = lappend(cols, pstrdup("_creationTime"));
		cols = lappend(cols, pstrdup("_id"));
	}
	return cols;
}

/*
 * Start the cache afresh when its memory has grown with dropped entries.
 * Only between ops (dbops.c calls it when no op runs): descriptions handed out
 * point into the cache's memory, and an op running below a nested one (a
 * trigger or CHECK constraint that calls a function from inside an insert)
 * still holds its own.
 */
void
TableCacheTrim(void)
{
	if (table_cache_cxt && MemoryContextMemAllocated(table_cache_cxt, true) > TABLE_CACHE_MAX_BYTES)
	{
		MemoryContextReset(table_cache_cxt);
		memset(table_cache, 0, sizeof(table_cache));
	}
}

/*
 * Resolve the table a query reads: its tableName, or the table of its
 * indexName ("table.index"). false if the table does not exist yet (a
 * table without a schema before its first insert): t is then an empty
 * stand-in, and only the built-in indexes may be named.
 */
bool
ResolveQueryTable(json_t *source, DbTable *t)
{
	const char *table = OptString(source, "tableName");
	const char *index = OptString(source, "indexName");

	if (!table && index)
	{
		const char *dot = strrchr(index, '.');

		table = pnstrdup(index, dot ? dot - index : strlen(index));
	}
	if (ResolveTableIfExists(table, t))
		return true;
	index = QueryIndexName(source);
	if (index && strcmp(index, "by_creation_time") != 0 && strcmp(index, "by_id") != 0)
		DbError(ERRCODE_UNDEFINED_OBJECT, "Index \"%s.%s\" not found.", table, index);
	memset(t, 0, sizeof(*t));
	t->name = pstrdup(table);
	t->sql = t->name;
	t->managed = true;
	t->pk = -1;
	return false;
}

/* The index part of a query source's indexName ("table.index"). */
const char *
QueryIndexName(json_t *source)
{
	const char *full = OptString(source, "indexName");
	const char *dot = full ? strrchr(full, '.') : NULL;

	return dot ? dot + 1 : full;
}

/*
 * db.c -- ctx.db: the Convex database syscalls as SQL over SPI.
 *
 * Every op runs through subxact.c's trampoline: an internal subtransaction
 * and SPI connection per op, so a PostgreSQL error (unique violation,
 * permission denied, RLS, check constraint) becomes a JS exception the
 * function may catch, with the transaction still usable. SQL runs as the
 * calling role: GRANTs and row-level security apply. Every identifier is
 * quoted and every value is a parameter.
 *
 * Tables are resolved by name the way SQL resolves them (search_path, or
 * "schema.table"). A *managed* table (made from schema.js) has `_id` (text,
 * primary key: a Convex id encoding the table's number) and `_creationTime`
 * (float8); its SQL NULLs are missing fields. Any other table works too:
 * its single-column primary key, as text, is the document's `_id`, and its
 * NULLs are nulls.
 *
 * Queries compile to one SELECT: withIndex ranges become predicates on the
 * index's columns (Convex's range rules are checked first), filters become
 * WHERE clauses that follow Convex's total order across types, order and
 * take become ORDER BY and LIMIT. Rows stream through a portal, fetched one
 * document per queryStreamNext.
 *
 * Lost updates: in a mutation every row read (get, query) is locked FOR
 * UPDATE as it is read, so concurrent read-modify-write mutations on one
 * document serialize under READ COMMITTED; under SERIALIZABLE, conflicts
 * reach the caller as SQLSTATE 40001.
 */
#include "udf.h"

#include <math.h>

#include "values.h"

#include "access/relation.h"
#include "access/table.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/regproc.h"

#define MAX_PARAMS 256
#define MAX_QUERIES 256

typedef struct DbColumn
{
	char	   *name;
	Oid			typid;
	int32		typmod;
} DbColumn;

typedef struct DbTable
{
	Oid			relid;
	char	   *name;			/* as the function named it */
	char	   *sql;			/* schema-qualified, quoted */
	bool		managed;
	bool		writable_view;	/* false for views: no FOR UPDATE */
	int			ncols;
	DbColumn   *cols;
	int			pk;				/* index into cols, -1 if no single-column primary key */
} DbTable;

typedef struct SqlParams
{
	int			n;
	Oid			types[MAX_PARAMS];
	Datum		values[MAX_PARAMS];
	char		nulls[MAX_PARAMS];
} SqlParams;

static uint32 HashKey(const char *key);
static int	RememberQuery(Portal portal, const DbTable *t);

/*
 * Open queries of this transaction: queryId -> its portal's name and table.
 * Portals end with the transaction, so this state lives in a context under
 * TopTransactionContext, one small child per query (freed when the query is
 * done), and the table is emptied at transaction end.
 */
typedef struct OpenQueryState
{
	MemoryContext cxt;			/* owns this struct and everything it points to */
	char	   *portal_name;
	DbTable		table;
} OpenQueryState;

static OpenQueryState *open_queries[MAX_QUERIES];
static MemoryContext open_queries_cxt = NULL;
static bool open_queries_callback = false;

/* ------------------------------------------------------------------ helpers */

static void
DbError(int sqlstate, const char *fmt,...) pg_attribute_printf(2, 3) pg_attribute_noreturn();

/* ereport with a message built like printf; always raises. */
static void
DbError(int sqlstate, const char *fmt,...)
{
	va_list		ap;
	char		buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ereport(ERROR, (errcode(sqlstate), errmsg_internal("%s", buf)));
}

static bool
InMutation(void)
{
	const char *kind = CallStackKind();

	return kind && strcmp(kind, "mutation") == 0;
}

/* Writes need a mutation. */
static void
RequireMutation(const char *what)
{
	const char *kind = CallStackKind();

	if (!kind || strcmp(kind, "mutation") != 0)
		DbError(ERRCODE_READ_ONLY_SQL_TRANSACTION,
				"%s is only allowed in a mutation, and %s is a %s.", what,
				CallStackFunction() ? CallStackFunction() : "this function",
				kind && *kind ? kind : "module's import");
}

static int
AddParam(SqlParams *p, Datum value, Oid type, bool isnull)
{
	if (p->n >= MAX_PARAMS)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "query needs more than %d parameters", MAX_PARAMS);
	p->types[p->n] = type;
	p->values[p->n] = value;
	p->nulls[p->n] = isnull ? 'n' : ' ';
	return ++p->n;
}

static int
FindColumn(const DbTable *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

/* Describe relid as a DbTable. */
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
	t->writable_view = kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE;
	t->cols = palloc0(sizeof(DbColumn) * Max(1, desc->natts));
	t->pk = -1;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		t->cols[t->ncols].name = pstrdup(NameStr(att->attname));
		t->cols[t->ncols].typid = att->atttypid;
		t->cols[t->ncols].typmod = att->atttypmod;
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
	t->managed = id_col >= 0 && id_col == t->pk && t->cols[id_col].typid == TEXTOID &&
		ct_col >= 0 && t->cols[ct_col].typid == FLOAT8OID;
}

/*
 * Table descriptions by name, for this search_path; dropped when the
 * relation changes (relcache invalidation) or the search_path does.
 */
#define TABLE_CACHE_SIZE 64

typedef struct TableCacheEntry
{
	char	   *name;
	char	   *search_path;
	DbTable		table;			/* in TableCacheContext */
} TableCacheEntry;

static TableCacheEntry table_cache[TABLE_CACHE_SIZE];
static MemoryContext table_cache_cxt = NULL;
static bool table_cache_callback = false;

/* Relcache callback: forget every cached description (cheap to rebuild). */
static void
TableCacheInvalidate(Datum arg, Oid relid)
{
	for (int i = 0; i < TABLE_CACHE_SIZE; i++)
		if (table_cache[i].name && (relid == InvalidOid || table_cache[i].table.relid == relid))
			table_cache[i].name = NULL;	/* memory is reclaimed when the context resets */
}

/* Deep copy of a DbTable into cxt. */
static void
CopyTable(const DbTable *src, DbTable *dst, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	*dst = *src;
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

/* Resolve a table by name as SQL would; ERROR if it does not exist. */
static void
ResolveTable(const char *name, DbTable *t)
{
	List	   *names;
	Oid			relid;
	const char *search_path = GetConfigOption("search_path", false, false);
	uint32		slot = name ? HashKey(name) % TABLE_CACHE_SIZE : 0;

	if (name && table_cache[slot].name && strcmp(table_cache[slot].name, name) == 0 &&
		strcmp(table_cache[slot].search_path, search_path) == 0)
	{
		*t = table_cache[slot].table;
		return;
	}

	if (name == NULL || *name == '\0')
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "a table name is required");
	if (name[0] == '_')
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"udf has no system table \"%s\" yet (db.system is not supported)", name);
	names = stringToQualifiedNameList(name);
	relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("Table \"%s\" does not exist", name),
				 errhint("Define it in schema.js, or CREATE TABLE it; tables are found through search_path.")));
	DescribeTable(relid, name, t);
	if (!table_cache_callback)
	{
		CacheRegisterRelcacheCallback(TableCacheInvalidate, (Datum) 0);
		table_cache_cxt = AllocSetContextCreate(TopMemoryContext, "udf table cache", ALLOCSET_SMALL_SIZES);
		table_cache_callback = true;
	}
	/* start afresh when the cache's memory has grown with dropped entries */
	if (MemoryContextMemAllocated(table_cache_cxt, true) > 4 * 1024 * 1024)
	{
		MemoryContextReset(table_cache_cxt);
		memset(table_cache, 0, sizeof(table_cache));
	}
	CopyTable(t, &table_cache[slot].table, table_cache_cxt);
	table_cache[slot].search_path = MemoryContextStrdup(table_cache_cxt, search_path);
	table_cache[slot].name = MemoryContextStrdup(table_cache_cxt, name);
}

/* Append the SELECT list of a table's columns. */
static void
AppendColumns(StringInfo sql, const DbTable *t)
{
	for (int i = 0; i < t->ncols; i++)
	{
		if (i)
			appendStringInfoString(sql, ", ");
		appendStringInfoString(sql, quote_identifier(t->cols[i].name));
	}
}

/* The document of one row (selected with AppendColumns). */
static void
WriteDocument(ValueWriter *w, const DbTable *t, HeapTuple tup, TupleDesc desc)
{
	WriterObjectBegin(w);
	if (!t->managed && t->pk >= 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tup, desc, t->pk + 1, &isnull);

		if (!isnull)
		{
			Oid			output;
			bool		varlena;

			getTypeOutputInfo(t->cols[t->pk].typid, &output, &varlena);
			WriterKey(w, "_id");
			WriterCString(w, OidOutputFunctionCall(output, d));
		}
	}
	for (int i = 0; i < t->ncols; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tup, desc, i + 1, &isnull);

		if (isnull && t->managed)
			continue;			/* a missing field */
		WriterKey(w, t->cols[i].name);
		if (isnull)
			WriterNull(w);
		else
			WriteDatumAsConvex(w, d, t->cols[i].typid);
	}
	WriterObjectEnd(w);
}

/* A syscall's answer as host values: V8 gets them without a JSON parse. */
static void
ResultFromWriter(UdfV8HostResult *out, ValueWriter *w)
{
	Assert(w->binary);
	out->result = w->buf.data;
	out->result_len = w->buf.len;
	out->result_is_values = true;
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
static bool
LocateId(const char *method, const char *table_name, json_t *id_json, DbTable *t,
		 Datum *key, bool may_miss)
{
	const char *id;
	uint32		number;

	if (!json_is_string(id_json))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Invalid argument `id` for `db.%s`, expected string but got '%s'", method,
				ConvexTypeName(id_json));
	id = json_string_value(id_json);
	if (table_name)
	{
		ResolveTable(table_name, t);
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

/* Key type for parameters: managed ids are text. */
static Oid
KeyType(const DbTable *t)
{
	return t->managed ? TEXTOID : t->cols[t->pk].typid;
}

/*
 * Saved plans, keyed by SQL text and parameter types. The SQL names tables
 * schema-qualified, so a plan does not depend on search_path; PostgreSQL's
 * plan cache replans after DDL and for row-level security per role.
 */
#define PLAN_CACHE_SIZE 512

typedef struct PlanEntry
{
	char	   *key;
	SPIPlanPtr	plan;
} PlanEntry;

static PlanEntry plan_cache[PLAN_CACHE_SIZE];

static uint32
HashKey(const char *key)
{
	uint32		h = 2166136261u;

	for (const unsigned char *c = (const unsigned char *) key; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}

/* The saved plan for sql with p's parameter types, prepared on first use. */
static SPIPlanPtr
SavedPlanFor(const char *sql, SqlParams *p)
{
	StringInfoData key;
	uint32		slot;
	SPIPlanPtr	plan;

	initStringInfo(&key);
	appendStringInfoString(&key, sql);
	for (int i = 0; i < p->n; i++)
		appendStringInfo(&key, "|%u", p->types[i]);
	slot = HashKey(key.data) % PLAN_CACHE_SIZE;
	if (plan_cache[slot].key && strcmp(plan_cache[slot].key, key.data) == 0)
		return plan_cache[slot].plan;
	plan = SPI_prepare(sql, p->n, p->types);
	if (plan == NULL)
		elog(ERROR, "could not prepare a udf query: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep a udf query plan");
	if (plan_cache[slot].key)
	{
		SPI_freeplan(plan_cache[slot].plan);
		pfree(plan_cache[slot].key);
	}
	plan_cache[slot].key = MemoryContextStrdup(TopMemoryContext, key.data);
	plan_cache[slot].plan = plan;
	return plan;
}

/*
 * Run sql through its saved plan; SPI result code. Statements never run
 * "read only" in SPI's sense: that would reuse the statement's first snapshot
 * and hide the transaction's own later writes (a nested query must see its
 * calling mutation's inserts). Writes are refused for queries before any SQL
 * is built (RequireMutation), and a READ ONLY transaction refuses them itself.
 */
static int
Execute(const char *sql, SqlParams *p, bool read_only, long count)
{
	return SPI_execute_plan(SavedPlanFor(sql, p), p->values, p->nulls, read_only, count);
}

/* Parse syscall args; ERROR on malformed JSON. */
static json_t *
ParseArgs(const char *args, size_t len)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(args, len, JSON_DECODE_ANY, &jerr);

	if (!root || !json_is_object(root))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid syscall arguments: %s", root ? "not an object" : jerr.text);
	return root;
}

static const char *
OptString(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Document field names: user fields may not start with "_" or "$". */
static void
CheckFieldName(const DbTable *t, const char *field)
{
	if (field[0] == '$')
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "Field name %s starts with a '$', which is reserved.", field);
	if (t->managed && field[0] == '_' && strcmp(field, "_id") != 0 && strcmp(field, "_creationTime") != 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Field '%s' starts with an underscore, which is only allowed for system fields like '_id'", field);
}

/* Column index of a document field for a write; ERROR if the table has none. */
static int
WriteColumn(const DbTable *t, const char *field)
{
	int			c;

	CheckFieldName(t, field);
	c = FindColumn(t, field);
	if (c < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("Table \"%s\" has no field \"%s\"", t->name, field),
				 t->managed ? errhint("Add the field to the table in schema.js and deploy.") : 0));
	return c;
}

/*
 * Before writing doc (a JSON object) to a managed table: the runtime of the
 * running function checks it against schema.js and Convex's document limits.
 * A synchronous call back into the same context, from inside its syscall.
 */
static void
ValidateWrite(const DbTable *t, json_t *doc)
{
	UdfV8Context *ctx = CallStackContext();
	char	   *text;
	const char *args[2];
	char	   *ignored;
	UdfV8Error	err;
	UdfV8Status st;

	if (!t->managed || ctx == NULL)
		return;
	text = json_dumps(doc, JSON_COMPACT);
	args[0] = get_rel_name(t->relid);
	args[1] = pstrdup(text);
	free(text);
	st = udf_v8_call(ctx, "validateDocument", NULL, args, 2, &ignored, &err);
	if (st != UDF_V8_OK)
		ereport(ERROR,
				(errcode(SqlstateFromString(err.code, ERRCODE_INVALID_PARAMETER_VALUE)),
				 errmsg_internal("%s", err.message ? err.message : "invalid document")));
}

/* ------------------------------------------------------------------ reads */

/* A db op works on its parsed arguments, inside SPI; RunOp supplies both. */
typedef void (*DbOp) (json_t *root, size_t len, UdfV8HostResult *out);

typedef struct OpCall
{
	const char *args;
	size_t		len;
	DbOp		op;
} OpCall;

/* Subtransaction work for every db op: parse, connect, run, and always free the JSON. */
static bool
RunOp(void *arg, UdfV8HostResult *out)
{
	OpCall	   *call = arg;
	json_t	   *root = ParseArgs(call->args, call->len);

	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		call->op(root, call->len, out);
		/* the op built its result in SPI's memory, which SPI_finish frees */
		if (out->result)
		{
			size_t		len = out->result_is_values ? out->result_len : strlen(out->result) + 1;

			out->result = memcpy(SPI_palloc(len), out->result, len);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		json_decref(root);
	}
	PG_END_TRY();
	return false;
}

/* 1.0/get {id, isSystem, table?} -> document or null */
static void
OpGet(json_t *root, size_t len, UdfV8HostResult *out)
{
	DbTable		t;
	Datum		key;
	SqlParams	p = {0};
	StringInfoData sql;
	ValueWriter doc;

	if (json_is_true(json_object_get(root, "isSystem")))
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "udf has no system tables yet (db.system.get)");
	if (!LocateId("get", OptString(root, "table"), json_object_get(root, "id"), &t, &key, true))
	{
		out->result = "null";
		return;
	}
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	AppendColumns(&sql, &t);
	appendStringInfo(&sql, " FROM %s WHERE %s = $%d", t.sql, quote_identifier(t.cols[t.pk].name),
					 AddParam(&p, key, KeyType(&t), false));
	if (InMutation() && t.writable_view)
		appendStringInfoString(&sql, " FOR UPDATE");
	LimitsCountQuery();
	Execute(sql.data, &p, false, 1);
	WriterInit(&doc, true);
	if (SPI_processed == 1)
	{
		WriteDocument(&doc, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		LimitsCountRead(doc.buf.len);
	}
	else
		WriterNull(&doc);
	ResultFromWriter(out, &doc);
}

/* 1.0/insert {table, value} -> {_id} */
static void
OpInsert(json_t *root, size_t len, UdfV8HostResult *out)
{
	const char *table = OptString(root, "table");
	json_t	   *value = json_object_get(root, "value");
	DbTable		t;
	SqlParams	p = {0};
	StringInfoData cols;
	StringInfoData vals;
	const char *field;
	json_t	   *v;
	char	   *id = NULL;
	StringInfoData res;

	RequireMutation("db.insert");
	if (!json_is_object(value))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "db.insert takes an object, got %s", ConvexTypeName(value));
	LimitsCountWrite(len);
	ResolveTable(table, &t);
	ValidateWrite(&t, value);
	initStringInfo(&cols);
	initStringInfo(&vals);
	if (t.managed)
	{
		id = IdNew(TableNumberFor(t.relid));
		appendStringInfo(&cols, "%s, %s", quote_identifier("_id"), quote_identifier("_creationTime"));
		appendStringInfo(&vals, "$%d, $%d", AddParam(&p, CStringGetTextDatum(id), TEXTOID, false),
						 AddParam(&p, Float8GetDatum(ClockNextCreationTime()), FLOAT8OID, false));
	}
	json_object_foreach(value, field, v)
	{
		int			c;
		bool		isnull;
		Datum		d;

		if (t.managed && (strcmp(field, "_id") == 0 || strcmp(field, "_creationTime") == 0))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE, "db.insert cannot set the system field %s", field);
		c = WriteColumn(&t, field);
		d = ConvexToDatum(v, t.cols[c].typid, t.cols[c].typmod, t.name, field, &isnull);
		if (cols.len)
		{
			appendStringInfoString(&cols, ", ");
			appendStringInfoString(&vals, ", ");
		}
		appendStringInfoString(&cols, quote_identifier(field));
		appendStringInfo(&vals, "$%d", AddParam(&p, d, t.cols[c].typid, isnull));
	}
	{
		StringInfoData sql;

		initStringInfo(&sql);
		if (cols.len)
			appendStringInfo(&sql, "INSERT INTO %s (%s) VALUES (%s)", t.sql, cols.data, vals.data);
		else
			appendStringInfo(&sql, "INSERT INTO %s DEFAULT VALUES", t.sql);
		if (!t.managed && t.pk >= 0)
			appendStringInfo(&sql, " RETURNING %s::text", quote_identifier(t.cols[t.pk].name));
		Execute(sql.data, &p, false, 0);
	}
	initStringInfo(&res);
	appendStringInfoString(&res, "{\"_id\":");
	if (t.managed)
		escape_json(&res, id);
	else if (t.pk >= 0 && SPI_processed == 1)
		escape_json(&res, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	else
		appendStringInfoString(&res, "null");
	appendStringInfoChar(&res, '}');
	out->result = res.data;
}

typedef enum WriteKind
{
	WRITE_PATCH,
	WRITE_REPLACE,
	WRITE_DELETE
} WriteKind;


/* 1.0/shallowMerge, 1.0/replace, 1.0/remove {id, value?, table?} -> document */
static void
OpWrite(json_t *root, size_t len, UdfV8HostResult *out, WriteKind kind)
{
	const char *method = kind == WRITE_PATCH ? "patch" : kind == WRITE_REPLACE ? "replace" : "delete";
	json_t	   *id_json = json_object_get(root, "id");
	json_t	   *value = json_object_get(root, "value");
	DbTable		t;
	Datum		key;
	SqlParams	p = {0};
	StringInfoData sql;
	ValueWriter doc;
	int			keyparam;

	RequireMutation(psprintf("db.%s", method));
	LimitsCountWrite(len);
	if (kind != WRITE_DELETE && !json_is_object(value))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "db.%s takes an object, got %s", method, ConvexTypeName(value));
	if (!LocateId(method, OptString(root, "table"), id_json, &t, &key, true))
		goto nonexistent;
	if (t.managed && kind == WRITE_REPLACE)
		ValidateWrite(&t, value);
	else if (t.managed && kind == WRITE_PATCH)
	{
		/* the merged document must satisfy the schema: read, merge, check */
		SqlParams	rp = {0};
		StringInfoData rsql;
		ValueWriter cur;
		json_t	   *doc;
		const char *field;
		json_t	   *v;

		initStringInfo(&rsql);
		appendStringInfoString(&rsql, "SELECT ");
		AppendColumns(&rsql, &t);
		appendStringInfo(&rsql, " FROM %s WHERE %s = $%d FOR UPDATE", t.sql,
						 quote_identifier(t.cols[t.pk].name), AddParam(&rp, key, KeyType(&t), false));
		Execute(rsql.data, &rp, false, 1);
		if (SPI_processed != 1)
			goto nonexistent;
		WriterInit(&cur, false);
		WriteDocument(&cur, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		doc = json_loads(cur.buf.data, 0, NULL);
		json_object_foreach(value, field, v)
		{
			if (json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "$undefined"))
				json_object_del(doc, field);
			else
				json_object_set(doc, field, v);
		}
		ValidateWrite(&t, doc);
		json_decref(doc);
	}
	keyparam = AddParam(&p, key, KeyType(&t), false);
	initStringInfo(&sql);
	if (kind == WRITE_DELETE)
		appendStringInfo(&sql, "DELETE FROM %s WHERE %s = $%d RETURNING ", t.sql,
						 quote_identifier(t.cols[t.pk].name), keyparam);
	else
	{
		bool		any = false;
		const char *field;
		json_t	   *v;

		appendStringInfo(&sql, "UPDATE %s SET ", t.sql);
		json_object_foreach(value, field, v)
		{
			int			c;
			bool		isnull;
			Datum		d;

			if (strcmp(field, "_id") == 0 || strcmp(field, "_creationTime") == 0)
			{
				/* the same value is allowed; a different one is not */
				char	   *given = json_dumps(v, JSON_ENCODE_ANY);
				bool		same = strcmp(field, "_id") == 0 && json_is_string(v) &&
					strcmp(json_string_value(v), json_string_value(id_json)) == 0;

				free(given);
				if (strcmp(field, "_creationTime") == 0 && t.managed)
					continue;	/* checked by the row's own value below */
				if (!same)
					DbError(ERRCODE_INVALID_PARAMETER_VALUE,
							"Provided document ID \"%s\" does not match the document being updated (%s)",
							json_is_string(v) ? json_string_value(v) : "?", json_string_value(id_json));
				continue;
			}
			c = WriteColumn(&t, field);
			if (kind == WRITE_PATCH && json_is_object(v) && json_object_size(v) == 1 &&
				json_object_get(v, "$undefined"))
			{
				d = (Datum) 0;
				isnull = true;	/* undefined removes the field */
			}
			else
				d = ConvexToDatum(v, t.cols[c].typid, t.cols[c].typmod, t.name, field, &isnull);
			appendStringInfo(&sql, "%s%s = $%d", any ? ", " : "", quote_identifier(field),
							 AddParam(&p, d, t.cols[c].typid, isnull));
			any = true;
		}
		if (kind == WRITE_REPLACE)
		{
			/* every other non-system field goes */
			for (int i = 0; i < t.ncols; i++)
			{
				const char *col = t.cols[i].name;

				if (i == t.pk || (t.managed && strcmp(col, "_creationTime") == 0) || json_object_get(value, col))
					continue;
				appendStringInfo(&sql, "%s%s = NULL", any ? ", " : "", quote_identifier(col));
				any = true;
			}
		}
		if (!any)
			appendStringInfo(&sql, "%s = %s", quote_identifier(t.cols[t.pk].name), quote_identifier(t.cols[t.pk].name));
		appendStringInfo(&sql, " WHERE %s = $%d RETURNING ", quote_identifier(t.cols[t.pk].name), keyparam);
	}
	AppendColumns(&sql, &t);
	Execute(sql.data, &p, false, 0);
	if (SPI_processed != 1)
		goto nonexistent;
	WriterInit(&doc, false);
	WriteDocument(&doc, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
	out->result = doc.buf.data;
	return;

nonexistent:
	DbError(ERRCODE_NO_DATA_FOUND, "%s on nonexistent document ID %s",
			kind == WRITE_PATCH ? "Update" : kind == WRITE_REPLACE ? "Replace" : "Delete",
			json_is_string(id_json) ? json_string_value(id_json) : "?");
}

/* 1.0/count {table} -> number */
static void
OpCount(json_t *root, size_t len, UdfV8HostResult *out)
{
	DbTable		t;
	SqlParams	p = {0};
	bool		isnull;

	ResolveTable(OptString(root, "table"), &t);
	/* not read-only: a mutation counts its own writes, as every other read sees them */
	Execute(psprintf("SELECT pg_catalog.count(*) FROM %s", t.sql), &p, false, 1);
	out->result = psprintf(INT64_FORMAT,
						   DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
}

/* 1.0/db/normalizeId {table, idString} -> {id} */
static void
OpNormalizeId(json_t *root, size_t len, UdfV8HostResult *out)
{
	const char *table = OptString(root, "table");
	const char *id = OptString(root, "idString");
	DbTable		t;
	uint32		number;
	StringInfoData res;

	ResolveTable(table, &t);
	initStringInfo(&res);
	appendStringInfoString(&res, "{\"id\":");
	if (id && t.managed && IdDecode(id, &number) && number == TableNumberFor(t.relid))
		escape_json(&res, id);
	else if (id && !t.managed && t.pk >= 0)
		escape_json(&res, id);	/* any text form of the key names a row */
	else
		appendStringInfoString(&res, "null");
	appendStringInfoChar(&res, '}');
	out->result = res.data;
}

/* ------------------------------------------------------------------ queries */

/* Convex's total order of types: undefined < null < int64 < float64 < boolean < string < bytes < array < object */
enum
{
	RANK_UNDEFINED = 0, RANK_NULL, RANK_INT64, RANK_FLOAT64, RANK_BOOLEAN, RANK_STRING,
	RANK_BYTES, RANK_ARRAY, RANK_OBJECT, RANK_ANY
};

static int
ColumnRank(Oid typid)
{
	switch (typid)
	{
		case INT8OID:
			return RANK_INT64;
		case INT2OID:
		case INT4OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return RANK_FLOAT64;
		case BOOLOID:
			return RANK_BOOLEAN;
		case BYTEAOID:
			return RANK_BYTES;
		case JSONOID:
		case JSONBOID:
			return RANK_ANY;
		default:
			return type_is_array(typid) ? RANK_ARRAY : RANK_STRING;
	}
}

static int
ValueRank(json_t *j)
{
	const char *name = ConvexTypeName(j);

	if (json_is_object(j) && json_object_size(j) == 1 && json_object_get(j, "$undefined"))
		return RANK_UNDEFINED;
	if (strcmp(name, "null") == 0)
		return RANK_NULL;
	if (strcmp(name, "int64") == 0)
		return RANK_INT64;
	if (strcmp(name, "float64") == 0)
		return RANK_FLOAT64;
	if (strcmp(name, "boolean") == 0)
		return RANK_BOOLEAN;
	if (strcmp(name, "string") == 0)
		return RANK_STRING;
	if (strcmp(name, "bytes") == 0)
		return RANK_BYTES;
	if (strcmp(name, "array") == 0)
		return RANK_ARRAY;
	return RANK_OBJECT;
}

typedef enum CmpOp
{
	CMP_EQ, CMP_NEQ, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE
} CmpOp;

static const char *const cmp_sql[] = {"=", "<>", "<", "<=", ">", ">="};

/* Truth of `a op b` from a three-way comparison c (<0, 0, >0). */
static bool
CmpFromOrder(CmpOp op, int c)
{
	switch (op)
	{
		case CMP_EQ:
			return c == 0;
		case CMP_NEQ:
			return c != 0;
		case CMP_LT:
			return c < 0;
		case CMP_LTE:
			return c <= 0;
		case CMP_GT:
			return c > 0;
		case CMP_GTE:
			return c >= 0;
	}
	return false;
}

static CmpOp
FlipCmp(CmpOp op)
{
	switch (op)
	{
		case CMP_LT:
			return CMP_GT;
		case CMP_LTE:
			return CMP_GTE;
		case CMP_GT:
			return CMP_LT;
		case CMP_GTE:
			return CMP_LTE;
		default:
			return op;
	}
}

typedef struct QueryBuild
{
	DbTable    *t;
	SqlParams  *p;
} QueryBuild;

static void TranslateExpr(QueryBuild *b, json_t *e, StringInfo out);

/* The column a "$field" path names; ERROR for nested paths we cannot translate. */
static int
FieldColumn(QueryBuild *b, const char *path, char **nested)
{
	const char *dot = strchr(path, '.');
	char	   *first = dot ? pnstrdup(path, dot - path) : pstrdup(path);
	int			c;

	*nested = dot ? pstrdup(dot + 1) : NULL;
	if (strcmp(first, "_id") == 0 && !b->t->managed && b->t->pk >= 0)
		return b->t->pk;
	c = FindColumn(b->t, first);
	return c;
}

/*
 * field op literal, with Convex's semantics: a missing field is undefined
 * (below everything), values of different types compare by type rank.
 */
static void
TranslateFieldCmp(QueryBuild *b, const char *path, CmpOp op, json_t *literal, StringInfo out)
{
	char	   *nested;
	int			c = FieldColumn(b, path, &nested);
	int			lrank = ValueRank(literal);
	const char *col;
	int			crank;
	bool		missing_is_null = b->t->managed;

	if (c < 0)
	{
		/* a field no row has: every row's value is undefined */
		appendStringInfoString(out, CmpFromOrder(op, RANK_UNDEFINED - lrank) ? "true" : "false");
		if (lrank == RANK_UNDEFINED)
			appendStringInfoString(out, "");
		return;
	}
	col = quote_identifier(b->t->cols[c].name);
	crank = ColumnRank(b->t->cols[c].typid);
	if (nested)
	{
		/* a path into a jsonb column: equality of JSON values only */
		char	   *pathlit;
		StringInfoData arr;
		char	   *lit;

		if (crank != RANK_ANY || (op != CMP_EQ && op != CMP_NEQ))
			DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
					"udf cannot translate a %s comparison on the nested field \"%s\" to SQL yet (only eq and neq on nested fields)",
					cmp_sql[op], path);
		initStringInfo(&arr);
		appendStringInfoChar(&arr, '{');
		for (const char *s = nested; *s; s++)
			appendStringInfoChar(&arr, *s == '.' ? ',' : *s);
		appendStringInfoChar(&arr, '}');
		pathlit = arr.data;
		if (lrank == RANK_UNDEFINED)
		{
			appendStringInfo(out, "(%s #> $%d) IS %sNULL", col,
							 AddParam(b->p, CStringGetTextDatum(pathlit), TEXTARRAYOID, false),
							 op == CMP_EQ ? "" : "NOT ");
			return;
		}
		lit = json_dumps(literal, JSON_COMPACT | JSON_ENCODE_ANY);
		{
			bool		isnull;
			Datum		d = ConvexToDatum(literal, JSONBOID, -1, b->t->name, path, &isnull);

			appendStringInfo(out, "(coalesce((%s #> $%d) %s $%d, %s))", col,
							 AddParam(b->p, CStringGetTextDatum(pathlit), TEXTARRAYOID, false),
							 cmp_sql[op], AddParam(b->p, d, JSONBOID, false),
							 op == CMP_NEQ ? "true" : "false");
		}
		free(lit);
		return;
	}
	if (lrank == RANK_UNDEFINED || (lrank == RANK_NULL && !missing_is_null && crank != RANK_ANY))
	{
		/* compare with undefined (or, in unmanaged tables, SQL NULL = null) */
		const char *when_null = CmpFromOrder(op, 0) ? "true" : "false";
		const char *when_set = CmpFromOrder(op, 1) ? "true" : "false";

		appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s END)", col, when_null, when_set);
		return;
	}
	{
		/* rows where the field is missing compare as undefined, below the literal */
		const char *when_null = missing_is_null ? (CmpFromOrder(op, RANK_UNDEFINED - lrank) ? "true" : "false")
			: (CmpFromOrder(op, RANK_NULL - lrank) ? "true" : "false");

		if (crank == RANK_ANY)
		{
			bool		isnull;
			Datum		d = ConvexToDatum(literal, b->t->cols[c].typid, -1, b->t->name, path, &isnull);

			if (op != CMP_EQ && op != CMP_NEQ)
				DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
						"udf cannot translate a %s comparison on the json field \"%s\" to SQL yet", cmp_sql[op], path);
			appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s %s $%d END)", col, when_null, col,
							 cmp_sql[op], AddParam(b->p, d, b->t->cols[c].typid, false));
			return;
		}
		if (crank != lrank)
		{
			const char *when_set = CmpFromOrder(op, crank - lrank) ? "true" : "false";

			appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s END)", col, when_null, when_set);
			return;
		}
		{
			bool		isnull;
			Datum		d = ConvexToDatum(literal, b->t->cols[c].typid, b->t->cols[c].typmod, b->t->name, path, &isnull);

			appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s %s $%d END)", col, when_null, col,
							 cmp_sql[op], AddParam(b->p, d, b->t->cols[c].typid, isnull));
		}
	}
}

static bool
IsField(json_t *e)
{
	return json_is_object(e) && json_is_string(json_object_get(e, "$field"));
}

static bool
IsLiteral(json_t *e)
{
	return json_is_object(e) && json_object_get(e, "$literal") != NULL;
}

/* A numeric SQL expression for arithmetic: fields, number literals, + - * / %. */
static void
TranslateArith(QueryBuild *b, json_t *e, StringInfo out)
{
	static const char *const ops[][2] = {{"$add", "+"}, {"$sub", "-"}, {"$mul", "*"}, {"$div", "/"}, {"$mod", "%"}};

	if (IsField(e))
	{
		char	   *nested;
		int			c = FieldColumn(b, json_string_value(json_object_get(e, "$field")), &nested);

		if (c < 0 || nested || (ColumnRank(b->t->cols[c].typid) != RANK_FLOAT64 &&
								ColumnRank(b->t->cols[c].typid) != RANK_INT64))
			DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
					"udf can only do arithmetic on numeric fields in filters (\"%s\")",
					json_string_value(json_object_get(e, "$field")));
		appendStringInfo(out, "%s::float8", quote_identifier(b->t->cols[c].name));
		return;
	}
	if (IsLiteral(e))
	{
		bool		isnull;
		Datum		d = ConvexToDatum(json_object_get(e, "$literal"), FLOAT8OID, -1, b->t->name, "literal", &isnull);

		appendStringInfo(out, "$%d::float8", AddParam(b->p, d, FLOAT8OID, isnull));
		return;
	}
	for (int i = 0; i < (int) lengthof(ops); i++)
	{
		json_t	   *args = json_object_get(e, ops[i][0]);

		if (json_is_array(args) && json_array_size(args) == 2)
		{
			appendStringInfoChar(out, '(');
			if (strcmp(ops[i][0], "$mod") == 0)
			{
				/* float modulo, like JavaScript's % */
				appendStringInfoString(out, "mod(");
				TranslateArith(b, json_array_get(args, 0), out);
				appendStringInfoString(out, "::numeric, ");
				TranslateArith(b, json_array_get(args, 1), out);
				appendStringInfoString(out, "::numeric)::float8");
			}
			else
			{
				TranslateArith(b, json_array_get(args, 0), out);
				appendStringInfo(out, " %s ", ops[i][1]);
				TranslateArith(b, json_array_get(args, 1), out);
			}
			appendStringInfoChar(out, ')');
			return;
		}
	}
	if (json_object_get(e, "$neg"))
	{
		appendStringInfoString(out, "(-");
		TranslateArith(b, json_object_get(e, "$neg"), out);
		appendStringInfoChar(out, ')');
		return;
	}
	DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "udf cannot translate this filter expression to SQL yet");
}

/* A boolean SQL expression for a Convex filter expression. */
static void
TranslateExpr(QueryBuild *b, json_t *e, StringInfo out)
{
	static const char *const cmps[] = {"$eq", "$neq", "$lt", "$lte", "$gt", "$gte"};
	json_t	   *args;

	if (!json_is_object(e))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid filter expression");
	for (int i = 0; i < (int) lengthof(cmps); i++)
	{
		args = json_object_get(e, cmps[i]);
		if (json_is_array(args) && json_array_size(args) == 2)
		{
			json_t	   *l = json_array_get(args, 0);
			json_t	   *r = json_array_get(args, 1);

			if (IsField(l) && IsLiteral(r))
				TranslateFieldCmp(b, json_string_value(json_object_get(l, "$field")), (CmpOp) i,
								  json_object_get(r, "$literal"), out);
			else if (IsLiteral(l) && IsField(r))
				TranslateFieldCmp(b, json_string_value(json_object_get(r, "$field")), FlipCmp((CmpOp) i),
								  json_object_get(l, "$literal"), out);
			else
			{
				/* arithmetic on numeric fields (rows where a field is missing do not match) */
				appendStringInfoString(out, "coalesce(");
				TranslateArith(b, l, out);
				appendStringInfo(out, " %s ", cmp_sql[i]);
				TranslateArith(b, r, out);
				appendStringInfoString(out, ", false)");
			}
			return;
		}
	}
	if ((args = json_object_get(e, "$and")) || (args = json_object_get(e, "$or")))
	{
		const char *op = json_object_get(e, "$and") ? " AND " : " OR ";
		size_t		i;
		json_t	   *x;

		if (json_array_size(args) == 0)
		{
			appendStringInfoString(out, json_object_get(e, "$and") ? "true" : "false");
			return;
		}
		appendStringInfoChar(out, '(');
		json_array_foreach(args, i, x)
		{
			if (i)
				appendStringInfoString(out, op);
			TranslateExpr(b, x, out);
		}
		appendStringInfoChar(out, ')');
		return;
	}
	if ((args = json_object_get(e, "$not")))
	{
		appendStringInfoString(out, "(NOT ");
		TranslateExpr(b, args, out);
		appendStringInfoChar(out, ')');
		return;
	}
	if (IsLiteral(e) && json_is_boolean(json_object_get(e, "$literal")))
	{
		appendStringInfoString(out, json_is_true(json_object_get(e, "$literal")) ? "true" : "false");
		return;
	}
	DbError(ERRCODE_INVALID_PARAMETER_VALUE,
			"EvalError: a filter must be a comparison, and, or or not: it cannot use a %s as a Boolean",
			IsField(e) ? "field" : "value");
}

static int
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

/* The key columns of a withIndex index, in order; system fields appended for managed tables. */
static List *
IndexColumns(QueryBuild *b, const char *index_name)
{
	DbTable    *t = b->t;
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

			for (int k = 0; k < idx->indnkeyatts; k++)
			{
				if (idx->indkey.values[k] == 0)
					DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "index \"%s\" is on an expression; withIndex needs plain columns", index_name);
				cols = lappend(cols, get_attname(t->relid, idx->indkey.values[k], false));
			}
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

/* WHERE predicates for a withIndex range, checking Convex's rules. */
static void
TranslateRange(QueryBuild *b, const char *index_name, List *cols, json_t *range, StringInfo where)
{
	int			ncols = list_length(cols);
	bool	   *eq = palloc0(sizeof(bool) * ncols);
	int			lower = -1;
	int			upper = -1;
	size_t		i;
	json_t	   *r;
	int			eqcount = 0;
	StringInfoData names;
	ListCell   *lc;

	json_array_foreach(range, i, r)
	{
		const char *type = OptString(r, "type");
		const char *field = OptString(r, "fieldPath");
		int			pos = field ? ListPosition(cols, field) : -1;
		CmpOp		op;

		if (pos < 0)
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"FieldNotInIndex: the index range on \"%s\" uses the field \"%s\", which is not in the index",
					index_name, field ? field : "?");
		if (strcmp(type, "Eq") == 0)
		{
			if (eq[pos] || pos == lower || pos == upper)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"AlreadyDefinedBound: the index range on \"%s\" already has a bound on \"%s\"", index_name, field);
			eq[pos] = true;
			eqcount++;
			op = CMP_EQ;
		}
		else if (strcmp(type, "Gt") == 0 || strcmp(type, "Gte") == 0)
		{
			if (lower >= 0 || eq[pos])
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"AlreadyDefinedBound: the index range on \"%s\" already has a lower bound", index_name);
			if (upper >= 0 && upper != pos)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"BoundsOnMultipleFields: the lower and upper bounds of an index range must be on the same field");
			lower = pos;
			op = strcmp(type, "Gt") == 0 ? CMP_GT : CMP_GTE;
		}
		else if (strcmp(type, "Lt") == 0 || strcmp(type, "Lte") == 0)
		{
			if (upper >= 0 || eq[pos])
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"AlreadyDefinedBound: the index range on \"%s\" already has an upper bound", index_name);
			if (lower >= 0 && lower != pos)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"BoundsOnMultipleFields: the lower and upper bounds of an index range must be on the same field");
			upper = pos;
			op = strcmp(type, "Lt") == 0 ? CMP_LT : CMP_LTE;
		}
		else
			DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid index range type \"%s\"", type ? type : "?");
		if (where->len)
			appendStringInfoString(where, " AND ");
		TranslateFieldCmp(b, field, op, json_object_get(r, "value"), where);
	}
	/* eq fields (in any order) then the bounded field must be a prefix of the index */
	initStringInfo(&names);
	foreach(lc, cols)
		appendStringInfo(&names, "%s%s", names.len ? ", " : "", (char *) lfirst(lc));
	for (int k = 0; k < ncols; k++)
	{
		bool		used = eq[k] || k == lower || k == upper;
		bool		expected = k < eqcount || (k == eqcount && (lower == k || upper == k));

		if (used != expected || (k < eqcount && !eq[k]))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"InvalidIndexRange: the index range for \"%s\" didn't use the index fields in order: "
					"use eq on a prefix of (%s) then at most one lower and one upper bound on the next field",
					index_name, names.data);
	}
}

/*
 * Build the SELECT for a serialized query; returns SQL text. extra_where, if
 * set, is ANDed in (pagination cursors); max_rows >= 0 caps the LIMIT.
 * *order_out gets the sort columns and *desc_out the direction.
 */
static char *
BuildQuery(QueryBuild *b, json_t *query, long *limit_out, const char *extra_where, long max_rows,
		   List **order_out, bool *desc_out)
{
	json_t	   *source = json_object_get(query, "source");
	json_t	   *operators = json_object_get(query, "operators");
	const char *type = OptString(source, "type");
	const char *order = OptString(source, "order");
	bool		desc = order && strcmp(order, "desc") == 0;
	StringInfoData where;
	StringInfoData sql;
	List	   *order_cols = NIL;
	long		limit = -1;
	size_t		i;
	json_t	   *op;
	ListCell   *lc;
	bool		first;

	initStringInfo(&where);
	if (type && strcmp(type, "IndexRange") == 0)
	{
		const char *full = OptString(source, "indexName");
		const char *dot = full ? strrchr(full, '.') : NULL;
		const char *index_name = dot ? dot + 1 : full;
		List	   *cols = IndexColumns(b, index_name);

		TranslateRange(b, index_name, cols, json_object_get(source, "range"), &where);
		order_cols = cols;
	}
	else if (type && strcmp(type, "FullTableScan") == 0)
	{
		if (b->t->managed)
			order_cols = list_make2(pstrdup("_creationTime"), pstrdup("_id"));
		else if (b->t->pk >= 0)
			order_cols = list_make1(pstrdup(b->t->cols[b->t->pk].name));
	}
	else
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "udf does not support %s queries yet", type ? type : "this kind of");

	json_array_foreach(operators, i, op)
	{
		json_t	   *f = json_object_get(op, "filter");
		json_t	   *l = json_object_get(op, "limit");

		if (f)
		{
			if (where.len)
				appendStringInfoString(&where, " AND ");
			TranslateExpr(b, f, &where);
		}
		else if (json_is_number(l))
		{
			long		n = (long) json_number_value(l);

			if (limit < 0 || n < limit)
				limit = n;
		}
	}

	if (extra_where)
	{
		if (where.len)
			appendStringInfoString(&where, " AND ");
		appendStringInfoString(&where, extra_where);
	}
	if (max_rows >= 0 && (limit < 0 || max_rows < limit))
		limit = max_rows;
	initStringInfo(&sql);
	appendStringInfoString(&sql, "SELECT ");
	AppendColumns(&sql, b->t);
	appendStringInfo(&sql, " FROM %s", b->t->sql);
	if (where.len)
		appendStringInfo(&sql, " WHERE %s", where.data);
	first = true;
	foreach(lc, order_cols)
	{
		/* NULLs (missing fields) sort first ascending, like undefined in Convex */
		appendStringInfo(&sql, "%s%s %s", first ? " ORDER BY " : ", ", quote_identifier(lfirst(lc)),
						 desc ? "DESC NULLS LAST" : "ASC NULLS FIRST");
		first = false;
	}
	if (limit >= 0)
		appendStringInfo(&sql, " LIMIT %ld", limit);
	if (InMutation() && b->t->writable_view)
		appendStringInfoString(&sql, " FOR UPDATE");
	*limit_out = limit;
	if (order_out)
		*order_out = order_cols;
	if (desc_out)
		*desc_out = desc;
	return sql.data;
}

/* 1.0/queryStream {query} -> {queryId} */
static void
OpQueryStream(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	const char *table = OptString(json_object_get(query, "source"), "tableName");
	const char *index = OptString(json_object_get(query, "source"), "indexName");
	DbTable    *t;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b;
	char	   *sql;
	long		limit;
	Portal		portal;
	int			id = -1;

	t = palloc0(sizeof(DbTable));
	if (!table && index)
		table = pnstrdup(index, strrchr(index, '.') ? strrchr(index, '.') - index : strlen(index));
	ResolveTable(table, t);
	b.t = t;
	b.p = p;
	sql = BuildQuery(&b, query, &limit, NULL, -1, NULL, NULL);
	LimitsCountQuery();
	portal = SPI_cursor_open(NULL, SavedPlanFor(sql, p), p->values, p->nulls, false);
	id = RememberQuery(portal, t);
	out->result = psprintf("{\"queryId\":%d}", id);
}

/* Transaction end: every portal is gone, and the memory of their states with it. */
static void
OpenQueriesAtXactEnd(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
	{
		memset(open_queries, 0, sizeof(open_queries));
		open_queries_cxt = NULL;
	}
}

/* Forget query id: its state's memory goes (the portal itself is closed or gone). */
static void
ForgetQuery(int id)
{
	MemoryContextDelete(open_queries[id]->cxt);
	open_queries[id] = NULL;
}

/* Give an opened portal a query id, with a copy of its table's description. */
static int
RememberQuery(Portal portal, const DbTable *t)
{
	int			id = -1;
	MemoryContext cxt;
	OpenQueryState *q;

	if (!open_queries_callback)
	{
		RegisterXactCallback(OpenQueriesAtXactEnd, NULL);
		open_queries_callback = true;
	}
	if (open_queries_cxt == NULL)
		open_queries_cxt = AllocSetContextCreate(TopTransactionContext, "udf open queries",
												 ALLOCSET_SMALL_SIZES);
	for (int i = 0; i < MAX_QUERIES; i++)
		if (open_queries[i] == NULL || SPI_cursor_find(open_queries[i]->portal_name) == NULL)
		{
			id = i;
			break;
		}
	if (id < 0)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "too many open queries in one call (limit: %d)", MAX_QUERIES);
	if (open_queries[id])
		ForgetQuery(id);
	cxt = AllocSetContextCreate(open_queries_cxt, "udf open query", ALLOCSET_SMALL_SIZES);
	q = MemoryContextAllocZero(cxt, sizeof(OpenQueryState));
	q->cxt = cxt;
	q->portal_name = MemoryContextStrdup(cxt, portal->name);
	/* the table description must outlive this op's memory */
	CopyTable(t, &q->table, cxt);
	open_queries[id] = q;
	return id;
}

/* The portal of an open query by its id (syscall args {queryId}), or NULL. */
static Portal
OpenQuery(json_t *root, int *id_out)
{
	json_t	   *qid = json_object_get(root, "queryId");
	int			id = json_is_integer(qid) ? (int) json_integer_value(qid) : -1;

	*id_out = id;
	if (id < 0 || id >= MAX_QUERIES || !open_queries[id])
		return NULL;
	return SPI_cursor_find(open_queries[id]->portal_name);
}

/* 1.0/queryStreamNext {queryId} -> {value, done} */
static void
OpQueryStreamNext(json_t *root, size_t len, UdfV8HostResult *out)
{
	int			id;
	Portal		portal;
	ValueWriter res;

	if ((portal = OpenQuery(root, &id)) == NULL)
		DbError(ERRCODE_INVALID_CURSOR_NAME, "This query is closed and can't emit any more values.");
	SPI_cursor_fetch(portal, true, 1);
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "value");
	if (SPI_processed == 1)
	{
		int			before = res.buf.len;

		WriteDocument(&res, &open_queries[id]->table, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		LimitsCountRead(res.buf.len - before);
	}
	else
		WriterNull(&res);
	WriterKey(&res, "done");
	WriterBool(&res, SPI_processed != 1);
	WriterObjectEnd(&res);
	if (SPI_processed != 1)
	{
		SPI_cursor_close(portal);
		ForgetQuery(id);
	}
	ResultFromWriter(out, &res);
}

/* 1.0/queryCleanup {queryId} -> bool */
static void
OpQueryCleanup(json_t *root, size_t len, UdfV8HostResult *out)
{
	int			id;
	Portal		portal;

	portal = OpenQuery(root, &id);
	if (portal)
		SPI_cursor_close(portal);
	if (id >= 0 && id < MAX_QUERIES && open_queries[id])
		ForgetQuery(id);
	out->result = portal ? "true" : "false";
}

/* ------------------------------------------------------------------ pagination */

#define CURSOR_MAC_BYTES 16
#define MAX_PAGE_SIZE 32000

/* The sort columns and direction of a serialized query (as BuildQuery orders it). */
static List *
QueryOrder(QueryBuild *b, json_t *query, bool *desc)
{
	json_t	   *source = json_object_get(query, "source");
	const char *type = OptString(source, "type");
	const char *order = OptString(source, "order");

	*desc = order && strcmp(order, "desc") == 0;
	if (type && strcmp(type, "IndexRange") == 0)
	{
		const char *full = OptString(source, "indexName");
		const char *dot = full ? strrchr(full, '.') : NULL;

		return IndexColumns(b, dot ? dot + 1 : full);
	}
	if (b->t->managed)
		return list_make2(pstrdup("_creationTime"), pstrdup("_id"));
	if (b->t->pk >= 0)
		return list_make1(pstrdup(b->t->cols[b->t->pk].name));
	DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
			"paginate() needs an order: table \"%s\" has no primary key; use withIndex", b->t->name);
}

/* Hex of the first CURSOR_MAC_BYTES of HMAC-SHA256(secret, payload). */
static char *
CursorMac(const char *payload)
{
	const char *secret = CursorSecret();
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(2 * CURSOR_MAC_BYTES + 1);

	if (ctx == NULL || pg_hmac_init(ctx, (const uint8 *) secret, strlen(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) payload, strlen(payload)) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
		elog(ERROR, "could not compute a cursor signature");
	pg_hmac_free(ctx);
	for (int i = 0; i < CURSOR_MAC_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return hex;
}

/* An opaque cursor: the sort-key values after which the next page starts, signed. */
static char *
EncodeCursor(const DbTable *t, List *order_cols, HeapTuple tup, TupleDesc desc)
{
	ValueWriter w;
	StringInfo	payload = &w.buf;
	StringInfoData cursor;
	ListCell   *lc;
	int			enclen;
	char	   *b64;

	WriterInit(&w, false);
	WriterArrayBegin(&w);
	WriterFloat(&w, t->relid);
	foreach(lc, order_cols)
	{
		int			c = FindColumn(t, lfirst(lc));
		bool		isnull = true;
		Datum		d = (Datum) 0;

		if (tup)
			d = SPI_getbinval(tup, desc, c + 1, &isnull);
		if (isnull)
		{
			WriterObjectBegin(&w);
			WriterKey(&w, "$undefined");
			WriterNull(&w);
			WriterObjectEnd(&w);
		}
		else
			WriteDatumAsConvex(&w, d, t->cols[c].typid);
	}
	WriterArrayEnd(&w);
	enclen = pg_b64_enc_len(payload->len);
	b64 = palloc(enclen + 1);
	enclen = pg_b64_encode(payload->data, payload->len, b64, enclen);
	b64[enclen] = '\0';
	initStringInfo(&cursor);
	appendStringInfo(&cursor, "%s.%s", b64, CursorMac(payload->data));
	return cursor.data;
}

/* The sort-key values of a cursor; ERROR if it was not made by udf for this query's table. */
static json_t *
DecodeCursor(const DbTable *t, const char *cursor, int nkeys)
{
	const char *dot = strrchr(cursor, '.');
	int			b64len;
	char	   *payload;
	int			n;
	json_t	   *keys;

	if (!dot)
		goto invalid;
	b64len = dot - cursor;
	payload = palloc(pg_b64_dec_len(b64len) + 1);
	n = pg_b64_decode(cursor, b64len, payload, pg_b64_dec_len(b64len));
	if (n < 0)
		goto invalid;
	payload[n] = '\0';
	if (strcmp(CursorMac(payload), dot + 1) != 0)
		goto invalid;
	keys = json_loads(payload, 0, NULL);
	if (!json_is_array(keys) || json_array_size(keys) != (size_t) nkeys + 1 ||
		json_integer_value(json_array_get(keys, 0)) != (json_int_t) t->relid)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"InvalidCursor: this cursor belongs to a different query; use the cursor from the same paginated query");
	return keys;
invalid:
	DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidCursor: the cursor was not made by udf or has been altered");
}

/* SQL for "the row comes after the cursor" in the query's order (NULLs first ascending). */
static char *
AfterCursor(QueryBuild *b, List *order_cols, bool desc, json_t *keys)
{
	StringInfoData sql;
	int			i = 0;
	ListCell   *lc;

	initStringInfo(&sql);
	foreach(lc, order_cols)
	{
		int			c = FindColumn(b->t, lfirst(lc));
		json_t	   *v = json_array_get(keys, i + 1);
		const char *col = quote_identifier(b->t->cols[c].name);
		bool		is_null = json_is_object(v) && json_object_get(v, "$undefined");
		int			param = -1;

		if (!is_null)
		{
			bool		isnull;
			Datum		d = ConvexToDatum(v, b->t->cols[c].typid, b->t->cols[c].typmod, b->t->name, lfirst(lc), &isnull);

			param = AddParam(b->p, d, b->t->cols[c].typid, isnull);
		}
		/* strictly after on this column */
		if (is_null)
			appendStringInfo(&sql, desc ? "false" : "%s IS NOT NULL", col);
		else if (desc)
			appendStringInfo(&sql, "(%s < $%d OR %s IS NULL)", col, param, col);
		else
			appendStringInfo(&sql, "%s > $%d", col, param);
		/* or equal on it, and after on the next */
		if (lnext(order_cols, lc))
		{
			if (is_null)
				appendStringInfo(&sql, " OR (%s IS NULL AND (", col);
			else
				appendStringInfo(&sql, " OR (%s = $%d AND (", col, param);
		}
		i++;
	}
	/* close: each "OR (x = c AND (" opened two parens */
	{
		StringInfoData closed;

		initStringInfo(&closed);
		appendStringInfo(&closed, "(%s", sql.data);
		for (int k = 0; k < list_length(order_cols) - 1; k++)
			appendStringInfoString(&closed, "))");
		appendStringInfoChar(&closed, ')');
		return closed.data;
	}
}

/* 1.0/queryPage {query, cursor, endCursor, pageSize, maximumRowsRead} -> {page, isDone, continueCursor, ...} */
static void
OpQueryPage(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	json_t	   *source = json_object_get(query, "source");
	const char *table = OptString(source, "tableName");
	const char *index = OptString(source, "indexName");
	const char *cursor = OptString(root, "cursor");
	const char *end_cursor = OptString(root, "endCursor");
	json_t	   *page_size_json = json_object_get(root, "pageSize");
	json_t	   *max_rows_json = json_object_get(root, "maximumRowsRead");
	long		page_size = json_is_number(page_size_json) ? (long) json_number_value(page_size_json) : -1;
	long		max_rows = json_is_number(max_rows_json) ? (long) json_number_value(max_rows_json) : -1;
	long		want;
	DbTable		t;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b;
	List	   *order_cols;
	bool		desc;
	StringInfoData extra;
	ValueWriter res;
	char	   *sql;
	long		limit;
	bool		split = false;
	bool		done;

	if (!end_cursor && page_size <= 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "NoDocumentsForPagination: Must request at least 1 document while paginating");
	if (page_size > MAX_PAGE_SIZE)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "PageSizeTooLarge: a page may hold at most %d documents", MAX_PAGE_SIZE);
	if (max_rows == 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidPaginationLimit: maximumRowsRead must be at least 1");
	if (CallStackMarkPaginated())
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"MultiplePaginatedDatabaseQueries: This query or mutation function ran multiple paginated queries. "
				"Convex only supports a single paginated query in each function.");
	if (!table && index)
		table = pnstrdup(index, strrchr(index, '.') ? strrchr(index, '.') - index : strlen(index));
	ResolveTable(table, &t);
	b.t = &t;
	b.p = p;
	order_cols = QueryOrder(&b, query, &desc);
	initStringInfo(&extra);
	if (cursor)
		appendStringInfoString(&extra, AfterCursor(&b, order_cols, desc,
												   DecodeCursor(&t, cursor, list_length(order_cols))));
	if (end_cursor)
		appendStringInfo(&extra, "%sNOT %s", extra.len ? " AND " : "",
						 AfterCursor(&b, order_cols, desc, DecodeCursor(&t, end_cursor, list_length(order_cols))));
	want = end_cursor ? MAX_PAGE_SIZE : page_size;
	if (max_rows > 0 && max_rows < want)
	{
		want = max_rows;
		split = true;
	}
	sql = BuildQuery(&b, query, &limit, extra.len ? extra.data : NULL, want, NULL, NULL);
	LimitsCountQuery();
	Execute(sql, p, false, 0);
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "page");
	WriterArrayBegin(&res);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		int			before = res.buf.len;

		WriteDocument(&res, &t, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
		LimitsCountRead(res.buf.len - before);
	}
	WriterArrayEnd(&res);
	/* Convex does not peek ahead: a page that fills exactly is not done yet */
	done = !end_cursor && (long) SPI_processed < want && !(split && (long) SPI_processed == want);
	if (split && (long) SPI_processed < want)
		split = false;
	WriterKey(&res, "isDone");
	WriterBool(&res, done);
	WriterKey(&res, "continueCursor");
	if (SPI_processed > 0)
		WriterCString(&res, EncodeCursor(&t, order_cols, SPI_tuptable->vals[SPI_processed - 1], SPI_tuptable->tupdesc));
	else if (cursor)
		WriterCString(&res, cursor);
	else
		WriterCString(&res, EncodeCursor(&t, order_cols, NULL, NULL));
	if (split)
	{
		WriterKey(&res, "pageStatus");
		WriterCString(&res, "SplitRequired");
		WriterKey(&res, "splitCursor");
		WriterCString(&res, EncodeCursor(&t, order_cols, SPI_tuptable->vals[SPI_processed / 2], SPI_tuptable->tupdesc));
	}
	WriterObjectEnd(&res);
	ResultFromWriter(out, &res);
}

/* ------------------------------------------------------------------ rows for triggers */

/* DescribeTable through the table cache (triggers describe one table per row). */
static void
DescribeTableCached(Oid relid, DbTable *t)
{
	for (int i = 0; i < TABLE_CACHE_SIZE; i++)
		if (table_cache[i].name && table_cache[i].table.relid == relid)
		{
			*t = table_cache[i].table;
			return;
		}
	ResolveTable(quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid)), t);
}

/* A row of rel (a trigger's tuple) as a document: the same shape ctx.db reads. */
void
DbWriteRow(ValueWriter *w, Relation rel, HeapTuple tuple)
{
	DbTable		t;
	TupleDesc	desc = RelationGetDescr(rel);
	int			col = 0;

	DescribeTableCached(RelationGetRelid(rel), &t);
	WriterObjectBegin(w);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull;
		Datum		d;

		if (att->attisdropped)
			continue;
		d = heap_getattr(tuple, i + 1, desc, &isnull);
		if (!t.managed && col == t.pk && !isnull)
		{
			Oid			output;
			bool		varlena;

			getTypeOutputInfo(att->atttypid, &output, &varlena);
			WriterKey(w, "_id");
			WriterCString(w, OidOutputFunctionCall(output, d));
		}
		col++;
		if (isnull && t.managed)
			continue;
		WriterKey(w, NameStr(att->attname));
		if (isnull)
			WriterNull(w);
		else
			WriteDatumAsConvex(w, d, att->atttypid);
	}
	WriterObjectEnd(w);
}

/*
 * The row a BEFORE ROW trigger's function returned: base with the fields of
 * doc (a JSON object) replaced. ERROR for fields the table has no column for.
 */
HeapTuple
DbRowFromDocument(Relation rel, HeapTuple base, const char *doc_json, const char *function)
{
	TupleDesc	desc = RelationGetDescr(rel);
	json_error_t jerr;
	json_t	   *doc = json_loads(doc_json, 0, &jerr);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	bool	   *replace = palloc0(sizeof(bool) * desc->natts);
	const char *field;
	json_t	   *v;

	if (!json_is_object(doc))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("trigger function %s must return an object (the new row), null (skip the row) or undefined (keep it)",
						function)));
	json_object_foreach(doc, field, v)
	{
		int			attno = -1;

		if (strcmp(field, "_id") == 0 && get_attnum(RelationGetRelid(rel), "_id") == InvalidAttrNumber)
			continue;			/* the primary key's text form of an ordinary table */
		for (int i = 0; i < desc->natts; i++)
			if (!TupleDescAttr(desc, i)->attisdropped && strcmp(NameStr(TupleDescAttr(desc, i)->attname), field) == 0)
				attno = i;
		if (attno < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("trigger function %s returned the field \"%s\", but table \"%s\" has no such column",
							function, field, RelationGetRelationName(rel))));
		values[attno] = ConvexToDatum(v, TupleDescAttr(desc, attno)->atttypid, TupleDescAttr(desc, attno)->atttypmod,
									  RelationGetRelationName(rel), field, &nulls[attno]);
		replace[attno] = true;
	}
	json_decref(doc);
	return heap_modify_tuple(base, desc, values, nulls, replace);
}

/* ------------------------------------------------------------------ entry points */

static void
OpPatch(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_PATCH);
}

static void
OpReplace(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_REPLACE);
}

static void
OpRemove(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_DELETE);
}

#define DB_OP(fn_name, handler) \
void \
fn_name(const char *args, size_t len, UdfV8HostResult *out) \
{ \
	OpCall		call = {args, len, handler}; \
	RunInSubtransaction(RunOp, &call, out); \
}

DB_OP(DbGet, OpGet)
DB_OP(DbInsert, OpInsert)
DB_OP(DbPatch, OpPatch)
DB_OP(DbReplace, OpReplace)
DB_OP(DbRemove, OpRemove)
DB_OP(DbCount, OpCount)
DB_OP(DbNormalizeId, OpNormalizeId)
DB_OP(DbQueryStream, OpQueryStream)
DB_OP(DbQueryStreamNext, OpQueryStreamNext)
DB_OP(DbQueryCleanup, OpQueryCleanup)
DB_OP(DbQueryPage, OpQueryPage)

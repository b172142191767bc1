/*
 * dbinsertsql.c -- the INSERT statement of ctx.db.insert, remembered by
 * what it depends on.
 *
 * A mutation that inserts in a loop writes the same shape of document to
 * the same table again and again; building its INSERT text each time
 * (quoted identifiers, formatted parameter numbers) cost about a tenth of
 * an insert. The text depends only on the table's quoted name, whether it
 * is managed or schemaless, its primary key's name (for RETURNING; empty
 * when the insert needs none, as dbwrite.c knows the key) and the written
 * field names in order, so that is the key, and a table altered or
 * renamed simply makes a new key. The parameters are numbered as
 * InsertDocument (dbwrite.c) adds them: _id and _creationTime first for a
 * managed table, then the fields, then a schemaless table's document.
 *
 * The cache is a small array of slots under TopMemoryContext, a slot taken
 * over by a new key on collision; it is reset whole when it grows past its
 * bound. The plan for the text is dbsql.c's (SavedPlanFor), as for every
 * statement.
 */
#include "db.h"

#include "utils/memutils.h"

#define INSERT_SQL_SLOTS 64
#define INSERT_SQL_MAX_BYTES (1024 * 1024)

/* A remembered statement: its key and its text. */
typedef struct InsertSqlEntry
{
	char	   *key;			/* NULL: a free slot */
	int			key_len;		/* bytes of key (field names are length-prefixed: it holds NULs) */
	char	   *sql;
} InsertSqlEntry;

static InsertSqlEntry insert_sql[INSERT_SQL_SLOTS];
static MemoryContext insert_sql_cxt = NULL;

static char *BuildInsertSql(const DbTable *t, List *fields, bool returning);
static void AppendPart(StringInfo key, const char *part);

/* Add a part to a key, its length first, so no name can end early or run into the next. */
static void
AppendPart(StringInfo key, const char *part)
{
	uint32		len = (uint32) strlen(part);

	appendBinaryStringInfo(key, (const char *) &len, sizeof(len));
	appendBinaryStringInfo(key, part, (int) len);
}

/* Start the key of an insert into t: what its statement depends on besides the fields. */
void
InsertSqlKeyBegin(StringInfo key, const DbTable *t, bool returning)
{
	initStringInfo(key);
	appendStringInfoChar(key, t->managed ? 'm' : t->schemaless ? 's' : 'u');
	AppendPart(key, t->sql);
	AppendPart(key, returning ? t->cols[t->pk].name : "");
}

/* Add a written field to the key. */
void
InsertSqlKeyField(StringInfo key, const char *field)
{
	AppendPart(key, field);
}

/* The INSERT text of t with fields (C strings), built; RETURNING the key's text if asked. */
static char *
BuildInsertSql(const DbTable *t, List *fields, bool returning)
{
	StringInfoData cols;
	StringInfoData vals;
	StringInfoData sql;
	int			n = 0;
	ListCell   *lc;

	initStringInfo(&cols);
	initStringInfo(&vals);
	if (t->managed)
	{
		appendStringInfo(&cols, "%s, %s", quote_identifier("_id"), quote_identifier("_creationTime"));
		appendStringInfoString(&vals, "$1, $2");
		n = 2;
	}
	foreach(lc, fields)
	{
		if (cols.len)
		{
			appendStringInfoString(&cols, ", ");
			appendStringInfoString(&vals, ", ");
		}
		appendStringInfoString(&cols, quote_identifier(lfirst(lc)));
		appendStringInfo(&vals, "$%d", ++n);
	}
	if (t->schemaless)
	{
		appendStringInfo(&cols, ", %s", quote_identifier(SCHEMALESS_DOC));
		appendStringInfo(&vals, ", $%d", ++n);
	}
	initStringInfo(&sql);
	if (cols.len)
		appendStringInfo(&sql, "INSERT INTO %s (%s) VALUES (%s)", t->sql, cols.data, vals.data);
	else
		appendStringInfo(&sql, "INSERT INTO %s DEFAULT VALUES", t->sql);
	if (returning)
		appendStringInfo(&sql, " RETURNING %s::text", quote_identifier(t->cols[t->pk].name));
	return sql.data;
}

/*
 * The INSERT text for key (InsertSqlKeyBegin/Field) of an insert into t of
 * fields: remembered, or built and remembered. The text is the cache's:
 * valid until the next call.
 */
const char *
InsertSqlFor(const StringInfo key, const DbTable *t, List *fields, bool returning)
{
	uint32		slot = HashKeyBytes(key->data, key->len) % INSERT_SQL_SLOTS;
	char	   *sql;

	if (insert_sql[slot].key && insert_sql[slot].key_len == key->len &&
		memcmp(insert_sql[slot].key, key->data, key->len) == 0)
		return insert_sql[slot].sql;
	sql = BuildInsertSql(t, fields, returning);
	if (insert_sql_cxt == NULL)
		insert_sql_cxt = AllocSetContextCreate(TopMemoryContext, "udf insert statements", ALLOCSET_SMALL_SIZES);
	else if (MemoryContextMemAllocated(insert_sql_cxt, true) > INSERT_SQL_MAX_BYTES)
	{
		MemoryContextReset(insert_sql_cxt);
		memset(insert_sql, 0, sizeof(insert_sql));
	}
	if (insert_sql[slot].key)
	{
		pfree(insert_sql[slot].key);
		pfree(insert_sql[slot].sql);
	}
	insert_sql[slot].key = memcpy(MemoryContextAlloc(insert_sql_cxt, key->len), key->data, key->len);
	insert_sql[slot].key_len = key->len;
	insert_sql[slot].sql = MemoryContextStrdup(insert_sql_cxt, sql);
	return insert_sql[slot].sql;
}

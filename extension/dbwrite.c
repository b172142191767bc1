/*
 * dbwrite.c -- ctx.db's writes: insert, patch (1.0/shallowMerge),
 * replace and remove (delete), and the typed op db/writeTarget that comes
 * before them.
 *
 * Writes need a mutation: the C side checks, whatever JS calls. A write is
 * checked before its syscall is made, by the writing function's own runtime
 * (udf-runtime's documents.js: field names, Convex's document limits and
 * schema.js), which first asks writeTarget what the write addresses: the
 * table, whether it is managed, and for a patch of a managed table the
 * stored document, read FOR UPDATE (so it cannot change before the patch
 * lands) and answered as host values. Nothing here calls into V8.
 * An insert into a table that does not exist creates it, a managed table
 * without a schema (dbschemaless.c), whose fields live in one jsonb;
 * writeTarget answers such a table as managed before it exists, so the
 * runtime checks the document as it would for any managed table.
 * Inserts into managed tables get a new Convex id and a strictly
 * increasing _creationTime; other tables' ids are their primary key's
 * text, RETURNING'd.
 *
 * patch is a shallow merge: a field set to undefined ({"$undefined":
 * null}) becomes SQL NULL (a missing field); replace sets every field the
 * new document lacks to NULL; system fields may be given only unchanged.
 * A write of a document that does not exist is Convex's "Update/Replace/
 * Delete on nonexistent document ID". Each write answers the document as it
 * now is (RETURNING), written by dbrow.c like every read.
 *
 * Memory is the op's; everything here may raise.
 */
#include "db.h"

#include "hostjson.h"

#include <math.h>

#include "access/xact.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "storage/lmgr.h"
#include "catalog/pg_class.h"

/* The write ops that address one document by id. */
typedef enum WriteKind
{
	WRITE_PATCH,
	WRITE_REPLACE,
	WRITE_DELETE
} WriteKind;

static void RequireMutation(const char *what);
static void Nonexistent(WriteKind kind, const char *id);
static int	WriteColumn(const DbTable *t, const char *field);
static void OpWrite(json_t *root, size_t len, UdfV8HostResult *out, WriteKind kind);
static void WriteTargetBegin(ValueWriter *w, const char *table, bool managed);

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

/* Convex's error for a write by id of a document that does not exist. */
static void
Nonexistent(WriteKind kind, const char *id)
{
	DbError(ERRCODE_NO_DATA_FOUND, "%s on nonexistent document ID %s",
			kind == WRITE_PATCH ? "Update" : kind == WRITE_REPLACE ? "Replace" : "Delete",
			id ? id : "?");
}

/* Column index of a document field for a write; ERROR if the table has none. */
static int
WriteColumn(const DbTable *t, const char *field)
{
	int			c = FindColumn(t, field);

	if (c < 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("Table \"%s\" has no field \"%s\"", t->name, field),
				 t->managed ? errhint("Add the field to the table in schema.js and deploy.") : 0));
	return c;
}

/* Start db/writeTarget's answer in w: {table, managed, ...}, left open for a document. */
static void
WriteTargetBegin(ValueWriter *w, const char *table, bool managed)
{
	WriterInit(w, true);
	WriterObjectBegin(w);
	WriterKey(w, "table");
	WriterCString(w, table);
	WriterKey(w, "managed");
	WriterBool(w, managed);
}

/*
 * Typed op db/writeTarget(method, table, id, withDocument): what a write
 * addresses, for the runtime to check the write before making it ->
 * {table, managed, document?} as host values. method is insert (by table),
 * patch or replace (by id, table optional); document, the stored one read
 * FOR UPDATE, only for a patch of a managed table when asked for.
 */
void
OpWriteTarget(const UdfV8Arg *args, UdfV8HostResult *out)
{
	const char *method = OpArgString(args, 0);
	const char *table = OpArgString(args, 1);
	const char *id = OpArgString(args, 2);
	bool		with_document = OpArgNumber(args, 3) != 0;
	WriteKind	kind;
	DbTable		t;
	ValueWriter w;

	if (!method)
		DbError(ERRCODE_INTERNAL_ERROR, "udf internal error: db/writeTarget needs a method");
	RequireMutation(psprintf("db.%s", method));
	if (strcmp(method, "insert") == 0)
	{
		if (!ResolveTableIfExists(table, &t))
		{
			/* the insert will create it (dbschemaless.c): a managed table, with no schema of its own */
			WriteTargetBegin(&w, SchemalessTableName("insert", table), true);
			WriterObjectEnd(&w);
			ResultFromWriter(out, &w);
			return;
		}
		with_document = false;
	}
	else
	{
		json_t	   *id_json = id ? json_string(id) : json_null();
		bool		found;

		kind = strcmp(method, "patch") == 0 ? WRITE_PATCH : WRITE_REPLACE;
		PG_TRY();
		{
			Datum		key;

			found = LocateId(method, table, id_json, &t, &key, true);
			if (found && with_document && t.managed)
			{
				SqlParams	p = {0};
				StringInfoData sql;

				initStringInfo(&sql);
				appendStringInfoString(&sql, "SELECT ");
				AppendColumns(&sql, &t);
				appendStringInfo(&sql, " FROM %s WHERE %s = $%d FOR UPDATE", t.sql,
								 quote_identifier(t.cols[t.pk].name), AddParam(&p, key, KeyType(&t), false));
				Execute(sql.data, &p, false, 1);
				found = SPI_processed == 1;
			}
		}
		PG_FINALLY();
		{
			json_decref(id_json);
		}
		PG_END_TRY();
		if (!found)
			Nonexistent(kind, id);
	}
	WriteTargetBegin(&w, get_rel_name(t.relid), t.managed);
	if (with_document && t.managed)
	{
		WriterKey(&w, "document");
		WriteDocument(&w, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
	}
	WriterObjectEnd(&w);
	ResultFromWriter(out, &w);
}

/*
 * db/writeTarget of an insert, from the table cache alone: true with out set
 * when the table is cached under this search_path (a trigger's mutation asks
 * it once per row, each row its own call) and a mutation is running; false
 * for OpWriteTarget to answer, in a subtransaction. Nothing here can raise
 * an error JS could catch (get_rel_name of a cached table reads the
 * syscache, as the cached description is valid: its relcache entry was not
 * invalidated), so no subtransaction or SPI connection is needed; the answer
 * is OpWriteTarget's own.
 */
bool
WriteTargetCached(const UdfV8Arg *args, UdfV8HostResult *out)
{
	const char *method = OpArgString(args, 0);
	const char *kind = CallStackKind();
	DbTable		t;
	char	   *relname;
	ValueWriter w;

	if (!method || strcmp(method, "insert") != 0 || !kind || strcmp(kind, "mutation") != 0 ||
		!TableCacheLookup(OpArgString(args, 1), &t))
		return false;
	relname = get_rel_name(t.relid);
	if (relname == NULL)
		return false;
	WriteTargetBegin(&w, relname, t.managed);
	WriterObjectEnd(&w);
	ResultFromWriter(out, &w);
	return true;
}

/*
 * Is the stored key of an insert into t (not managed) the value given for
 * it, so the _id needs no RETURNING? When the document gives the key, the
 * column has no typmod, and the table is a plain one with no rules and no
 * BEFORE or INSTEAD OF row triggers on INSERT (which could change it). The
 * table is locked as the INSERT will lock it, so its triggers cannot change
 * before the INSERT runs.
 */
static bool
InsertKeyIsGiven(const DbTable *t, json_t *value)
{
	json_t	   *key;
	Relation	rel;
	bool		given;

	if (t->managed || t->pk < 0 || t->cols[t->pk].typmod != -1)
		return false;
	key = json_object_get(value, t->cols[t->pk].name);
	if (key == NULL || json_is_null(key))
		return false;
	rel = RelationIdGetRelation(t->relid);
	if (RelationIsValid(rel) && !CheckRelationLockedByMe(rel, RowExclusiveLock, true))
	{
		/* the first insert into it in this transaction: lock, then look again */
		RelationClose(rel);
		LockRelationOid(t->relid, RowExclusiveLock);
		rel = RelationIdGetRelation(t->relid);
	}
	if (!RelationIsValid(rel))
		return false;
	given = rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relhasrules &&
		(rel->trigdesc == NULL ||
		 (!rel->trigdesc->trig_insert_before_row && !rel->trigdesc->trig_insert_instead_row));
	RelationClose(rel);
	return given;
}

/* Insert value (Convex JSON, len bytes of it as sent) into table; out gets {_id}. */
static void
InsertDocument(const char *table, json_t *value, size_t len, UdfV8HostResult *out)
{
	DbTable		t;
	SqlParams	p;				/* AddParam fills what it numbers: no 3 kB to clear per insert */
	StringInfoData key;
	List	   *fields = NIL;
	const char *field;
	json_t	   *v;
	char	   *id = NULL;
	ValueWriter res;
	bool		key_given;
	int			key_param = -1;

	p.n = 0;
	RequireMutation("db.insert");
	if (!json_is_object(value))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "db.insert takes an object, got %s", ConvexTypeName(value));
	LimitsCountWrite(len);
	if (!ResolveTableIfExists(table, &t))
		CreateSchemalessTable(table, &t);
	key_given = !t.schemaless && InsertKeyIsGiven(&t, value);
	/* the statement's text is remembered by what it depends on (dbinsertsql.c) */
	InsertSqlKeyBegin(&key, &t, !t.managed && t.pk >= 0 && !key_given);
	if (t.managed)
	{
		id = IdNew(TableNumberFor(t.relid));
		AddParam(&p, CStringGetTextDatum(id), TEXTOID, false);
		AddParam(&p, Float8GetDatum(ClockNextCreationTime()), FLOAT8OID, false);
	}
	json_object_foreach(value, field, v)
	{
		int			c;
		bool		isnull;
		Datum		d;

		if (t.managed && (strcmp(field, "_id") == 0 || strcmp(field, "_creationTime") == 0))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE, "db.insert cannot set the system field %s", field);
		if (t.schemaless)
			continue;			/* the fields go into _doc, below */
		c = WriteColumn(&t, field);
		d = ConvexToDatum(v, t.cols[c].typid, t.cols[c].typmod, t.name, field, &isnull);
		if (c == t.pk)
			key_param = p.n;
		AddParam(&p, d, t.cols[c].typid, isnull);
		InsertSqlKeyField(&key, field);
		fields = lappend(fields, (void *) field);
	}
	if (t.schemaless)
		AddParam(&p, SchemalessDoc(value, t.name, false, NULL), JSONBOID, false);
	Execute(InsertSqlFor(&key, &t, fields, !t.managed && t.pk >= 0 && !key_given), &p, false, 0);
	/* {_id} as host values: the runtime reads the id with no JSON text to parse */
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "_id");
	if (t.managed)
		WriterCString(&res, id);
	else if (key_given && key_param >= 0 && p.nulls[key_param] != 'n' && SPI_processed == 1)
	{
		/* the key as given, in its type's text: what RETURNING key::text would say */
		Oid			output;
		bool		varlena;

		getTypeOutputInfo(t.cols[t.pk].typid, &output, &varlena);
		WriterCString(&res, OidOutputFunctionCall(output, p.values[key_param]));
	}
	else if (t.pk >= 0 && SPI_processed == 1 && SPI_tuptable != NULL)
		WriterCString(&res, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	else
		WriterNull(&res);
	WriterObjectEnd(&res);
	ResultFromWriter(out, &res);
}

/* 1.0/insert {table, value} -> {_id} */
void
OpInsert(json_t *root, size_t len, UdfV8HostResult *out)
{
	InsertDocument(OptString(root, "table"), json_object_get(root, "value"), len, out);
}

/*
 * 1.0/insert as a typed op (table, the value, its form) -> {_id}: the
 * runtime's db.insert, which has the table apart and so sends no JSON
 * around the value. The value is its Convex JSON text (form 0), or, for a
 * plain document, host values (form 1; hostjson.c), read as the same JSON
 * without any text; the write limits count its JSON text's length either way.
 */
void
OpInsertTyped(const UdfV8Arg *args, UdfV8HostResult *out)
{
	json_error_t jerr;
	json_t	   *value;
	size_t		len = args[1].len;

	if (OpArgNumber(args, 2) == 1 && args[1].str)
		value = HostValuesToJson(args[1].str, args[1].len, &len);
	else if ((value = args[1].str ? json_loadb(args[1].str, args[1].len, 0, &jerr) : NULL) == NULL)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid arguments for db.insert: %s",
				args[1].str ? jerr.text : "no value");
	PG_TRY();
	{
		InsertDocument(OpArgString(args, 0), value, len, out);
	}
	PG_FINALLY();
	{
		json_decref(value);
	}
	PG_END_TRY();
}

/* patch, replace or delete one document by id (the ops below): the document as written, or as deleted. */
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
		Nonexistent(kind, json_string_value(id_json));
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
				bool		same = strcmp(field, "_id") == 0 && json_is_string(v) &&
					strcmp(json_string_value(v), json_string_value(id_json)) == 0;

				if (strcmp(field, "_creationTime") == 0 && t.managed)
					continue;	/* checked by the row's own value below */
				if (!same)
					DbError(ERRCODE_INVALID_PARAMETER_VALUE,
							"Provided document ID \"%s\" does not match the document being updated (%s)",
							json_is_string(v) ? json_string_value(v) : "?", json_string_value(id_json));
				continue;
			}
			if (t.schemaless)
				continue;		/* the fields go into _doc, below */
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
		if (t.schemaless)
		{
			/* patch merges into the stored fields and drops the removed ones; replace sets them */
			const char *doc = quote_identifier(SCHEMALESS_DOC);
			Datum		removed;
			Datum		fields = SchemalessDoc(value, t.name, kind == WRITE_PATCH, &removed);
			int			fp = AddParam(&p, fields, JSONBOID, false);

			if (kind == WRITE_PATCH)
				appendStringInfo(&sql, "%s%s = (%s || $%d) - $%d::text[]", any ? ", " : "", doc, doc, fp,
								 AddParam(&p, removed, TEXTARRAYOID, false));
			else
				appendStringInfo(&sql, "%s%s = $%d", any ? ", " : "", doc, fp);
			any = true;
		}
		else if (kind == WRITE_REPLACE)
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
		Nonexistent(kind, json_string_value(id_json));
	WriterInit(&doc, false);
	WriteDocument(&doc, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
	out->result = doc.buf.data;
}

/* 1.0/shallowMerge {id, value, table?} -> document */
void
OpPatch(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_PATCH);
}

/* 1.0/replace {id, value, table?} -> document */
void
OpReplace(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_REPLACE);
}

/* 1.0/remove {id, table?} -> document */
void
OpRemove(json_t *root, size_t len, UdfV8HostResult *out)
{
	OpWrite(root, len, out, WRITE_DELETE);
}

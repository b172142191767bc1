/*
 * dbwrite.c -- ctx.db's writes: insert, patch (1.0/shallowMerge),
 * replace and remove (delete).
 *
 * Writes need a mutation: the C side checks, whatever JS calls. A write to
 * a managed table is validated before any SQL runs: the whole new document
 * (for patch, the stored one merged with the patch, read FOR UPDATE)
 * against schema.js and Convex's document limits, by the running
 * function's own runtime (ValidateWrite: a synchronous call back into its
 * V8 context, from inside the syscall; V8 raises nothing, and its refusal
 * becomes an ereport once the call has returned). Inserts into managed
 * tables get a new Convex id and a strictly increasing _creationTime; other
 * tables' ids are their primary key's text, RETURNING'd.
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

#include <math.h>

#include "access/xact.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

/* The write ops that address one document by id. */
typedef enum WriteKind
{
	WRITE_PATCH,
	WRITE_REPLACE,
	WRITE_DELETE
} WriteKind;

static void RequireMutation(const char *what);
static void CheckFieldName(const DbTable *t, const char *field);
static int	WriteColumn(const DbTable *t, const char *field);
static void ValidateWrite(const DbTable *t, json_t *doc);
static void OpWrite(json_t *root, size_t len, UdfV8HostResult *out, WriteKind kind);

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

/* 1.0/insert {table, value} -> {_id} */
void
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
		PG_TRY();
		{
			json_object_foreach(value, field, v)
			{
				if (json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "$undefined"))
					json_object_del(doc, field);
				else
					json_object_set(doc, field, v);
			}
			ValidateWrite(&t, doc);
		}
		PG_FINALLY();
		{
			json_decref(doc);
		}
		PG_END_TRY();
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

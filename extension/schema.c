/*
 * schema.c -- schema.js makes managed tables at deploy time.
 *
 * A deployment whose schema.js default-exports defineSchema(...) gets, for
 * each table, a real PostgreSQL table in the deployer's current schema:
 * `_id` text primary key (a Convex id), `_creationTime` float8, and one
 * column per top-level field (string -> text COLLATE "C", so strings sort
 * by UTF-8 bytes as in Convex (schemacollate.c), number -> float8, int64 ->
 * int8, boolean -> boolean, bytes -> bytea, id -> text, anything nested or
 * union-typed -> jsonb holding Convex JSON). A table whose documents are
 * v.any() or a union of shapes has no columns of fields: it keeps each
 * document whole in a jsonb `_doc`, as a table without a schema does
 * (dbschemaless.c). Required scalar fields are NOT NULL; optional ones are nullable (NULL = missing). Each .index(name,
 * fields) becomes a btree "<table>__<name>" on (fields..., _creationTime),
 * plus "<table>__by_creation_time"; an any-typed (jsonb) field is indexed
 * as udf_sort_key(field), so the btree's order is Convex's total order and
 * withIndex ranges and order() on it use the index (dbsortkey.c).
 *
 * Redeploys migrate additively: new tables, new columns, new indexes. A
 * change that would lose or rewrite data (a field's type changes, a required
 * field is added to a table that has rows) refuses the deploy and says how
 * to proceed. Tables and columns the schema no longer mentions are left as
 * they are. A table made without a schema, by its first insert, is taken
 * over: its documents move into typed columns, or the deploy is refused
 * naming the first document that does not match (schemaadopt.c). All DDL runs as the deployer, in the deploy's transaction.
 */
#include "udf.h"

#include "jansson_pg.h"
#include "elevated.h"
#include "schemaadopt.h"
#include "schemacollate.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"

/* The SQL type of a field validator; *scalar says whether NOT NULL may apply. */
static const char *
FieldSqlType(json_t *field_type, bool *scalar)
{
	const char *type = json_string_value(json_object_get(field_type, "type"));

	*scalar = true;
	if (type == NULL)
		type = "any";
	if (strcmp(type, "string") == 0 || strcmp(type, "id") == 0)
		return "text";
	if (strcmp(type, "number") == 0 || strcmp(type, "float64") == 0)
		return "double precision";
	if (strcmp(type, "bigint") == 0 || strcmp(type, "int64") == 0)
		return "bigint";
	if (strcmp(type, "boolean") == 0)
		return "boolean";
	if (strcmp(type, "bytes") == 0)
		return "bytea";
	*scalar = false;
	return "jsonb";
}

/* The column type of a field validator in DDL (strings in byte order, schemacollate.c); *scalar as FieldSqlType. */
static const char *
FieldColumnSql(json_t *field_type, bool *scalar)
{
	return SchemaColumnTypeSql(FieldSqlType(field_type, scalar));
}

/* Does an index of this name exist beside the table? */
static bool
IndexExists(Oid relid, const char *index_name)
{
	return OidIsValid(get_relname_relid(index_name, get_rel_namespace(relid)));
}

static void
Run(const char *sql)
{
	if (SPI_execute(sql, false, 0) < 0)
		elog(ERROR, "schema.js: could not run: %s", sql);
}

/* Make or migrate one table. */
static void
ApplyTable(json_t *table)
{
	const char *name = json_string_value(json_object_get(table, "tableName"));
	json_t	   *doc = json_object_get(table, "documentType");
	json_t	   *fields = json_object_get(doc, "value");
	const char *doctype = json_string_value(json_object_get(doc, "type"));
	json_t	   *indexes = json_object_get(table, "indexes");
	const char *qname;
	Oid			relid;
	const char *field;
	json_t	   *spec;
	size_t		i;
	json_t	   *index;
	StringInfoData sql;
	bool		has_rows = false;

	if (!name)
		elog(ERROR, "schema.js: a table without a name");
	NameCheckIdentifier("table", name);
	if (!doctype || strcmp(doctype, "object") != 0 || !json_is_object(fields))
		fields = NULL;			/* v.any() or a union: fields are not columns */
	qname = quote_identifier(name);
	relid = RelnameGetRelid(name);

	initStringInfo(&sql);
	if (!OidIsValid(relid))
	{
		appendStringInfo(&sql, "CREATE TABLE %s (\"_id\" text PRIMARY KEY, \"_creationTime\" double precision NOT NULL",
						 qname);
		if (fields)
			json_object_foreach(fields, field, spec)
		{
			bool		scalar;
			const char *type = FieldSqlType(json_object_get(spec, "fieldType"), &scalar);
			bool		optional = json_is_true(json_object_get(spec, "optional"));

			type = VectorFieldSqlType(table, field, type, &scalar);
			if (field[0] == '_' || field[0] == '$')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_NAME),
						 errmsg("schema.js: table \"%s\": field \"%s\" may not start with \"_\" or \"$\"", name, field)));
			appendStringInfo(&sql, ", %s %s%s", quote_identifier(field), SchemaColumnTypeSql(type),
							 scalar && !optional ? " NOT NULL" : "");
		}
		else
		{
			/* v.any() or a union of shapes: the document whole, as a table without a schema keeps it */
			appendStringInfoString(&sql, ", \"_doc\" jsonb NOT NULL DEFAULT '{}'");
		}
		appendStringInfoChar(&sql, ')');
		Run(sql.data);
		relid = RelnameGetRelid(name);
	}
	else
	{
		if (get_attnum(relid, "_id") == InvalidAttrNumber || get_attnum(relid, "_creationTime") == InvalidAttrNumber)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("schema.js: table \"%s\" already exists and is not managed by udf", name),
					 errdetail("A managed table has the columns _id and _creationTime."),
					 errhint("Leave it out of schema.js to use it as an ordinary table, or rename one of them.")));
		if (fields && SchemaIsSchemaless(relid))
			SchemaAdoptTable(relid, name, doc, FieldColumnSql);	/* made by its first insert */
		resetStringInfo(&sql);
		appendStringInfo(&sql, "SELECT EXISTS (SELECT FROM %s)", quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name));
		if (SPI_execute(sql.data, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		{
			bool		isnull;

			has_rows = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		}
		if (fields)
			json_object_foreach(fields, field, spec)
		{
			bool		scalar;
			const char *type = FieldSqlType(json_object_get(spec, "fieldType"), &scalar);
			bool		optional = json_is_true(json_object_get(spec, "optional"));
			AttrNumber	att = get_attnum(relid, field);

			type = VectorFieldSqlType(table, field, type, &scalar);

			if (att == InvalidAttrNumber)
			{
				if (scalar && !optional && has_rows)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
							 errmsg("schema.js: cannot add the required field \"%s\" to table \"%s\", which has documents without it", field, name),
							 errhint("Add it as v.optional(...) first, fill it in, then make it required.")));
				resetStringInfo(&sql);
				appendStringInfo(&sql, "ALTER TABLE %s ADD COLUMN %s %s%s", qname, quote_identifier(field),
								 SchemaColumnTypeSql(type), scalar && !optional ? " NOT NULL" : "");
				Run(sql.data);
			}
			else
			{
				char	   *have = format_type_be(get_atttype(relid, att));

				if (strcmp(have, type) != 0 && !VectorConvertColumn(relid, qname, name, field, json_object_get(spec, "fieldType"), have, type))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
							 errmsg("schema.js: the field \"%s\" of table \"%s\" is %s in the database, and the schema makes it %s",
									field, name, have, type),
							 errhint("udf migrates only additively. Convert the column with ALTER TABLE ... TYPE, or add a new field.")));
				if (strcmp(type, "text") == 0)
					SchemaEnsureByteOrder(relid, name, field);	/* made before strings were in byte order */
				if (optional)
				{
					resetStringInfo(&sql);
					appendStringInfo(&sql, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", qname, quote_identifier(field));
					Run(sql.data);
				}
			}
		}
	}

	if (!IndexExists(relid, psprintf("%s__by_creation_time", name)))
	{
		resetStringInfo(&sql);
		appendStringInfo(&sql, "CREATE INDEX %s ON %s (\"_creationTime\")",
						 quote_identifier(psprintf("%s__by_creation_time", name)), qname);
		Run(sql.data);
	}
	json_array_foreach(indexes, i, index)
	{
		const char *iname = json_string_value(json_object_get(index, "indexDescriptor"));
		json_t	   *ifields = json_object_get(index, "fields");
		size_t		k;
		json_t	   *f;

		NameCheckIdentifier("index", iname ? iname : "");
		if (IndexExists(relid, psprintf("%s__%s", name, iname)))
			continue;			/* indexes are never changed in place */
		resetStringInfo(&sql);
		appendStringInfo(&sql, "CREATE INDEX %s ON %s (",
						 quote_identifier(psprintf("%s__%s", name, iname)), qname);
		json_array_foreach(ifields, k, f)
		{
			const char *fname = json_string_value(f);

			if (!fname || strchr(fname, '.') || (fields && !json_object_get(fields, fname) && strcmp(fname, "_creationTime") != 0))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("schema.js: index \"%s\" of table \"%s\" uses \"%s\", which is not a top-level field of the table",
								iname, name, fname ? fname : "?"),
						 errdetail("udf indexes top-level fields; nested paths are not supported yet.")));
			if (fields && json_object_get(fields, fname))
			{
				bool		scalar;
				const char *type = FieldSqlType(json_object_get(json_object_get(fields, fname), "fieldType"), &scalar);

				if (strcmp(type, "jsonb") == 0)
				{
					/* any-typed: the btree holds Convex's total order (dbsortkey.c) */
					appendStringInfo(&sql, "%s%s(%s)", k ? ", " : "", ExtensionTableName("udf_sort_key"),
									 quote_identifier(fname));
					continue;
				}
			}
			appendStringInfo(&sql, "%s%s", k ? ", " : "", quote_identifier(fname));
		}
		appendStringInfoString(&sql, ", \"_creationTime\")");
		Run(sql.data);
	}
	SearchIndexesApply(relid, name, doc, json_object_get(table, "searchIndexes"));
	VectorIndexesApply(relid, name, doc, json_object_get(table, "vectorIndexes"));
	(void) TableNumberFor(relid);
}

/* Apply a defineSchema(...).export() JSON; returns the table names as a JSON array. */
char *
SchemaApply(const char *schema_json)
{
	json_error_t jerr;
	json_t	   *root = json_loads(schema_json, 0, &jerr);
	json_t	   *tables;
	size_t		i;
	json_t	   *table;
	StringInfoData names;

	/* JSON.stringify made it, so the one thing jansson can refuse is a NUL in a name */
	if (!root)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("schema.js: the schema cannot be stored: %s", jerr.text),
				 strstr(jerr.text, "NUL") || strstr(jerr.text, "\\u0000")
				 ? errdetail("Table, field and index names may not contain the NUL character (\\u0000).") : 0));
	tables = json_object_get(root, "tables");
	initStringInfo(&names);
	appendStringInfoChar(&names, '[');
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	json_array_foreach(tables, i, table)
	{
		ApplyTable(table);
		appendStringInfo(&names, "%s\"%s\"", i ? "," : "", json_string_value(json_object_get(table, "tableName")));
	}
	SPI_finish();
	appendStringInfoChar(&names, ']');
	json_decref(root);
	return names.data;
}

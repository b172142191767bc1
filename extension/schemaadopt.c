/*
 * schemaadopt.c -- schema.js takes over a table that was made without one.
 *
 * A table created by its first insert (dbschemaless.c) keeps each
 * document's fields in one jsonb column, `_doc`. When a deploy's schema.js
 * declares such a table with an object validator, its documents move into
 * typed columns, as schema.c would have made them: every stored document is
 * first checked against the table's validator (schemacheck.c: every field,
 * nested values included), in creation order, and the first that does not
 * match refuses the deploy, naming the document's _id, the path and what
 * to do. Then one column per declared
 * field is added (nullable), filled from the documents through values.c
 * (so every Convex encoding converts as a write would), required scalar
 * columns are made NOT NULL and `_doc` is dropped. schema.c then goes on
 * with its additive migration (indexes) as for any managed table.
 *
 * Nested and union-typed fields become jsonb holding the stored Convex JSON
 * as it is.
 *
 * Runs inside the deploy's SPI connection and transaction, as the
 * deployer; a refusal rolls everything back. Memory is the deploy's: the
 * documents are read at once (a table of millions of documents is better
 * migrated by hand: ALTER TABLE, then UPDATE from `_doc`).
 */
#include "udf.h"

#include "schemaadopt.h"
#include "schemacheck.h"
#include "values.h"

#include "jansson_pg.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "access/htup_details.h"

static void CheckDocument(const char *table, const char *id, json_t *doc, json_t *document_type);

/* Is relid a table its first insert made (_id, _creationTime and a jsonb _doc, beside udf's hidden index columns)? */
bool
SchemaIsSchemaless(Oid relid)
{
	AttrNumber	doc = get_attnum(relid, "_doc");
	int			live = 0;
	int			natts;
	HeapTuple	tup;

	if (doc == InvalidAttrNumber || get_atttype(relid, doc) != JSONBOID ||
		get_attnum(relid, "_id") == InvalidAttrNumber || get_attnum(relid, "_creationTime") == InvalidAttrNumber)
		return false;
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return false;
	natts = ((Form_pg_class) GETSTRUCT(tup))->relnatts;
	ReleaseSysCache(tup);
	for (AttrNumber a = 1; a <= natts; a++)
	{
		char	   *name = get_attname(relid, a, true);

		/* udf's hidden index columns (dbhidden.c) are no fields */
		if (name != NULL && strncmp(name, "........pg.dropped.", 19) != 0 &&
			!(get_attgenerated(relid, a) && strncmp(name, "_udf_", 5) == 0))
			live++;
	}
	return live == 3;
}

/* ERROR naming the document unless it matches the table's validator (schemacheck.c). */
static void
CheckDocument(const char *table, const char *id, json_t *doc, json_t *document_type)
{
	const char *problem = SchemaCheckValue(document_type, doc, "");

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("schema.js: document %s of table \"%s\" does not match the schema: %s", id, table, problem),
				 errdetail("The table was made without a schema; declaring it in schema.js moves its documents into typed columns, so each must match."),
				 errhint("Change the validator (v.optional(...) for a field not every document has), or fix the document, then deploy again.")));
}

/*
 * Move the documents of the schemaless table relid into typed columns for
 * the declared fields (type_of gives each field's SQL type and whether it
 * is a scalar); ERROR naming the first document that does not match.
 */
void
SchemaAdoptTable(Oid relid, const char *name, json_t *document_type, SchemaFieldSqlType type_of)
{
	json_t	   *fields = json_object_get(document_type, "value");
	const char *qname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), name);
	StringInfoData sql;
	SPITupleTable *rows;
	uint64		nrows;
	const char *field;
	json_t	   *spec;
	int			nfields = json_object_size(fields);
	Oid		   *types = palloc(sizeof(Oid) * (nfields + 1));
	SPIPlanPtr	update;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT \"_id\", \"_doc\" FROM %s ORDER BY \"_creationTime\", \"_id\"", qname);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "schema.js: could not read the documents of %s", qname);
	rows = SPI_tuptable;
	nrows = SPI_processed;

	/* check every document before changing anything */
	for (uint64 r = 0; r < nrows; r++)
	{
		bool		isnull;
		char	   *id = SPI_getvalue(rows->vals[r], rows->tupdesc, 1);
		Jsonb	   *jb = DatumGetJsonbP(SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull));
		json_t	   *doc = json_loads(JsonbToCString(NULL, &jb->root, VARSIZE(jb)), JSON_DECODE_ANY, NULL);

		PG_TRY();
		{
			CheckDocument(name, id, doc, document_type);
		}
		PG_FINALLY();
		{
			json_decref(doc);
		}
		PG_END_TRY();
	}

	/* the hidden index columns computed from _doc go first (PostgreSQL would refuse to drop it); schema.c remakes them */
	DropHiddenColumnsOn(relid, "_doc");

	/* the columns, then each document's fields into them */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s", qname);
	{
		int			k = 0;

		json_object_foreach(fields, field, spec)
		{
			bool		scalar;

			types[k++] = InvalidOid;
			appendStringInfo(&sql, "%s ADD COLUMN %s %s", k > 1 ? "," : "", quote_identifier(field),
							 type_of(json_object_get(spec, "fieldType"), &scalar));
		}
		if (k == 0)
			appendStringInfoString(&sql, " DROP COLUMN \"_doc\"");
	}
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "schema.js: could not add the columns of %s", qname);
	if (nfields == 0)
		return;
	resetStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET ", qname);
	{
		int			k = 0;

		json_object_foreach(fields, field, spec)
		{
			types[k] = get_atttype(relid, get_attnum(relid, field));
			appendStringInfo(&sql, "%s%s = $%d", k ? ", " : "", quote_identifier(field), k + 1);
			k++;
		}
		types[k] = TEXTOID;
		appendStringInfo(&sql, " WHERE \"_id\" = $%d", k + 1);
	}
	update = SPI_prepare(sql.data, nfields + 1, types);
	if (update == NULL)
		elog(ERROR, "schema.js: could not prepare the migration of %s", qname);
	for (uint64 r = 0; r < nrows; r++)
	{
		bool		isnull;
		char	   *id = SPI_getvalue(rows->vals[r], rows->tupdesc, 1);
		Jsonb	   *jb = DatumGetJsonbP(SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull));
		json_t	   *doc = json_loads(JsonbToCString(NULL, &jb->root, VARSIZE(jb)), JSON_DECODE_ANY, NULL);
		Datum	   *values = palloc(sizeof(Datum) * (nfields + 1));
		char	   *nulls = palloc(nfields + 1);

		PG_TRY();
		{
			int			k = 0;

			json_object_foreach(fields, field, spec)
			{
				json_t	   *v = json_object_get(doc, field);
				bool		vnull = true;

				values[k] = v ? ConvexToDatum(v, types[k], -1, name, field, &vnull) : (Datum) 0;
				nulls[k] = v && !vnull ? ' ' : 'n';
				k++;
			}
			values[k] = CStringGetTextDatum(id);
			nulls[k] = ' ';
		}
		PG_FINALLY();
		{
			json_decref(doc);
		}
		PG_END_TRY();
		if (SPI_execute_plan(update, values, nulls, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "schema.js: could not migrate document %s of %s", id, qname);
	}

	/* required scalars NOT NULL, as schema.c makes them; the document column goes */
	resetStringInfo(&sql);
	appendStringInfo(&sql, "ALTER TABLE %s DROP COLUMN \"_doc\"", qname);
	json_object_foreach(fields, field, spec)
	{
		bool		scalar;

		(void) type_of(json_object_get(spec, "fieldType"), &scalar);
		if (scalar && !json_is_true(json_object_get(spec, "optional")))
			appendStringInfo(&sql, ", ALTER COLUMN %s SET NOT NULL", quote_identifier(field));
	}
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "schema.js: could not finish the migration of %s", qname);
}

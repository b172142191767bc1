/*
 * dbrow.c -- rows as documents and documents as rows: ctx.db's reads
 * (get, query rows, pages, what a write answers) and udf_trigger's rows
 * (trigger.c).
 *
 * One function (WriteDocument) makes every document, so a trigger's old
 * and new rows are exactly what ctx.db reads: a field per live column, in
 * the table's column order; a managed table's SQL NULL is a missing field,
 * another table's is null. An ordinary table's document starts with `_id`,
 * its single-column primary key's text form, when the key is set (a
 * managed table has an `_id` column of its own). Values are written once,
 * through writer.c (as host values or JSON text), converted by values.c.
 * A document a BEFORE ROW trigger's function returns goes the other way:
 * its fields replace the row's; an ordinary table's `_id` (the key's text
 * form) is skipped. A table without a schema (dbschemaless.c) keeps the
 * fields in its `_doc` column: they are written as the document's own.
 *
 * Table descriptions come from dbtable.c's cache (DbTableOfRelation for a
 * trigger's relation): a trigger row costs no catalog lookup once its
 * table has been seen.
 *
 * Memory: the caller's (an op's SPI memory; the trigger's). Everything here
 * may raise (type output and input functions, unknown fields).
 */
#include "db.h"

#include "access/htup_details.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * The document of one row of t: a row selected with AppendColumns (column i
 * is attribute i + 1 of desc) or a row of the table itself (desc is the
 * table's, column i is its attnum). The two agree unless the table has
 * dropped columns, and then only the table's own descriptor is longer than
 * its live columns.
 */
void
WriteDocument(ValueWriter *w, const DbTable *t, HeapTuple tup, TupleDesc desc)
{
	bool		selected = desc->natts == t->ncols;
	int			id_col = t->managed ? -1 : t->pk;	/* the column whose text is _id */
	Datum		id_value = (Datum) 0;
	bool		id_null = true;

	WriterObjectBegin(w);
	if (id_col >= 0)
	{
		id_value = heap_getattr(tup, selected ? id_col + 1 : t->cols[id_col].attnum, desc, &id_null);
		if (!id_null)
		{
			WriterKey(w, "_id");
			WriteKeyText(w, id_value, t->cols[id_col].typid);
		}
	}
	for (int i = 0; i < t->ncols; i++)
	{
		bool		isnull = id_null;	/* the key column was read above, for _id */
		Datum		d = i == id_col ? id_value : heap_getattr(tup, selected ? i + 1 : t->cols[i].attnum, desc, &isnull);

		if (isnull && t->managed)
			continue;			/* a missing field */
		if (t->schemaless && strcmp(t->cols[i].name, SCHEMALESS_DOC) == 0)
		{
			WriteSchemalessFields(w, d);	/* the document's own fields */
			continue;
		}
		WriterKey(w, t->cols[i].name);
		if (isnull)
			WriterNull(w);
		else
			WriteDatumAsConvex(w, d, t->cols[i].typid);
	}
	WriterObjectEnd(w);
}

/* A row of rel (a trigger's tuple) as a document: the document ctx.db reads. */
void
DbWriteRow(ValueWriter *w, Relation rel, HeapTuple tuple)
{
	DbTable		t;

	DbTableOfRelation(RelationGetRelid(rel), &t);
	WriteDocument(w, &t, tuple, RelationGetDescr(rel));
}

/*
 * The row a BEFORE ROW trigger's function returned: base with the fields of
 * doc (a JSON object) replaced. ERROR for fields the table has no column for.
 */
HeapTuple
DbRowFromDocument(Relation rel, HeapTuple base, const char *doc_json, const char *function)
{
	TupleDesc	desc = RelationGetDescr(rel);
	DbTable		t;
	json_error_t jerr;
	json_t	   *doc = json_loads(doc_json, 0, &jerr);
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	bool	   *replace = palloc0(sizeof(bool) * desc->natts);
	const char *field;
	json_t	   *v;

	if (!json_is_object(doc))
	{
		json_decref(doc);
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("trigger function %s must return an object (the new row), null (skip the row) or undefined (keep it)",
						function)));
	}
	PG_TRY();
	{
		DbTableOfRelation(RelationGetRelid(rel), &t);
		if (t.schemaless)
		{
			/* a table without a schema: the fields are the document */
			int			i = t.cols[FindColumn(&t, SCHEMALESS_DOC)].attnum - 1;

			values[i] = SchemalessDoc(doc, RelationGetRelationName(rel), false, NULL);
			nulls[i] = false;
			replace[i] = true;
			json_object_clear(doc);
		}
		json_object_foreach(doc, field, v)
		{
			int			c = FindColumn(&t, field);
			int			i;

			if (c < 0 && strcmp(field, "_id") == 0)
				continue;			/* the primary key's text form of an ordinary table */
			if (c < 0)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("trigger function %s returned the field \"%s\", but table \"%s\" has no such column",
								function, field, RelationGetRelationName(rel))));
			i = t.cols[c].attnum - 1;
			values[i] = ConvexToDatum(v, t.cols[c].typid, t.cols[c].typmod, RelationGetRelationName(rel), field, &nulls[i]);
			replace[i] = true;
		}
	}
	PG_FINALLY();
	{
		json_decref(doc);
	}
	PG_END_TRY();
	return heap_modify_tuple(base, desc, values, nulls, replace);
}

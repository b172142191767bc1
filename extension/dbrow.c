/*
 * dbrow.c -- rows as documents and documents as rows: ctx.db's reads
 * (get, query rows, pages, what a write answers) and udf_trigger's rows
 * (trigger.c).
 *
 * A document has a field per live column; a managed table's SQL NULL is a
 * missing field, another table's is null. An ordinary table's document
 * also has `_id`, its single-column primary key's text form, when the key
 * is set. Values are written once, through writer.c (as host values or
 * JSON text), converted by values.c. A document a BEFORE ROW trigger's
 * function returns goes the other way: its fields replace the row's, an
 * ordinary table's `_id` (the key's text form) is skipped.
 *
 * Memory: the caller's (an op's SPI memory; the trigger's). Everything here
 * may raise (type output and input functions, unknown fields).
 */
#include "db.h"

#include "access/htup_details.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* The document of one row (selected with AppendColumns). */
void
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

/* A row of rel (a trigger's tuple) as a document: the same shape ctx.db reads. */
void
DbWriteRow(ValueWriter *w, Relation rel, HeapTuple tuple)
{
	DbTable		t;
	TupleDesc	desc = RelationGetDescr(rel);
	int			col = 0;

	DbTableOfRelation(RelationGetRelid(rel), &t);
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

/*
 * dbpage.c -- ctx.db's paginate (1.0/queryPage) and its cursors.
 *
 * A page is the query's SELECT (dbquery.c: QueryOrder, BuildQuery) with
 * two more predicates: after the cursor it continues from, and up to the
 * end cursor when one is given (a page re-run over the same range), and a
 * LIMIT of the page size. The query's order must be total (it ends with the
 * primary key, or with _creationTime, _id), so "after the last row's sort
 * key" is exact and deleting documents between pages disturbs nothing.
 * Convex's rules: a page that fills exactly is not done yet (no peeking
 * ahead); one paginated query per function (CallStackMarkPaginated).
 *
 * Read limits: with maximumRowsRead or maximumBytesRead, every row of the
 * range is read through a portal, the filters being a last boolean column
 * rather than WHERE (ScanPage), so rows a filter rejects count as read, as
 * in Convex; bytes are the documents' size as they travel to V8 (what
 * LimitsCountRead counts). When a limit is reached the page ends early:
 * isDone false, pageStatus SplitRequired, a splitCursor at the middle row
 * read, and continueCursor after the last row read (so the next page does not read the rejected rows again). A page
 * that ends normally but used 3/4 of a limit, or holds more than 6144
 * documents, is SplitRecommended.
 *
 * A cursor is opaque and signed: base64 of the JSON array [table oid,
 * sort-key values as Convex JSON, with {"$undefined": null} for a missing
 * field] (any-typed fields compare through udf_sort_key, as they sort), a dot, and the hex of the first SECRET_MAC_BYTES (ids.c) of its
 * HMAC-SHA256 under the database's cursor secret (ids.c). A cursor that was
 * altered, or made for another table, is refused before any SQL runs.
 *
 * Memory is the op's; everything here may raise.
 */
#include "db.h"

#include "common/base64.h"

#define MAX_PAGE_SIZE 32000
#define SPLIT_RECOMMENDED_ITEMS 6144	/* 3/4 of 8192, as Convex */

/* What reading a page found. */
typedef struct ScanOutcome
{
	long		rows;			/* rows read, the filter's rejects included */
	long		bytes;			/* their documents' bytes */
	long		count;			/* documents in the page */
	bool		done;			/* the range ended */
	bool		split;			/* a read limit ended the page */
	HeapTuple	last;			/* the last row read, or NULL */
	HeapTuple	middle;			/* the middle row read */
	TupleDesc	tupdesc;		/* of last and middle */
} ScanOutcome;

static char *EncodeCursor(const QueryBuild *b, HeapTuple tup, TupleDesc desc);
static json_t *DecodeCursor(const QueryBuild *b, const char *cursor);
static char *AfterCursor(QueryBuild *b, json_t *keys);
static char *CursorCondition(QueryBuild *b, const char *cursor);
static void ScanPage(QueryBuild *b, const char *sql, long want, long max_rows, long max_bytes,
					 ValueWriter *res, ScanOutcome *o);

/* An opaque cursor: the sort-key values after which the next page starts, signed. */
static char *
EncodeCursor(const QueryBuild *b, HeapTuple tup, TupleDesc desc)
{
	const DbTable *t = b->t;
	ValueWriter w;
	StringInfo	payload = &w.buf;
	StringInfoData cursor;
	ListCell   *lc;
	int			enclen;
	char	   *b64;

	WriterInit(&w, false);
	WriterArrayBegin(&w);
	WriterFloat(&w, t->relid);
	foreach(lc, b->order_cols)
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
	appendStringInfo(&cursor, "%s.%s", b64, SecretMac(payload->data));
	return cursor.data;
}

/* The sort-key values of a cursor; ERROR if it was not made by udf for this query's table. */
static json_t *
DecodeCursor(const QueryBuild *b, const char *cursor)
{
	int			nkeys = list_length(b->order_cols);
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
	if (strcmp(SecretMac(payload), dot + 1) != 0)
		goto invalid;
	keys = json_loads(payload, 0, NULL);
	if (!json_is_array(keys) || json_array_size(keys) != (size_t) nkeys + 1 ||
		json_integer_value(json_array_get(keys, 0)) != (json_int_t) b->t->relid)
	{
		json_decref(keys);
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"InvalidCursor: this cursor belongs to a different query; use the cursor from the same paginated query");
	}
	return keys;
invalid:
	DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidCursor: the cursor was not made by udf or has been altered");
}

/* SQL for "the row comes after this cursor"; the decoded keys are freed, errors included. */
static char *
CursorCondition(QueryBuild *b, const char *cursor)
{
	json_t	   *keys = DecodeCursor(b, cursor);
	char	   *sql = NULL;

	PG_TRY();
	{
		sql = AfterCursor(b, keys);
	}
	PG_FINALLY();
	{
		json_decref(keys);
	}
	PG_END_TRY();
	return sql;
}

/* SQL for "the row comes after the cursor" in the query's order (NULLs first ascending). */
static char *
AfterCursor(QueryBuild *b, json_t *keys)
{
	List	   *order_cols = b->order_cols;
	bool		desc = b->desc;
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

		if (ColumnUsesSortKey(b->t, c))
		{
			/* an any-typed field: compare sort keys, which are never NULL (undefined has one) */
			col = OrderColumnSql(b->t, c);
			param = AddParam(b->p, SortKeyOfLiteral(v, b->t->name, lfirst(lc)), BYTEAOID, false);
			is_null = false;
		}
		else if (!is_null)
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

/*
 * The rows of a page under read limits: every row of the range is read
 * through a portal (filters as the last column, BuildQuery), counted in
 * rows and document bytes, and the page ends when it holds want documents,
 * when the range ends (*done), or when a limit is reached (*split). The
 * documents go into res; *last and *middle are the last and the middle row
 * read (for the cursors), *count the documents written.
 */
static void
ScanPage(QueryBuild *b, const char *sql, long want, long max_rows, long max_bytes, ValueWriter *res,
		 ScanOutcome *o)
{
	const DbTable *t = b->t;
	Portal		portal = SPI_cursor_open(NULL, SavedPlanFor(sql, b->p), b->p->values, b->p->nulls, false);
	TupleDesc	doc_desc = NULL;
	List	   *read = NIL;		/* every row read: the tuples live until the op's SPI ends */
	ValueWriter scratch;

	WriterInit(&scratch, true);
	memset(o, 0, sizeof(*o));
	for (;;)
	{
		SPITupleTable *batch;

		SPI_cursor_fetch(portal, true, 64);
		batch = SPI_tuptable;
		if (SPI_processed == 0)
		{
			o->done = true;
			break;
		}
		if (doc_desc == NULL)
		{
			/* the document is the columns before the filter's */
			doc_desc = CreateTupleDescCopy(batch->tupdesc);
			doc_desc->natts = t->ncols;
		}
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tup = batch->vals[i];
			bool		isnull;
			bool		match = DatumGetBool(SPI_getbinval(tup, batch->tupdesc, t->ncols + 1, &isnull));
			int			bytes;

			o->tupdesc = batch->tupdesc;
			read = lappend(read, tup);
			o->rows++;
			if (match)
			{
				int			before = res->buf.len;

				WriteDocument(res, t, tup, doc_desc);
				bytes = res->buf.len - before;
				o->count++;
			}
			else
			{
				resetStringInfo(&scratch.buf);
				WriteDocument(&scratch, t, tup, doc_desc);
				bytes = scratch.buf.len;	/* read, though the filter rejects it */
			}
			LimitsCountRead(bytes);
			o->bytes += bytes;
			if (o->count >= want)
				goto out;		/* the page is full: Convex does not peek ahead */
			if ((max_rows > 0 && o->rows >= max_rows) || (max_bytes > 0 && o->bytes >= max_bytes))
			{
				o->split = true;
				goto out;
			}
		}
	}
out:
	SPI_cursor_close(portal);
	if (read != NIL)
	{
		o->last = llast(read);
		o->middle = list_nth(read, (list_length(read) - 1) / 2);
	}
}

/* 1.0/queryPage {query, cursor, endCursor, pageSize, maximumRowsRead, maximumBytesRead} -> {page, isDone, continueCursor, ...} */
void
OpQueryPage(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	json_t	   *source = json_object_get(query, "source");
	const char *cursor = OptString(root, "cursor");
	const char *end_cursor = OptString(root, "endCursor");
	json_t	   *page_size_json = json_object_get(root, "pageSize");
	json_t	   *max_rows_json = json_object_get(root, "maximumRowsRead");
	json_t	   *max_bytes_json = json_object_get(root, "maximumBytesRead");
	long		page_size = json_is_number(page_size_json) ? (long) json_number_value(page_size_json) : -1;
	long		max_rows = json_is_number(max_rows_json) ? (long) json_number_value(max_rows_json) : -1;
	long		max_bytes = json_is_number(max_bytes_json) ? (long) json_number_value(max_bytes_json) : -1;
	long		want;
	DbTable		t;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b = {.t = &t, .p = p};
	StringInfoData extra;
	ValueWriter res;
	char	   *sql;
	ScanOutcome o;
	const char *status = NULL;

	if (!end_cursor && page_size <= 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "NoDocumentsForPagination: Must request at least 1 document while paginating");
	if (page_size > MAX_PAGE_SIZE)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "PageSizeTooLarge: a page may hold at most %d documents", MAX_PAGE_SIZE);
	if (max_rows == 0 || (json_is_number(max_rows_json) && max_rows < 0))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidPaginationLimit: maximumRowsRead must be at least 1");
	if (max_bytes == 0 || (json_is_number(max_bytes_json) && max_bytes < 0))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidPaginationLimit: maximumBytesRead must be at least 1");
	if (CallStackMarkPaginated())
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"MultiplePaginatedDatabaseQueries: This query or mutation function ran multiple paginated queries. "
				"Convex only supports a single paginated query in each function.");
	if (!ResolveQueryTable(source, &t))
	{
		/* a table without a schema before its first insert: an empty, finished page */
		WriterInit(&res, true);
		WriterObjectBegin(&res);
		WriterKey(&res, "page");
		WriterArrayBegin(&res);
		WriterArrayEnd(&res);
		WriterKey(&res, "isDone");
		WriterBool(&res, true);
		WriterKey(&res, "continueCursor");
		WriterCString(&res, cursor ? cursor : EncodeCursor(&b, NULL, NULL));
		WriterObjectEnd(&res);
		ResultFromWriter(out, &res);
		return;
	}
	QueryOrder(&b, source);
	if (b.order_cols == NIL)
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"paginate() needs an order: table \"%s\" has no primary key; use withIndex", t.name);
	initStringInfo(&extra);
	if (cursor)
		appendStringInfoString(&extra, CursorCondition(&b, cursor));
	if (end_cursor)
		appendStringInfo(&extra, "%sNOT %s", extra.len ? " AND " : "", CursorCondition(&b, end_cursor));
	want = end_cursor ? MAX_PAGE_SIZE : page_size;
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "page");
	WriterArrayBegin(&res);
	LimitsCountQuery();
	if (max_rows > 0 || max_bytes > 0)
	{
		/* read limits: read every row of the range, filtered or not, and count it */
		b.filter_column = true;
		sql = BuildQuery(&b, query, extra.len ? extra.data : NULL, max_rows > 0 ? max_rows : -1);
		ScanPage(&b, sql, want, max_rows, max_bytes, &res, &o);
	}
	else
	{
		/* no read limits: the filters in WHERE, the page a LIMIT */
		sql = BuildQuery(&b, query, extra.len ? extra.data : NULL, want);
		Execute(sql, p, false, 0);
		memset(&o, 0, sizeof(o));
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			int			before = res.buf.len;

			WriteDocument(&res, &t, SPI_tuptable->vals[i], SPI_tuptable->tupdesc);
			LimitsCountRead(res.buf.len - before);
			o.bytes += res.buf.len - before;
		}
		o.count = o.rows = SPI_processed;
		o.done = (long) SPI_processed < want;
		o.tupdesc = SPI_tuptable->tupdesc;
		if (SPI_processed > 0)
		{
			o.last = SPI_tuptable->vals[SPI_processed - 1];
			o.middle = SPI_tuptable->vals[(SPI_processed - 1) / 2];
		}
	}
	WriterArrayEnd(&res);
	/* Convex does not peek ahead: a page that fills exactly is not done yet */
	WriterKey(&res, "isDone");
	WriterBool(&res, o.done && !end_cursor);
	WriterKey(&res, "continueCursor");
	if (o.last)
		WriterCString(&res, EncodeCursor(&b, o.last, o.tupdesc));
	else if (cursor)
		WriterCString(&res, cursor);
	else
		WriterCString(&res, EncodeCursor(&b, NULL, NULL));
	/* a limit stopped the page; or it came near one (3/4), or it is long */
	if (o.split)
		status = "SplitRequired";
	else if (o.last && !o.done &&
			 (o.count > SPLIT_RECOMMENDED_ITEMS ||
			  (max_rows > 0 && o.rows * 4 >= max_rows * 3) || (max_bytes > 0 && o.bytes * 4 >= max_bytes * 3)))
		status = "SplitRecommended";
	if (status)
	{
		WriterKey(&res, "pageStatus");
		WriterCString(&res, status);
		WriterKey(&res, "splitCursor");
		WriterCString(&res, EncodeCursor(&b, o.middle, o.tupdesc));
	}
	WriterObjectEnd(&res);
	ResultFromWriter(out, &res);
}

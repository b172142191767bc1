/*
 * dbquery.c -- ctx.db's reads: a query's order and its SELECT, db.get,
 * count, normalizeId, and queries streamed through portals
 * (queryStream / queryStreamNext / queryCleanup).
 *
 * A serialized query ({source, operators}) compiles to one SELECT:
 * QueryOrder gives its order (the withIndex index's columns, or
 * _creationTime, _id for a managed table's full scan, or the primary key),
 * BuildQuery the statement, with the index range and the filters from
 * dbfilter.c, ORDER BY the order (NULLs, i.e. missing fields, first
 * ascending as undefined sorts in Convex), the smallest take() as LIMIT,
 * and FOR UPDATE in a mutation. paginate (dbpage.c) builds on the same two.
 *
 * Open queries: queryStream opens a portal on the saved plan and hands
 * back a small integer id; queryStreamNext fetches one row per call. The
 * state of the open queries of this transaction (queryId -> the portal's
 * name and a copy of the table's description) lives in a context under
 * TopTransactionContext, one small child per query, freed when the query
 * is done or cleaned up; portals end with the transaction, so at its end
 * the table is emptied and the memory goes with the transaction. A portal
 * SPI no longer finds (closed by a rolled-back subtransaction) frees its
 * slot.
 *
 * withSearchIndex queries get their SELECT from dbsearch.c; their rows carry
 * a rank, a candidate number and a sentinel flag after the document's
 * columns, and fetching the sentinel is Convex's "scanned too many" error.
 *
 * Everything here may raise; nothing reaches V8.
 */
#include "db.h"

#include "access/xact.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/portal.h"

#define MAX_QUERIES 256

#define QUERY_BATCH_MAX 1024

/* An open query: its portal and what its rows are documents of. */
typedef struct OpenQueryState
{
	MemoryContext cxt;			/* owns this struct and everything it points to */
	char	   *portal_name;
	DbTable		table;
	bool		finished;		/* its portal is done and closed; the id stays until cleanup */
	int			batch_n;		/* rows of the last batch (db/queryNext) */
	uint32	   *batch_bytes;	/* their read sizes, for uncounting rows never seen */
	char	   *held;			/* a fetched row past the byte limit: the next batch counts it first */
	int			held_len;
	bool		search;			/* a withSearchIndex query: rows carry dbsearch.c's columns */
	bool		over;			/* a search batch stopped at the sentinel: the next one raises */
} OpenQueryState;

static inline bool InMutation(void);
static void OpenQueriesAtXactEnd(XactEvent event, void *arg);
static void ForgetQuery(int id);
static int	RememberQuery(Portal portal, const DbTable *t, bool search);
static Portal OpenQuery(json_t *root, int *id_out);

static OpenQueryState *open_queries[MAX_QUERIES];
static MemoryContext open_queries_cxt = NULL;
static bool open_queries_callback = false;

/* Is the running function a mutation? (Reads in one lock their rows.) */
static inline bool
InMutation(void)
{
	const char *kind = CallStackKind();

	return kind && strcmp(kind, "mutation") == 0;
}


/*
 * The order of a query's rows, into b: the withIndex index and its columns,
 * or for a full table scan _creationTime, _id (managed) or the primary key
 * (NIL when there is none); and the direction. ERROR for other sources.
 */
void
QueryOrder(QueryBuild *b, json_t *source)
{
	const char *type = OptString(source, "type");
	const char *order = OptString(source, "order");

	b->desc = order && strcmp(order, "desc") == 0;
	b->index_name = NULL;
	if (type && strcmp(type, "IndexRange") == 0)
	{
		b->index_name = QueryIndexName(source);
		b->order_cols = IndexColumns(b->t, b->index_name);
	}
	else if (type && strcmp(type, "FullTableScan") == 0)
	{
		if (b->t->managed)
			b->order_cols = list_make2(pstrdup("_creationTime"), pstrdup("_id"));
		else if (b->t->pk >= 0)
			b->order_cols = list_make1(pstrdup(b->t->cols[b->t->pk].name));
		else
			b->order_cols = NIL;
	}
	else
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "udf does not support %s queries yet", type ? type : "this kind of");
}

/*
 * The SELECT of a serialized query, in the order QueryOrder put into b.
 * extra_where, if set, is ANDed in (pagination cursors); max_rows >= 0 caps
 * the LIMIT. With b->filter_column the filters are not in WHERE but a last
 * boolean column, so every row of the range is read (paginate's read limits
 * count rows a filter rejects).
 */
char *
BuildQuery(QueryBuild *b, json_t *query, const char *extra_where, long max_rows)
{
	json_t	   *operators = json_object_get(query, "operators");
	StringInfoData where;
	StringInfoData filters;
	StringInfoData sql;
	long		limit = -1;
	size_t		i;
	json_t	   *op;
	ListCell   *lc;
	bool		first;

	initStringInfo(&where);
	initStringInfo(&filters);
	if (b->index_name)
		TranslateRange(b, json_object_get(json_object_get(query, "source"), "range"), &where);
	json_array_foreach(operators, i, op)
	{
		json_t	   *f = json_object_get(op, "filter");
		json_t	   *l = json_object_get(op, "limit");

		if (f)
		{
			StringInfo	into = b->filter_column ? &filters : &where;

			if (into->len)
				appendStringInfoString(into, " AND ");
			TranslateExpr(b, f, into);
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
	if (b->filter_column)
		appendStringInfo(&sql, ", coalesce((%s), false)", filters.len ? filters.data : "true");
	appendStringInfo(&sql, " FROM %s", b->t->sql);
	if (where.len)
		appendStringInfo(&sql, " WHERE %s", where.data);
	first = true;
	foreach(lc, b->order_cols)
	{
		/*
		 * NULLs (missing fields) sort first ascending, like undefined in
		 * Convex; any-typed fields by their sort key (undefined's is the
		 * least), in Convex's total order, as their index has them
		 */
		int			c = FindColumn(b->t, lfirst(lc));

		if (c >= 0 && ColumnUsesSortKey(b->t, c))
			appendStringInfo(&sql, "%s%s %s", first ? " ORDER BY " : ", ", OrderColumnSql(b->t, c),
							 b->desc ? "DESC" : "ASC");
		else
			appendStringInfo(&sql, "%s%s %s", first ? " ORDER BY " : ", ", quote_identifier(lfirst(lc)),
							 b->desc ? "DESC NULLS LAST" : "ASC NULLS FIRST");
		first = false;
	}
	if (limit >= 0)
		appendStringInfo(&sql, " LIMIT %ld", limit);
	if (InMutation() && b->t->lockable)
		appendStringInfoString(&sql, " FOR UPDATE");
	return sql.data;
}

/* The document id of table (NULL: the id's own) into doc, or null when there is none. */
static void
GetDocument(const char *table, const char *id, ValueWriter *doc)
{
	DbTable		t;
	Datum		key;
	SqlParams	p = {0};
	bool		for_update;
	int			param;
	const char *sql;

	if (!LocateIdText("get", table, id, &t, &key, true))
	{
		WriterNull(doc);
		return;
	}
	for_update = InMutation() && t.lockable;
	param = AddParam(&p, key, KeyType(&t), false);
	/* the text depends on the table's description alone: kept beside it in the table cache */
	sql = t.get_sql ? t.get_sql[for_update ? 1 : 0] : NULL;
	if (sql == NULL)
	{
		StringInfoData text;

		initStringInfo(&text);
		appendStringInfoString(&text, "SELECT ");
		AppendColumns(&text, &t);
		appendStringInfo(&text, " FROM %s WHERE %s = $%d", t.sql, quote_identifier(t.cols[t.pk].name), param);
		if (for_update)
			appendStringInfoString(&text, " FOR UPDATE");
		TableCacheKeepGetSql(&t, for_update, text.data);
		sql = text.data;
	}
	LimitsCountQuery();
	Execute(sql, &p, false, 1);
	if (SPI_processed == 1)
	{
		size_t		before = doc->buf.len;

		WriteDocument(doc, &t, SPI_tuptable->vals[0], SPI_tuptable->tupdesc);
		LimitsCountRead(doc->buf.len - before);
	}
	else
		WriterNull(doc);
}

/* 1.0/get {id, isSystem, table?} -> document or null */
void
OpGet(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *id = json_object_get(root, "id");
	ValueWriter doc;

	if (!json_is_string(id))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Invalid argument `id` for `db.get`, expected string but got '%s'", ConvexTypeName(id));
	WriterInit(&doc, true);
	GetDocument(OptString(root, "table"), json_string_value(id), &doc);
	ResultFromWriter(out, &doc);
}

/*
 * 1.0/get as a typed op (table or null, id) -> [document or null, plain]:
 * the runtime's db.get, with no JSON either way; plain says the document
 * needs no Convex decoding.
 */
void
OpGetTyped(const UdfV8Arg *args, UdfV8HostResult *out)
{
	const char *id = OpArgString(args, 1);
	ValueWriter doc;

	if (id == NULL)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"Invalid argument `id` for `db.get`, expected string but got 'null'");
	WriterInit(&doc, true);
	WriterArrayBegin(&doc);
	GetDocument(OpArgString(args, 0), id, &doc);
	WriterBool(&doc, !doc.tagged);
	WriterArrayEnd(&doc);
	ResultFromWriter(out, &doc);
}

/* 1.0/count {table} -> number */
void
OpCount(json_t *root, size_t len, UdfV8HostResult *out)
{
	DbTable		t;
	SqlParams	p = {0};
	bool		isnull;

	if (!ResolveTableIfExists(OptString(root, "table"), &t))
	{
		out->result = "0";		/* a table without a schema, before its first insert */
		return;
	}
	/* not read-only: a mutation counts its own writes, as every other read sees them */
	Execute(psprintf("SELECT pg_catalog.count(*) FROM %s", t.sql), &p, false, 1);
	out->result = psprintf(INT64_FORMAT,
						   DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
}

/* 1.0/db/normalizeId {table, idString} -> {id} */
void
OpNormalizeId(json_t *root, size_t len, UdfV8HostResult *out)
{
	const char *table = OptString(root, "table");
	const char *id = OptString(root, "idString");
	DbTable		t;
	uint32		number;
	StringInfoData res;

	initStringInfo(&res);
	appendStringInfoString(&res, "{\"id\":");
	if (!ResolveTableIfExists(table, &t))
		appendStringInfoString(&res, "null");	/* no table yet, so no id of it */
	else if (id && t.managed && IdDecode(id, &number) && number == TableNumberFor(t.relid))
		escape_json(&res, id);
	else if (id && !t.managed && t.pk >= 0)
		escape_json(&res, id);	/* any text form of the key names a row */
	else
		appendStringInfoString(&res, "null");
	appendStringInfoChar(&res, '}');
	out->result = res.data;
}

/* 1.0/queryStream {query} -> {queryId} */
void
OpQueryStream(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	json_t	   *source = json_object_get(query, "source");
	DbTable		t;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b = {.t = &t, .p = p};
	char	   *sql;
	Portal		portal;

	bool		search = IsSearchSource(source);

	if (!ResolveQueryTable(source, &t))
		sql = "SELECT WHERE false";	/* no table yet: no documents */
	else if (search)
		sql = BuildSearchQuery(&b, query, NULL, true, -1);
	else
	{
		QueryOrder(&b, source);
		sql = BuildQuery(&b, query, NULL, -1);
	}
	LimitsCountQuery();
	portal = SPI_cursor_open(NULL, SavedPlanFor(sql, p), p->values, p->nulls, SnapshotReads());
	out->result = psprintf("{\"queryId\":%d}", RememberQuery(portal, &t, search));
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
RememberQuery(Portal portal, const DbTable *t, bool search)
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
		if (open_queries[i] == NULL ||
			(!open_queries[i]->finished && SPI_cursor_find(open_queries[i]->portal_name) == NULL))
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
	q->search = search;
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
void
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
		TupleDesc	desc = SPI_tuptable->tupdesc;

		if (open_queries[id]->search)
		{
			if (SearchRowIsSentinel(SPI_tuptable->vals[0], desc))
				SearchScannedTooMany();
			desc = SearchDocumentDesc(desc, open_queries[id]->table.ncols);
		}
		WriteDocument(&res, &open_queries[id]->table, SPI_tuptable->vals[0], desc);
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

/* 1.0/queryCleanup {queryId, unread?} -> bool; unread: rows of the last batch the function never saw */
void
OpQueryCleanup(json_t *root, size_t len, UdfV8HostResult *out)
{
	int			id;
	Portal		portal;
	json_t	   *unread = json_object_get(root, "unread");

	portal = OpenQuery(root, &id);
	if (portal)
		SPI_cursor_close(portal);
	if (id >= 0 && id < MAX_QUERIES && open_queries[id])
	{
		OpenQueryState *q = open_queries[id];
		int			n = json_is_integer(unread) ? (int) Min(json_integer_value(unread), q->batch_n) : 0;
		uint64		bytes = 0;

		for (int i = q->batch_n - n; i < q->batch_n; i++)
			bytes += q->batch_bytes[i];
		if (n > 0)
			LimitsUncountRead(n, bytes);
		ForgetQuery(id);
	}
	out->result = portal ? "true" : "false";
}

/*
 * Typed op db/queryNext(queryId, max) -> {rows, done, plain}: the next rows
 * of an open query, up to max (at most QUERY_BATCH_MAX), as host values.
 * The runtime hands them to the package one by one, or a batch at a time
 * to collect(). Read limits stay exact: no more rows are fetched than the
 * document limit allows, a row past the byte limit is held back and counted
 * (so refused) first by the next batch, and rows a batch delivered that the
 * function never saw are uncounted at cleanup. plain: no row needs Convex
 * decoding (jsonToConvex would give the same values).
 */
void
OpQueryNext(const UdfV8Arg *args, UdfV8HostResult *out)
{
	int			id = (int) OpArgNumber(args, 0);
	int			max = (int) Max(1, Min(OpArgNumber(args, 1), QUERY_BATCH_MAX));
	OpenQueryState *q = id >= 0 && id < MAX_QUERIES ? open_queries[id] : NULL;
	Portal		portal = q && !q->finished ? SPI_cursor_find(q->portal_name) : NULL;
	ValueWriter res;
	int64		wanted;
	int			delivered = 0;
	bool		done;

	if (portal == NULL)
		DbError(ERRCODE_INVALID_CURSOR_NAME, "This query is closed and can't emit any more values.");
	if (q->over)
		SearchScannedTooMany();	/* the function asks for the row after the last candidate */
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "rows");
	WriterArrayBegin(&res);
	if (q->batch_bytes == NULL)
		q->batch_bytes = MemoryContextAlloc(q->cxt, sizeof(uint32) * QUERY_BATCH_MAX);
	if (q->held)
	{
		/* the row the last batch held back: past the byte limit, so this raises */
		LimitsCountRead(q->held_len);
		appendBinaryStringInfo(&res.buf, q->held, q->held_len);
		res.level[res.depth - 1].count++;
		q->batch_bytes[delivered++] = q->held_len;
		pfree(q->held);
		q->held = NULL;
	}
	/* never fetch past the document limit: the row after it is fetched alone, and refused */
	wanted = Max(1, Min(max - delivered, LimitsDocumentsLeft()));
	SPI_cursor_fetch(portal, true, wanted);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		WriterMark mark;
		int			size;
		TupleDesc	desc = SPI_tuptable->tupdesc;

		if (q->search)
		{
			/* the sentinel: an error when the function reads past the rows before it */
			if (SearchRowIsSentinel(SPI_tuptable->vals[i], desc))
			{
				if (delivered == 0)
					SearchScannedTooMany();
				q->over = true;
				break;
			}
			desc = SearchDocumentDesc(desc, q->table.ncols);
		}
		WriterMarkHere(&res, &mark);
		WriteDocument(&res, &q->table, SPI_tuptable->vals[i], desc);
		size = res.buf.len - mark.len;
		if (delivered > 0 && !LimitsReadFits(size))
		{
			/* hold it for the next batch, where counting it raises at this very row */
			q->held = MemoryContextAlloc(q->cxt, size);
			memcpy(q->held, res.buf.data + mark.len, size);
			q->held_len = size;
			WriterRewind(&res, &mark);
			break;
		}
		LimitsCountRead(size);
		q->batch_bytes[delivered++] = size;
	}
	WriterArrayEnd(&res);
	q->batch_n = delivered;
	done = SPI_processed < (uint64) wanted && q->held == NULL && !q->over;
	WriterKey(&res, "done");
	WriterBool(&res, done);
	WriterKey(&res, "plain");
	WriterBool(&res, !res.tagged);
	WriterObjectEnd(&res);
	if (done)
	{
		SPI_cursor_close(portal);
		q->finished = true;
	}
	ResultFromWriter(out, &res);
}

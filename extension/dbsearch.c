/*
 * dbsearch.c -- text search: schema.js's searchIndex, and queries through
 * withSearchIndex (queryStream and paginate), on PostgreSQL full-text search.
 *
 * An index searchIndex(name, {searchField, filterFields}) of table T is a
 * stored generated column "_udf_search_<name>" of type tsvector, computed by
 * PostgreSQL from the search field, and a GIN index "T__<name>" on it: every
 * insert, patch and replace keeps it current in the writer's own
 * transaction, so a search sees the function's own writes, as Convex's do.
 * The column is hidden from documents (dbtable.c leaves out generated
 * columns named "_udf_..."); SQL sees it. The search field is a top-level
 * string field or a dotted path into nested objects ("meta.body"), of a
 * typed table or of one that keeps documents whole in `_doc`; a document
 * whose path is missing or holds no string is not matched (dbhidden.c
 * makes the column; filter fields may be dotted paths too, compared as
 * dbfilter.c compares them).
 *
 * Terms: Convex splits text with Tantivy's SimpleTokenizer (runs of letters
 * and digits), lowercases, and drops tokens of 32 bytes or more. The column
 * is to_tsvector('simple', ...) of the text with every run of other
 * characters turned into a space, so PostgreSQL's parser sees those same
 * runs, and the 'simple' dictionary lowercases them without stemming or stop
 * words. The query text goes through the same expression (one small SQL
 * call); its first 16 tokens of fewer than 32 bytes are the terms (Convex
 * ignores the rest), the last one matched as a prefix, the terms ORed.
 *
 * A search query is, as in Convex: the best MAX_CANDIDATES documents that
 * match a term and the eq filters, in relevance order (ts_rank with length
 * normalization, descending; then the newest first; then _id); the query's
 * .filter() operators apply to those candidates only; reading past the last
 * of MAX_CANDIDATES candidates is SearchQueryScannedTooManyDocumentsError.
 * The SQL yields the candidates that pass, numbered, and after them one
 * sentinel row when there are MAX_CANDIDATES candidates: whoever fetches the
 * sentinel (a stream, or a page that has not filled yet) raises the error.
 *
 * Pages: the cursor is the last row's sort key (rank, _creationTime, _id),
 * signed as dbpage.c's cursors are (HMAC under the database's cursor
 * secret), marked as a search cursor of this table.
 *
 * The index definitions come from the live deployment's schema JSON. Memory
 * is the op's (SPI); the schema's jansson tree is freed on every path.
 * Everything here may raise; nothing reaches V8.
 */
#include "db.h"

#include "schemacheck.h"

#include "common/base64.h"
#include "utils/lsyscache.h"

#define MAX_CANDIDATES 1024
#define MAX_QUERY_TERMS 16
#define MAX_TERM_BYTES 32
#define MAX_FILTER_CONDITIONS 8
#define MAX_PAGE_SIZE 32000

/*
 * The document text expression of a search column, on the quoted field f.
 * Which characters are letters is the database's LC_CTYPE's say, not the
 * field's collation ("C", byte order, for which only ASCII letters are
 * letters): hence COLLATE "default".
 */
#define SEARCH_VECTOR_SQL "pg_catalog.to_tsvector('pg_catalog.simple'::pg_catalog.regconfig, " \
	"pg_catalog.regexp_replace(COALESCE(%s, '') COLLATE pg_catalog.\"default\", '[^[:alnum:]]+', ' ', 'g'))"

/* One term of the query text, in the order of the text. */
typedef struct SearchTerm
{
	char	   *lexeme;
} SearchTerm;

static bool SpecFromJson(json_t *ix, const char *field_key, DbIndexSpec *spec);
static char *SearchColumn(const char *index);
static char *TsQueryOf(const char *text);
static char *SearchCandidates(QueryBuild *b, json_t *source);
static char *EncodeSearchCursor(Oid relid, HeapTuple tup, TupleDesc desc, int ncols);
static char *SearchCursorCondition(QueryBuild *b, const char *cursor);

/* ------------------------------------------------------------ schema.js */

/* The hidden tsvector column of a search index. */
static char *
SearchColumn(const char *index)
{
	return psprintf(UDF_HIDDEN_PREFIX "search_%s", index);
}

/* ERROR unless path is a dotted field path: names that are not empty, joined by single dots. */
void
IndexFieldPathCheck(const char *kind, const char *index, const char *table, const char *what, const char *path)
{
	size_t		len = path ? strlen(path) : 0;

	if (len == 0 || path[0] == '.' || path[len - 1] == '.' || strstr(path, "..") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("schema.js: %s index \"%s\" of table \"%s\": %s \"%s\" is not a field path",
						kind, index, table, what, path ? path : "?"),
				 errhint("Name a field (\"body\") or a dotted path into nested objects (\"meta.body\").")));
}

/* ERROR unless a filter field of an index names a field the table's documents can have. */
void
IndexFilterFieldsCheck(const char *kind, const char *index, const char *table, json_t *document_type,
					   json_t *filters, bool creation_time)
{
	size_t		k;
	json_t	   *f;

	if (json_array_size(filters) > 16)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("schema.js: %s index \"%s\" of table \"%s\" has %zu filterFields; at most 16 are allowed",
						kind, index, table, json_array_size(filters))));
	json_array_foreach(filters, k, f)
	{
		const char *ff = json_string_value(f);

		if (ff && creation_time && strcmp(ff, "_creationTime") == 0)
			continue;
		IndexFieldPathCheck(kind, index, table, "filter field", ff);
		if (document_type && SchemaPathHolds(document_type, ff) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("schema.js: %s index \"%s\" of table \"%s\": filter field \"%s\" is not a field of the table",
							kind, index, table, ff),
					 errhint("List fields of the table in filterFields: a top-level field, or a dotted path into a nested object (\"meta.channel\").")));
	}
}

/*
 * Make the search indexes of one table of schema.js (its documents of
 * document_type): check each definition, add its generated column and GIN
 * index, remake them if the index now searches another field, and drop
 * those of indexes schema.js no longer has. Runs inside schema.c's SPI
 * connection.
 */
void
SearchIndexesApply(Oid relid, const char *table, json_t *document_type, json_t *indexes)
{
	size_t		i;
	json_t	   *ix;
	const char *qtable = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												   get_rel_name(relid));
	List	   *wanted = NIL;

	json_array_foreach(indexes, i, ix)
	{
		const char *name = OptString(ix, "indexDescriptor");
		const char *field = OptString(ix, "searchField");
		int			holds;
		char	   *column;
		char	   *value;
		const char *legacy = NULL;

		NameCheckIdentifier("index", name ? name : "");
		IndexFieldPathCheck("search", name, table, "searchField", field);
		holds = document_type ? SchemaPathHolds(document_type, field) : PATH_HOLDS_ANY;
		if (!(holds & (PATH_HOLDS_STRING | PATH_HOLDS_ANY)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("schema.js: search index \"%s\" of table \"%s\": searchField \"%s\" is %s",
							name, table, field, holds ? "not a string field of the table" : "not a field of the table"),
					 errhint("Give searchField a v.string() or v.optional(v.string()) field, top-level (\"body\") or "
							 "a dotted path into nested objects (\"meta.body\").")));
		IndexFilterFieldsCheck("search", name, table, document_type, json_object_get(ix, "filterFields"), true);
		column = SearchColumn(name);
		wanted = lappend(wanted, column);
		value = PathValueSql(relid, "udf_path_text", field);
		if (value == NULL)
		{
			/* a top-level string field: its own text column */
			AttrNumber	att = get_attnum(relid, field);

			if (att == InvalidAttrNumber || get_atttype(relid, att) != TEXTOID)
				elog(ERROR, "schema.js: the search field \"%s\" of table \"%s\" has no text column", field, table);
			value = (char *) quote_identifier(field);
			legacy = field;
		}
		if (HiddenColumnIsCurrent(relid, column, psprintf("searchField %s", field), legacy))
			continue;			/* already there, on the same field */
		HiddenColumnMake(relid, qtable, column, "tsvector", psprintf(SEARCH_VECTOR_SQL, value),
						 psprintf("searchField %s", field));
		Execute(psprintf("CREATE INDEX %s ON %s USING gin (%s)",
						 quote_identifier(psprintf("%s__%s", table, name)), qtable, quote_identifier(column)),
				&(SqlParams) {0}, false, 0);
	}
	HiddenColumnsDropStale(relid, qtable, UDF_HIDDEN_PREFIX "search_", wanted);
}

/* ------------------------------------------------------------ index definitions */

/* Copy one searchIndexes/vectorIndexes entry into spec; false if it is malformed. */
static bool
SpecFromJson(json_t *ix, const char *field_key, DbIndexSpec *spec)
{
	json_t	   *filters = json_object_get(ix, "filterFields");
	size_t		k;
	json_t	   *f;

	if (!OptString(ix, field_key))
		return false;
	spec->field = pstrdup(OptString(ix, field_key));
	spec->dimensions = (int) json_integer_value(json_object_get(ix, "dimensions"));
	spec->filter_fields = NIL;
	json_array_foreach(filters, k, f)
		if (json_is_string(f))
		spec->filter_fields = lappend(spec->filter_fields, pstrdup(json_string_value(f)));
	return true;
}

/*
 * The definition of table t's index of one kind ("searchIndexes" or
 * "vectorIndexes") in the live deployment's schema.js; false if there is none.
 */
bool
FindIndexSpec(const DbTable *t, const char *kind, const char *index, DbIndexSpec *spec)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	const char *relname = get_rel_name(t->relid);
	json_t	   *root;
	json_t	   *table;
	size_t		i;
	bool		found = false;

	if (!dep->schema || !t->managed || !index)
		return false;
	root = json_loads(dep->schema, 0, NULL);
	json_array_foreach(json_object_get(root, "tables"), i, table)
	{
		size_t		k;
		json_t	   *ix;

		if (!OptString(table, "tableName") || strcmp(OptString(table, "tableName"), relname) != 0)
			continue;
		json_array_foreach(json_object_get(table, kind), k, ix)
			if (OptString(ix, "indexDescriptor") && strcmp(OptString(ix, "indexDescriptor"), index) == 0)
			found = SpecFromJson(ix, strcmp(kind, "vectorIndexes") == 0 ? "vectorField" : "searchField", spec);
	}
	json_decref(root);
	return found;
}

/* ------------------------------------------------------------ the query */

/* The tsquery of a search text: its first terms ORed, the last a prefix; NULL if it has none. */
static char *
TsQueryOf(const char *text)
{
	SqlParams	p = {0};
	SearchTerm *terms;
	int			nterms = 0;
	int			used = 0;
	StringInfoData q;

	AddParam(&p, CStringGetTextDatum(text), TEXTOID, false);
	Execute(psprintf("SELECT t.lexeme, p FROM pg_catalog.unnest(%s) t, pg_catalog.unnest(t.positions) p ORDER BY p",
					 psprintf(SEARCH_VECTOR_SQL, "$1")), &p, true, 0);
	terms = palloc(sizeof(SearchTerm) * Max(1, SPI_processed));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		char	   *lexeme = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);

		if (lexeme && strlen(lexeme) < MAX_TERM_BYTES)	/* Convex drops long tokens */
			terms[nterms++].lexeme = lexeme;
	}
	if (nterms == 0)
		return NULL;
	used = Min(nterms, MAX_QUERY_TERMS);
	initStringInfo(&q);
	for (int k = 0; k < used; k++)
	{
		appendStringInfoString(&q, k ? " | '" : "'");
		for (const char *c = terms[k].lexeme; *c; c++)
		{
			if (*c == '\'' || *c == '\\')
				appendStringInfoChar(&q, *c == '\'' ? '\'' : '\\');
			appendStringInfoChar(&q, *c);
		}
		appendStringInfoString(&q, k == used - 1 ? "':*" : "'");
	}
	return q.data;
}

/*
 * Check a search source against its index and schema.js's definition, and
 * give the SQL of its candidates (WITH c AS ...) into b->p's parameters:
 * the best MAX_CANDIDATES rows that match, numbered as "_udf_n".
 */
static char *
SearchCandidates(QueryBuild *b, json_t *source)
{
	const char *full = OptString(source, "indexName");
	const char *dot = full ? strrchr(full, '.') : NULL;
	const char *index = dot ? dot + 1 : full;
	json_t	   *filters = json_object_get(source, "filters");
	DbIndexSpec spec;
	const char *text = NULL;
	char	   *tsquery;
	int			neq = 0;
	size_t		i;
	json_t	   *f;
	StringInfoData where;
	StringInfoData sql;
	const char *col;

	if (!FindIndexSpec(b->t, "searchIndexes", index, &spec))
		DbError(ERRCODE_UNDEFINED_OBJECT,
				"IndexNotFoundError: Index %s not found: schema.js defines no searchIndex \"%s\" on table \"%s\". "
				"Add .searchIndex(\"%s\", {searchField, filterFields}) to the table in schema.js and deploy.",
				full ? full : "?", index ? index : "?", b->t->name, index ? index : "?");
	col = quote_identifier(SearchColumn(index));
	if (get_attnum(b->t->relid, SearchColumn(index)) == InvalidAttrNumber)
		DbError(ERRCODE_UNDEFINED_OBJECT,
				"IndexNotFoundError: the search index %s has no column %s in the database; deploy schema.js again",
				full, col);
	initStringInfo(&where);
	json_array_foreach(filters, i, f)
	{
		const char *type = OptString(f, "type");
		const char *path = OptString(f, "fieldPath");

		if (type && strcmp(type, "Search") == 0)
		{
			if (!path || strcmp(path, spec.field) != 0)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"IncorrectSearchField: Search query against %s contains a search filter against \"%s\", "
						"which doesn't match the indexed `searchField` \"%s\".", full, path ? path : "?", spec.field);
			if (text)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"DuplicateSearchFiltersError: Search query against %s contains multiple search filters against \"%s\". "
						"Only one is allowed.", full, path);
			text = OptString(f, "value");
			if (!text)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE, "search(): the query text for %s must be a string", full);
		}
		else if (type && strcmp(type, "Eq") == 0)
		{
			json_t	   *e;

			if (!path || ListPosition(spec.filter_fields, path) < 0)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"IncorrectFilterFieldError: Search query against %s contains an equality filter on \"%s\" "
						"but that field isn't indexed for filtering in `filterFields`.", full, path ? path : "?");
			if (!json_object_get(f, "value"))
				DbError(ERRCODE_INVALID_PARAMETER_VALUE, "withSearchIndex(%s): eq(\"%s\") needs a value", full, path);
			if (++neq > MAX_FILTER_CONDITIONS)
				DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						"TooManyFilterConditionsInSearchQueryError: Search query against %s has too many filter conditions. "
						"Max: %d Actual: %zu", full, MAX_FILTER_CONDITIONS, json_array_size(filters) - 1);
			e = json_pack("{s:[{s:s},{s:O}]}", "$eq", "$field", path, "$literal", json_object_get(f, "value"));
			appendStringInfoString(&where, " AND ");
			PG_TRY();
			{
				TranslateExpr(b, e, &where);
			}
			PG_FINALLY();
			{
				json_decref(e);
			}
			PG_END_TRY();
		}
		else
			DbError(ERRCODE_INVALID_PARAMETER_VALUE, "withSearchIndex(%s): unknown search filter \"%s\"", full, type ? type : "?");
	}
	if (!text)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"MissingSearchFilterError: Search query against %s does not contain any search filters. "
				"You must include a search filter like `q.search(\"%s\", searchText)`.", full, spec.field);
	tsquery = TsQueryOf(text);
	initStringInfo(&sql);
	appendStringInfoString(&sql, "WITH c AS (SELECT s.*, pg_catalog.row_number() OVER "
						   "(ORDER BY \"_udf_rank\" DESC, \"_creationTime\" DESC, \"_id\") AS \"_udf_n\" FROM (SELECT ");
	AppendColumns(&sql, b->t);
	if (tsquery)
	{
		int			q = AddParam(b->p, CStringGetTextDatum(tsquery), TEXTOID, false);

		appendStringInfo(&sql, ", pg_catalog.ts_rank(%s, $%d::pg_catalog.tsquery, 1) AS \"_udf_rank\" FROM %s "
						 "WHERE %s OPERATOR(pg_catalog.@@) $%d::pg_catalog.tsquery%s",
						 col, q, b->t->sql, col, q, where.data);
	}
	else						/* no terms: nothing matches, as in Convex */
		appendStringInfo(&sql, ", 0::pg_catalog.float4 AS \"_udf_rank\" FROM %s WHERE false", b->t->sql);
	appendStringInfo(&sql, " ORDER BY \"_udf_rank\" DESC, \"_creationTime\" DESC, \"_id\" LIMIT %d) s)", MAX_CANDIDATES);
	return sql.data;
}

/* Is a query source a withSearchIndex one? */
bool
IsSearchSource(json_t *source)
{
	const char *type = OptString(source, "type");

	return type && strcmp(type, "Search") == 0;
}

/*
 * The SELECT of a search query: its candidates that pass the .filter()
 * operators (and extra_where, for pages), in relevance order, then, if
 * sentinel, the sentinel row; max_rows >= 0 caps the LIMIT. Each row is the
 * document's columns, "_udf_rank", "_udf_n" and "_udf_over" (the sentinel).
 */
char *
BuildSearchQuery(QueryBuild *b, json_t *query, const char *extra_where, bool sentinel, long max_rows)
{
	char	   *candidates = SearchCandidates(b, json_object_get(query, "source"));
	StringInfoData where;
	StringInfoData sql;
	long		limit = max_rows;
	size_t		i;
	json_t	   *op;

	initStringInfo(&where);
	json_array_foreach(json_object_get(query, "operators"), i, op)
	{
		json_t	   *f = json_object_get(op, "filter");
		json_t	   *l = json_object_get(op, "limit");

		if (f)
		{
			appendStringInfoString(&where, " AND ");
			TranslateExpr(b, f, &where);
		}
		else if (json_is_number(l) && (limit < 0 || (long) json_number_value(l) < limit))
			limit = (long) json_number_value(l);
	}
	if (extra_where)
		appendStringInfo(&where, " AND %s", extra_where);
	initStringInfo(&sql);
	appendStringInfo(&sql, "%s SELECT ", candidates);
	AppendColumns(&sql, b->t);
	appendStringInfo(&sql, ", \"_udf_rank\", \"_udf_n\", false AS \"_udf_over\" FROM c WHERE true%s", where.data);
	if (sentinel)
	{
		appendStringInfoString(&sql, " UNION ALL SELECT ");
		AppendColumns(&sql, b->t);
		appendStringInfo(&sql, ", \"_udf_rank\", \"_udf_n\" + 1, true FROM c WHERE \"_udf_n\" = %d", MAX_CANDIDATES);
	}
	appendStringInfoString(&sql, " ORDER BY \"_udf_n\"");
	if (limit >= 0)
		appendStringInfo(&sql, " LIMIT %ld", limit);
	return sql.data;
}

/* Is a row of a search query the sentinel after the last candidate? */
bool
SearchRowIsSentinel(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Datum		over = SPI_getbinval(tup, desc, desc->natts, &isnull);

	return !isnull && DatumGetBool(over);
}

/* The error of a search query read past its last candidate; never returns. */
void
SearchScannedTooMany(void)
{
	DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
			"SearchQueryScannedTooManyDocumentsError: Search query scanned too many documents (fetched %d). "
			"Consider using a smaller limit, paginating the query, or using a filter field to limit the number "
			"of documents pulled from the search index.", MAX_CANDIDATES);
}

/* The descriptor of a search row's document columns (its first ncols), for WriteDocument. */
TupleDesc
SearchDocumentDesc(TupleDesc desc, int ncols)
{
	TupleDesc	doc = CreateTupleDescCopy(desc);

	doc->natts = ncols;
	return doc;
}

/* ------------------------------------------------------------ pages */

/* A signed search cursor after the row tup (NULL: after every candidate). */
static char *
EncodeSearchCursor(Oid relid, HeapTuple tup, TupleDesc desc, int ncols)
{
	StringInfoData payload;
	char	   *b64;
	int			len;

	initStringInfo(&payload);
	appendStringInfo(&payload, "[\"search\",%u", relid);
	if (tup)
	{
		bool		isnull;
		float4		rank = DatumGetFloat4(SPI_getbinval(tup, desc, ncols + 1, &isnull));
		char	   *id = SPI_getvalue(tup, desc, SPI_fnumber(desc, "_id"));
		double		ct = DatumGetFloat8(SPI_getbinval(tup, desc, SPI_fnumber(desc, "_creationTime"), &isnull));
		char	   *idjson = json_dumps(json_string(id), JSON_ENCODE_ANY);

		appendStringInfo(&payload, ",%.9g,%.17g,%s", rank, ct, idjson);
		free(idjson);
	}
	appendStringInfoChar(&payload, ']');
	len = pg_b64_enc_len(payload.len);
	b64 = palloc(len + 1);
	len = pg_b64_encode(payload.data, payload.len, b64, len);
	b64[len] = '\0';
	return psprintf("%s.%s", b64, SecretMac(payload.data));
}

/* SQL for "the candidate comes after this search cursor"; ERROR if it is not one of this table's. */
static char *
SearchCursorCondition(QueryBuild *b, const char *cursor)
{
	const char *dot = strrchr(cursor, '.');
	char	   *payload;
	int			n;
	json_t	   *keys;
	char	   *sql = NULL;
	bool		mine;

	if (!dot)
		goto invalid;
	payload = palloc(pg_b64_dec_len(dot - cursor) + 1);
	n = pg_b64_decode(cursor, dot - cursor, payload, pg_b64_dec_len(dot - cursor));
	if (n < 0)
		goto invalid;
	payload[n] = '\0';
	if (strcmp(SecretMac(payload), dot + 1) != 0)
		goto invalid;
	keys = json_loads(payload, 0, NULL);
	mine = json_is_array(keys) && json_is_string(json_array_get(keys, 0)) &&
		strcmp(json_string_value(json_array_get(keys, 0)), "search") == 0 &&
		json_integer_value(json_array_get(keys, 1)) == (json_int_t) b->t->relid &&
		(json_array_size(keys) == 2 || json_array_size(keys) == 5);
	if (mine && json_array_size(keys) == 2)
		sql = "false";			/* after every candidate */
	else if (mine)
	{
		int			r = AddParam(b->p, Float4GetDatum((float4) json_number_value(json_array_get(keys, 2))), FLOAT4OID, false);
		int			c = AddParam(b->p, Float8GetDatum(json_number_value(json_array_get(keys, 3))), FLOAT8OID, false);
		int			i = AddParam(b->p, CStringGetTextDatum(json_string_value(json_array_get(keys, 4))), TEXTOID, false);

		sql = psprintf("(\"_udf_rank\" < $%d OR (\"_udf_rank\" = $%d AND (\"_creationTime\" < $%d OR "
					   "(\"_creationTime\" = $%d AND \"_id\" > $%d))))", r, r, c, c, i);
	}
	json_decref(keys);
	if (!sql)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"InvalidCursor: this cursor belongs to a different query; use the cursor from the same paginated query");
	return sql;
invalid:
	DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidCursor: the cursor was not made by udf or has been altered");
}

/*
 * 1.0/queryPage of a search query: a slice of its candidates after the
 * cursor (up to the end cursor), as Convex pages them. Search pages are
 * never split: maximumRowsRead and maximumBytesRead do not apply.
 */
void
SearchPage(json_t *root, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	const char *cursor = OptString(root, "cursor");
	const char *end_cursor = OptString(root, "endCursor");
	json_t	   *size_json = json_object_get(root, "pageSize");
	long		page_size = json_is_number(size_json) ? (long) json_number_value(size_json) : -1;
	long		want = end_cursor ? MAX_PAGE_SIZE : page_size;
	DbTable		t;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b = {.t = &t, .p = p};
	StringInfoData extra;
	ValueWriter res;
	TupleDesc	docdesc;
	uint64		rows;

	if (!end_cursor && page_size <= 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "NoDocumentsForPagination: Must request at least 1 document while paginating");
	if (page_size > MAX_PAGE_SIZE)
		DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED, "PageSizeTooLarge: a page may hold at most %d documents", MAX_PAGE_SIZE);
	if (json_is_number(json_object_get(root, "maximumRowsRead")) && json_number_value(json_object_get(root, "maximumRowsRead")) == 0)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "InvalidPaginationLimit: maximumRowsRead must be at least 1");
	if (CallStackMarkPaginated())
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"MultiplePaginatedDatabaseQueries: This query or mutation function ran multiple paginated queries. "
				"Convex only supports a single paginated query in each function.");
	ResolveQueryTable(json_object_get(query, "source"), &t);
	initStringInfo(&extra);
	appendStringInfoString(&extra, "true");
	if (cursor)
		appendStringInfo(&extra, " AND %s", SearchCursorCondition(&b, cursor));
	if (end_cursor)
		appendStringInfo(&extra, " AND NOT %s", SearchCursorCondition(&b, end_cursor));
	LimitsCountQuery();
	Execute(BuildSearchQuery(&b, query, extra.data, !end_cursor, want), p, false, 0);
	docdesc = SearchDocumentDesc(SPI_tuptable->tupdesc, t.ncols);
	rows = SPI_processed;
	if (rows > 0 && SearchRowIsSentinel(SPI_tuptable->vals[rows - 1], SPI_tuptable->tupdesc))
		SearchScannedTooMany();	/* the page reads past the last candidate */
	WriterInit(&res, true);
	WriterObjectBegin(&res);
	WriterKey(&res, "page");
	WriterArrayBegin(&res);
	for (uint64 i = 0; i < rows; i++)
	{
		int			before = res.buf.len;

		WriteDocument(&res, &t, SPI_tuptable->vals[i], docdesc);
		LimitsCountRead(res.buf.len - before);
	}
	WriterArrayEnd(&res);
	/* as every page: one that fills exactly is not done yet */
	WriterKey(&res, "isDone");
	WriterBool(&res, !end_cursor && (long) rows < want);
	WriterKey(&res, "continueCursor");
	if (rows > 0)
		WriterCString(&res, EncodeSearchCursor(t.relid, SPI_tuptable->vals[rows - 1], SPI_tuptable->tupdesc, t.ncols));
	else if (cursor)
		WriterCString(&res, cursor);
	else
		WriterCString(&res, EncodeSearchCursor(t.relid, NULL, NULL, t.ncols));
	WriterObjectEnd(&res);
	ResultFromWriter(out, &res);
}


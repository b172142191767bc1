/*
 * dbvector.c -- vector search: schema.js's vectorIndex, and
 * ctx.vectorSearch in actions (the async syscall 1.0/actions/vectorSearch).
 *
 * A vectorIndex(name, {vectorField, dimensions, filterFields}) on a
 * top-level v.array(v.float64()) field of a typed table makes the field a
 * `double precision[]` column (NULL = missing) instead of jsonb, so a
 * vector is read as a flat array of doubles; every float64 round-trips.
 * A field that already holds jsonb arrays is converted in place when the
 * index is added (the deploy is refused, naming the problem, if a document
 * holds anything but an array of numbers there). Any other vector field
 * (a dotted path such as "meta.embedding", a union-typed field, a table
 * that keeps documents whole in `_doc`) stays in its jsonb, and a hidden
 * generated column "_udf_vector_<index>" holds its vector as double
 * precision[] (dbhidden.c; NULL where the path is missing or holds no
 * array of float64, so the document is not in the index). Filter fields
 * may be dotted paths, compared as dbfilter.c compares them.
 *
 * The search is an exact scan, as pgvector is not packaged here: one SELECT
 * of _id and the vector of every document that has one and passes the filter (q.eq on filterFields, q.or of
 * those, translated to SQL by dbfilter.c), read through a portal in
 * batches; vectors of other dimensions are skipped here (so each TOASTed
 * array is read once), the cosine similarity of the others is computed
 * here, and the best `limit` are kept in a small sorted array (score descending, then _id, as
 * Convex breaks ties). Cost is linear in the rows that pass the filter; the
 * README and bench/results.md give it per 10k vectors. pgvector's HNSW
 * index is not used: pgvector cannot be installed where udf is built and
 * tested (Debian 12 has no package of it), so code for it could not be
 * tested.
 *
 * Limits as Convex's: limit 1..256 (default 10), at most 64 eq expressions
 * in a filter, 2..4096 dimensions, at most 4 vector indexes per table.
 *
 * Memory: each batch's rows and detoasted arrays live in a context reset
 * per batch; the results in the op's (SPI) memory. Everything may raise;
 * nothing reaches V8.
 */
#include "db.h"

#include "schemacheck.h"

#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include <math.h>

#define DEFAULT_LIMIT 10
#define MAX_LIMIT 256
#define MAX_FILTER_EXPRESSIONS 64
#define MAX_VECTOR_INDEXES 4
#define MIN_DIMENSIONS 2
#define MAX_DIMENSIONS 4096
#define BATCH_ROWS 256

/* One result: a document's id and its score. */
typedef struct VectorHit
{
	char	   *id;
	double		score;
} VectorHit;

static bool IsFloatArray(json_t *field_type);
static char *VectorColumn(const char *index);
static void CheckVectorFilter(json_t *e, const char *index, const DbIndexSpec *spec, int *neq);
static void KeepHit(VectorHit *hits, int *nhits, int limit, const char *id, double score);
static double Cosine(const double *q, long double qnorm, ArrayType *a, int dims);

/* ------------------------------------------------------------ schema.js */

/* Is a field validator v.array(v.float64())? */
static bool
IsFloatArray(json_t *field_type)
{
	const char *type = OptString(field_type, "type");
	const char *elem = OptString(json_object_get(field_type, "value"), "type");

	return type && elem && strcmp(type, "array") == 0 && strcmp(elem, "number") == 0;
}

/*
 * The SQL type of a field of schema.js's table: double precision[] for the
 * v.array(v.float64()) field of a vector index, else type.
 */
const char *
VectorFieldSqlType(json_t *table, const char *field, const char *type, bool *scalar)
{
	json_t	   *spec = json_object_get(json_object_get(json_object_get(table, "documentType"), "value"), field);
	size_t		i;
	json_t	   *ix;

	if (!IsFloatArray(json_object_get(spec, "fieldType")))
		return type;			/* VectorIndexesApply refuses it, if it is a vector field */
	json_array_foreach(json_object_get(table, "vectorIndexes"), i, ix)
	{
		const char *vf = OptString(ix, "vectorField");

		if (vf && strcmp(vf, field) == 0)
		{
			*scalar = true;		/* NULL is a missing vector */
			return "double precision[]";
		}
	}
	return type;
}

/*
 * An existing column whose SQL type differs from the one schema.js now
 * gives it, for vector fields: a jsonb field that becomes a vector field is
 * converted to double precision[]; a vector field that loses its index stays
 * double precision[] (it still holds the same values). False for any other
 * pair of types.
 */
bool
VectorConvertColumn(Oid relid, const char *qtable, const char *table, const char *field, json_t *field_type,
					const char *have, const char *want)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (strcmp(have, "double precision[]") == 0 && strcmp(want, "jsonb") == 0 && IsFloatArray(field_type))
		return true;
	if (strcmp(have, "jsonb") != 0 || strcmp(want, "double precision[]") != 0)
		return false;
	PG_TRY();
	{
		/* a union-typed field's vector index had a hidden column computed from it */
		DropHiddenColumnsOn(relid, field);
		Execute(psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE double precision[] USING "
						 "pg_catalog.translate(%s::pg_catalog.text, '[]', '{}')::double precision[]",
						 qtable, quote_identifier(field), quote_identifier(field)), &(SqlParams) {0}, false, 0);
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
				 errmsg("schema.js: cannot make the field \"%s\" of table \"%s\" a vector field: %s", field, table, e->message),
				 errdetail("A vector index needs every document's \"%s\" to be an array of numbers.", field),
				 errhint("Fix or remove the documents whose \"%s\" is not an array of numbers, then deploy again.", field)));
	}
	PG_END_TRY();
	return true;
}

/* The hidden double precision[] column of a vector index on a path inside jsonb. */
static char *
VectorColumn(const char *index)
{
	return psprintf(UDF_HIDDEN_PREFIX "vector_%s", index);
}

/*
 * Check the vector indexes of one table of schema.js (its documents of
 * document_type). A top-level v.array(v.float64()) field of a typed table
 * is its own double precision[] column; any other vector field (a dotted
 * path into nested objects, a union-typed field, a table that keeps
 * documents whole in `_doc`) gets a hidden generated column computed from
 * the jsonb, remade when the field changes, dropped with its index.
 */
void
VectorIndexesApply(Oid relid, const char *table, json_t *document_type, json_t *indexes)
{
	size_t		i;
	json_t	   *ix;
	const char *qtable = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												   get_rel_name(relid));
	List	   *wanted = NIL;

	if (json_array_size(indexes) > MAX_VECTOR_INDEXES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("schema.js: table \"%s\" has %zu vector indexes; at most %d are allowed",
						table, json_array_size(indexes), MAX_VECTOR_INDEXES)));
	json_array_foreach(indexes, i, ix)
	{
		const char *name = OptString(ix, "indexDescriptor");
		const char *field = OptString(ix, "vectorField");
		json_t	   *dims = json_object_get(ix, "dimensions");
		int			holds;
		char	   *value;
		AttrNumber	att;

		NameCheckIdentifier("index", name ? name : "");
		IndexFieldPathCheck("vector", name, table, "vectorField", field);
		holds = document_type ? SchemaPathHolds(document_type, field) : PATH_HOLDS_ANY;
		if (!(holds & (PATH_HOLDS_FLOAT_ARRAY | PATH_HOLDS_ANY)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("schema.js: vector index \"%s\" of table \"%s\": vectorField \"%s\" is %s",
							name, table, field, holds ? "not a v.array(v.float64()) field of the table" : "not a field of the table"),
					 errhint("Give vectorField a v.array(v.float64()) or v.optional(v.array(v.float64())) field, "
							 "top-level (\"embedding\") or a dotted path into nested objects (\"meta.embedding\").")));
		if (!json_is_integer(dims) || json_integer_value(dims) < MIN_DIMENSIONS || json_integer_value(dims) > MAX_DIMENSIONS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TABLE_DEFINITION),
					 errmsg("schema.js: vector index \"%s\" of table \"%s\": dimensions must be an integer from %d to %d",
							name, table, MIN_DIMENSIONS, MAX_DIMENSIONS)));
		IndexFilterFieldsCheck("vector", name, table, document_type, json_object_get(ix, "filterFields"), false);
		att = strchr(field, '.') ? InvalidAttrNumber : get_attnum(relid, field);
		if (att != InvalidAttrNumber && get_atttype(relid, att) == FLOAT8ARRAYOID)
			continue;			/* a top-level vector field: its own column */
		value = PathValueSql(relid, "udf_path_vector", field);
		if (value == NULL)
			elog(ERROR, "schema.js: the vector field \"%s\" of table \"%s\" has no column to compute it from", field, table);
		wanted = lappend(wanted, VectorColumn(name));
		if (!HiddenColumnIsCurrent(relid, VectorColumn(name), psprintf("vectorField %s", field), NULL))
			HiddenColumnMake(relid, qtable, VectorColumn(name), "double precision[]", value,
							 psprintf("vectorField %s", field));
	}
	HiddenColumnsDropStale(relid, qtable, UDF_HIDDEN_PREFIX "vector_", wanted);
}

/* ------------------------------------------------------------ the search */

/* Check a vectorSearch filter: q.eq(filterField, value) or q.or(...) of those; counts the eqs. */
static void
CheckVectorFilter(json_t *e, const char *index, const DbIndexSpec *spec, int *neq)
{
	json_t	   *eq = json_object_get(e, "$eq");
	json_t	   *or = json_object_get(e, "$or");

	if (json_is_array(eq) && json_array_size(eq) == 2 && json_object_size(e) == 1)
	{
		const char *field = OptString(json_array_get(eq, 0), "$field");

		if (!field || !json_object_get(json_array_get(eq, 1), "$literal"))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"vectorSearch(%s): q.eq takes a field name and a value", index);
		if (ListPosition(spec->filter_fields, field) < 0)
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"vectorSearch(%s): the filter uses the field \"%s\", which is not in the index's filterFields. "
					"Add it to filterFields of the vectorIndex in schema.js, or filter the results afterwards.",
					index, field);
		if (++*neq > MAX_FILTER_EXPRESSIONS)
			DbError(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
					"vectorSearch(%s): the filter has more than %d q.eq expressions", index, MAX_FILTER_EXPRESSIONS);
	}
	else if (json_is_array(or) && json_object_size(e) == 1)
	{
		size_t		i;
		json_t	   *sub;

		json_array_foreach(or, i, sub)
			CheckVectorFilter(sub, index, spec, neq);
	}
	else
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"vectorSearch(%s): a filter is q.eq(field, value) or q.or(...) of those; got something else", index);
}

/* Keep (id, score) if it is among the best limit seen: hits stay sorted, best first, ties by _id. */
static void
KeepHit(VectorHit *hits, int *nhits, int limit, const char *id, double score)
{
	int			pos = *nhits;

	while (pos > 0 && (hits[pos - 1].score < score ||
					   (hits[pos - 1].score == score && strcmp(hits[pos - 1].id, id) > 0)))
		pos--;
	if (pos >= limit)
		return;
	if (*nhits == limit)
		pfree(hits[limit - 1].id);
	else
		(*nhits)++;
	memmove(&hits[pos + 1], &hits[pos], sizeof(VectorHit) * (*nhits - 1 - pos));
	hits[pos].id = pstrdup(id);
	hits[pos].score = score;
}

/*
 * Cosine similarity of the query (with its norm) and a stored vector of dims
 * doubles; 0 if either is zero, NaN if the stored vector holds a NaN. Sums
 * that overflow a double (components near 1e154 and beyond) are redone in
 * long double.
 */
static double
Cosine(const double *q, long double qnorm, ArrayType *a, int dims)
{
	const double *v = (const double *) ARR_DATA_PTR(a);
	double		dot = 0;
	double		norm = 0;

	for (int i = 0; i < dims; i++)
	{
		dot += q[i] * v[i];
		norm += v[i] * v[i];
	}
	if (!isfinite(dot) || !isfinite(norm) || !isfinite((double) qnorm))
	{
		long double ldot = 0;
		long double lnorm = 0;

		for (int i = 0; i < dims; i++)
		{
			ldot += (long double) q[i] * v[i];
			lnorm += (long double) v[i] * v[i];
		}
		if (lnorm == 0 || qnorm == 0)
			return isnan((double) lnorm) ? NAN : 0;
		return (double) (ldot / (sqrtl(lnorm) * qnorm));
	}
	if (norm == 0 || qnorm == 0)
		return 0;
	return dot / (sqrt(norm) * (double) qnorm);
}

/* 1.0/actions/vectorSearch {query: {indexName, limit, vector, expressions}} -> {results: [{_id, _score}]} */
void
OpVectorSearch(json_t *root, size_t len, UdfV8HostResult *out)
{
	json_t	   *query = json_object_get(root, "query");
	const char *full = OptString(query, "indexName");
	const char *dot = full ? strrchr(full, '.') : NULL;
	const char *index = dot ? dot + 1 : NULL;
	json_t	   *vector = json_object_get(query, "vector");
	json_t	   *limit_json = json_object_get(query, "limit");
	json_t	   *filter = json_object_get(query, "expressions");
	DbTable		t;
	DbIndexSpec spec;
	SqlParams  *p = palloc0(sizeof(SqlParams));
	QueryBuild	b = {.t = &t, .p = p};
	StringInfoData sql;
	const char *column;
	int			limit = DEFAULT_LIMIT;
	int			dims;
	int			neq = 0;
	double	   *q;
	long double qnorm = 0;
	VectorHit  *hits;
	int			nhits = 0;
	Portal		portal;
	MemoryContext batch;
	MemoryContext old;
	ValueWriter res;

	if (!CallStackKind() || (strcmp(CallStackKind(), "action") != 0 && strcmp(CallStackKind(), "httpAction") != 0))
		DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
				"vectorSearch is only available in actions and HTTP actions, as in Convex; call it from an action (ctx.vectorSearch)");
	if (!dot)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "vectorSearch: the index name must be \"table.index\"");
	ResolveTable(pnstrdup(full, dot - full), &t);
	if (!FindIndexSpec(&t, "vectorIndexes", index, &spec))
		DbError(ERRCODE_UNDEFINED_OBJECT,
				"IndexNotFoundError: Index %s not found: schema.js defines no vectorIndex \"%s\" on table \"%s\". "
				"Add .vectorIndex(\"%s\", {vectorField, dimensions, filterFields}) to the table in schema.js and deploy.",
				full, index, t.name, index);
	dims = spec.dimensions;
	if (!json_is_array(vector) || (int) json_array_size(vector) != dims)
		DbError(ERRCODE_INVALID_PARAMETER_VALUE,
				"vectorSearch(%s): the vector has %zu dimensions, but the index has %d. "
				"Search with a vector of the index's dimensions (the same embedding model as the stored vectors).",
				full, json_is_array(vector) ? json_array_size(vector) : 0, dims);
	q = palloc(sizeof(double) * dims);
	for (int i = 0; i < dims; i++)
	{
		json_t	   *x = json_array_get(vector, i);

		if (!json_is_number(x))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE, "vectorSearch(%s): vector[%d] is not a number", full, i);
		q[i] = json_number_value(x);
		qnorm += (long double) q[i] * q[i];
	}
	qnorm = sqrtl(qnorm);
	if (limit_json && !json_is_null(limit_json))
	{
		double		l = json_number_value(limit_json);

		if (!json_is_number(limit_json) || l != floor(l) || l < 1 || l > MAX_LIMIT)
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"vectorSearch(%s): limit must be an integer from 1 to %d (default %d)", full, MAX_LIMIT, DEFAULT_LIMIT);
		limit = (int) l;
	}

	if (get_attnum(t.relid, VectorColumn(index)) != InvalidAttrNumber)
		column = quote_identifier(VectorColumn(index));	/* a path inside jsonb */
	else if (!strchr(spec.field, '.') && get_attnum(t.relid, spec.field) != InvalidAttrNumber &&
			 get_atttype(t.relid, get_attnum(t.relid, spec.field)) == FLOAT8ARRAYOID)
		column = quote_identifier(spec.field);
	else
		DbError(ERRCODE_UNDEFINED_OBJECT,
				"IndexNotFoundError: the vector index %s has no column in the database; deploy schema.js again", full);

	initStringInfo(&sql);
	/* the dimensions are checked here, not in SQL: a predicate on the array would detoast it twice */
	appendStringInfo(&sql, "SELECT \"_id\", %s FROM %s WHERE %s IS NOT NULL", column, t.sql, column);
	if (filter && !json_is_null(filter))
	{
		CheckVectorFilter(filter, full, &spec, &neq);
		appendStringInfoString(&sql, " AND ");
		TranslateExpr(&b, filter, &sql);
	}

	hits = palloc(sizeof(VectorHit) * (limit + 1));
	portal = SPI_cursor_open_with_args(NULL, sql.data, p->n, p->types, p->values, p->nulls, true, 0);
	batch = AllocSetContextCreate(CurrentMemoryContext, "udf vector batch", ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		SPI_cursor_fetch(portal, true, BATCH_ROWS);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			char	   *id = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
			Datum		d = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &isnull);
			ArrayType  *a;
			double		score;

			if (isnull)
				continue;
			old = MemoryContextSwitchTo(batch);
			a = DatumGetArrayTypeP(d);
			MemoryContextSwitchTo(old);
			if (ARR_NDIM(a) != 1 || ARR_HASNULL(a) || ARR_DIMS(a)[0] != dims)
				continue;
			score = Cosine(q, qnorm, a, dims);
			if (!isnan(score))	/* a vector holding NaN (written by SQL) has no similarity */
				KeepHit(hits, &nhits, limit, id, score);
			pfree(id);
		}
		SPI_freetuptable(SPI_tuptable);
		MemoryContextReset(batch);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(batch);

	WriterInit(&res, false);
	WriterObjectBegin(&res);
	WriterKey(&res, "results");
	WriterArrayBegin(&res);
	for (int i = 0; i < nhits; i++)
	{
		WriterObjectBegin(&res);
		WriterKey(&res, "_id");
		WriterCString(&res, hits[i].id);
		WriterKey(&res, "_score");
		WriterFloat(&res, hits[i].score);
		WriterObjectEnd(&res);
	}
	WriterArrayEnd(&res);
	WriterObjectEnd(&res);
	out->result = res.buf.data;
}

/*
 * dbhidden.c -- the hidden generated columns of search and vector indexes:
 * "_udf_search_<index>" (tsvector, dbsearch.c) and "_udf_vector_<index>"
 * (double precision[], dbvector.c), computed by PostgreSQL from the
 * indexed field on every write, in the writer's transaction.
 *
 * An index field is a dotted path ("meta.body"). Its value comes from a
 * column: a top-level string field of a typed table is its text column
 * itself; anything else is a path inside jsonb, read with dbpath.c's
 * IMMUTABLE udf_path_text / udf_path_vector: the rest of the path inside
 * an object field's jsonb column ("meta", then "body"), or the whole path
 * inside "_doc" for a table that keeps documents whole (v.any() or a union
 * of shapes in schema.js). A document whose path is missing, or holds
 * another type, gets NULL: it is simply not in the index.
 *
 * What a column was made from is its comment ("searchField meta.body"),
 * so a redeploy keeps a column that still matches its index (no rewrite
 * of the table) and remakes one whose field changed. Columns made before
 * the comment existed (top-level search fields) are recognized by the
 * column they depend on. Columns of indexes schema.js no longer has are
 * dropped. A jsonb or text column that a deploy must change or drop (a
 * table taken over from `_doc`, a string column given byte order) first
 * loses the hidden columns computed from it (DropHiddenColumnsOn):
 * PostgreSQL refuses to alter or drop a column a generated column uses,
 * and the index's own code makes them again.
 *
 * Runs at deploy, inside schema.c's SPI connection, as the deployer; all
 * names are quoted, the path's names are literals. Catalog reads are run
 * read-write so that they see the deploy's own DDL before them. Everything
 * may raise.
 */
#include "db.h"

#include "elevated.h"

#include "utils/lsyscache.h"

static void Ddl(const char *sql);
static char *SourceOfColumn(Oid relid, const char *column);
static char *CommentOfColumn(Oid relid, const char *column);

/* Run one DDL statement of a deploy. */
static void
Ddl(const char *sql)
{
	if (SPI_execute(sql, false, 0) < 0)
		elog(ERROR, "schema.js: could not run: %s", sql);
}

/*
 * The pg_depend rows d by which a generated column g of table $1 uses
 * another column: from g's pg_attrdef entry (as PostgreSQL 15 records it),
 * or from the column itself (as some releases do).
 */
#define GENERATED_USES_SQL \
	"FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute g ON g.attrelid = $1 AND g.attgenerated = 's' " \
	"AND ((d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = $1 AND d.objsubid = g.attnum) " \
	"OR (d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid = (SELECT ad.oid FROM pg_catalog.pg_attrdef ad " \
	"WHERE ad.adrelid = $1 AND ad.adnum = g.attnum))) " \
	"WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1 " \
	"AND d.refobjsubid > 0 AND d.refobjsubid <> g.attnum "

/* The column a generated column of relid is computed from, or NULL if it has none. */
static char *
SourceOfColumn(Oid relid, const char *column)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2] = {ObjectIdGetDatum(relid), CStringGetTextDatum(column)};

	if (SPI_execute_with_args("SELECT (SELECT a.attname::pg_catalog.text FROM pg_catalog.pg_attribute a "
							  "WHERE a.attrelid = $1 AND a.attnum = d.refobjsubid) " GENERATED_USES_SQL
							  "AND g.attname = $2::pg_catalog.name LIMIT 1",
							  2, types, values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* The comment of a column of relid, or NULL. */
static char *
CommentOfColumn(Oid relid, const char *column)
{
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2] = {ObjectIdGetDatum(relid), Int32GetDatum(get_attnum(relid, column))};

	if (SPI_execute_with_args("SELECT pg_catalog.col_description($1, $2)", 2, types, values, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * The SQL of the value at path in relid's documents through fn
 * ("udf_path_text" or "udf_path_vector"), or NULL when the path is a
 * top-level column that is not jsonb (the caller uses the column itself).
 */
char *
PathValueSql(Oid relid, const char *fn, const char *path)
{
	AttrNumber	doc = get_attnum(relid, SCHEMALESS_DOC);
	const char *dot = strchr(path, '.');
	char	   *first = dot ? pnstrdup(path, dot - path) : pstrdup(path);
	const char *column;
	const char *rest;
	StringInfoData sql;

	if (doc != InvalidAttrNumber && get_atttype(relid, doc) == JSONBOID)
	{
		/* documents kept whole: field names never start with "_", so this is no field */
		column = SCHEMALESS_DOC;
		rest = path;
	}
	else
	{
		AttrNumber	att = get_attnum(relid, first);

		if (att == InvalidAttrNumber || get_atttype(relid, att) != JSONBOID)
			return NULL;
		column = first;
		rest = dot ? dot + 1 : NULL;
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "%s(%s, ARRAY[", ExtensionTableName(fn), quote_identifier(column));
	for (const char *s = rest; s && *s;)
	{
		const char *d = strchr(s, '.');

		appendStringInfo(&sql, "%s%s", s == rest ? "" : ", ", quote_literal_cstr(d ? pnstrdup(s, d - s) : s));
		s = d ? d + 1 : NULL;
	}
	appendStringInfoString(&sql, "]::pg_catalog.text[])");
	return sql.data;
}

/*
 * Is relid's hidden column there and made from this definition? A column
 * without the comment counts when it is computed from legacy_source (the
 * columns of top-level search fields made before comments were written).
 */
bool
HiddenColumnIsCurrent(Oid relid, const char *column, const char *definition, const char *legacy_source)
{
	char	   *comment;
	char	   *source;

	if (get_attnum(relid, column) == InvalidAttrNumber)
		return false;
	comment = CommentOfColumn(relid, column);
	if (comment)
		return strcmp(comment, definition) == 0;
	source = legacy_source ? SourceOfColumn(relid, column) : NULL;
	return source && strcmp(source, legacy_source) == 0;
}

/* (Re)make relid's hidden column as sql_type computed by expr, and note its definition. */
void
HiddenColumnMake(Oid relid, const char *qtable, const char *column, const char *sql_type,
				 const char *expr, const char *definition)
{
	const char *qcol = quote_identifier(column);

	if (get_attnum(relid, column) != InvalidAttrNumber)
		Ddl(psprintf("ALTER TABLE %s DROP COLUMN %s", qtable, qcol));
	Ddl(psprintf("ALTER TABLE %s ADD COLUMN %s %s GENERATED ALWAYS AS (%s) STORED", qtable, qcol, sql_type, expr));
	Ddl(psprintf("COMMENT ON COLUMN %s.%s IS %s", qtable, qcol, quote_literal_cstr(definition)));
}

/* Drop relid's hidden generated columns named prefix... that are not in wanted (C strings). */
void
HiddenColumnsDropStale(Oid relid, const char *qtable, const char *prefix, List *wanted)
{
	Oid			types[2] = {OIDOID, TEXTOID};
	Datum		values[2] = {ObjectIdGetDatum(relid), CStringGetTextDatum(prefix)};
	List	   *stale = NIL;
	ListCell   *lc;

	if (SPI_execute_with_args("SELECT attname::pg_catalog.text FROM pg_catalog.pg_attribute WHERE attrelid = $1 "
							  "AND attnum > 0 AND NOT attisdropped AND attgenerated = 's' "
							  "AND pg_catalog.starts_with(attname::pg_catalog.text, $2)",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "schema.js: could not read the columns of %s", qtable);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		char	   *column = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);

		if (ListPosition(wanted, column) < 0)
			stale = lappend(stale, column);
	}
	foreach(lc, stale)
		Ddl(psprintf("ALTER TABLE %s DROP COLUMN %s", qtable, quote_identifier(lfirst(lc))));
}

/*
 * Drop relid's hidden generated columns computed from column, before a
 * deploy alters or drops it; the index code makes them again.
 */
void
DropHiddenColumnsOn(Oid relid, const char *column)
{
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2] = {ObjectIdGetDatum(relid), Int32GetDatum(get_attnum(relid, column))};
	const char *qtable = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	List	   *drop = NIL;
	ListCell   *lc;

	if (SPI_execute_with_args("SELECT DISTINCT g.attname::pg_catalog.text " GENERATED_USES_SQL
							  "AND d.refobjsubid = $2 "
							  "AND pg_catalog.starts_with(g.attname::pg_catalog.text, '" UDF_HIDDEN_PREFIX "')",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "schema.js: could not read the dependencies of %s", qtable);
	for (uint64 r = 0; r < SPI_processed; r++)
		drop = lappend(drop, SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	foreach(lc, drop)
		Ddl(psprintf("ALTER TABLE %s DROP COLUMN %s", qtable, quote_identifier(lfirst(lc))));
}

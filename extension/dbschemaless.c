/*
 * dbschemaless.c -- tables without a schema, as Convex has them: a table
 * exists once a document is inserted into it.
 *
 * An insert into a table that neither schema.js declares nor PostgreSQL
 * has creates it (dbwrite.c calls CreateSchemalessTable), in the caller's
 * transaction and as the caller, in the schema an unqualified CREATE TABLE
 * would use (the first of search_path), or the one a qualified name
 * gives. It is a managed table of three columns: `_id` (text primary key,
 * a Convex id), `_creationTime` (float8) and `_doc`, the document's other
 * fields as Convex JSON in jsonb, so every Convex value round-trips, and
 * filters and order compare through udf_sort_key (dbsortkey.c) in
 * Convex's total order. Plus `<table>__by_creation_time`, as schema.js
 * tables have. SQL sees the table like any other (`_doc->>'body'`).
 *
 * Concurrent first inserts: the creator holds a transaction-level advisory
 * lock on the table's qualified name while it looks and creates, so a
 * second session waits for the first to commit, then finds the table and
 * inserts into it: one table, both documents. (If the first rolls back,
 * the second creates it.)
 *
 * Reads of a table that does not exist yet give nothing (dbquery.c,
 * dbpage.c); writes by id find no document. A later deploy whose schema.js
 * declares the table migrates its documents into typed columns
 * (schema.c). Writes: insert stores the fields in `_doc`; patch merges
 * (`_doc || fields - removed`); replace sets `_doc` whole (dbwrite.c).
 *
 * Memory is the op's; everything here may raise (names, privileges, DDL).
 */
#include "db.h"

#include "jansson_pg.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

/* The advisory lock class of table creation ("udf" in ASCII): the first key of the lock. */
#define CREATE_LOCK_CLASS 0x756466

/*
 * The bare name of a table a write may create, checked against Convex's
 * rules for table names (letters, digits and underscores, starting with a
 * letter; at most 63 bytes, PostgreSQL's limit, where Convex allows 64);
 * ERROR naming the method otherwise.
 */
const char *
SchemalessTableName(const char *method, const char *name)
{
	List	   *names = stringToQualifiedNameList(name);
	const char *bare = strVal(llast(names));
	size_t		len = strlen(bare);
	bool		ok = len > 0 && len < NAMEDATALEN &&
		((bare[0] >= 'a' && bare[0] <= 'z') || (bare[0] >= 'A' && bare[0] <= 'Z'));

	for (size_t i = 0; ok && i < len; i++)
		ok = (bare[i] >= 'a' && bare[i] <= 'z') || (bare[i] >= 'A' && bare[i] <= 'Z') ||
			(bare[i] >= '0' && bare[i] <= '9') || bare[i] == '_';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("db.%s: table \"%s\" does not exist, and \"%s\" is not a valid table name to create it with",
						method, name, bare),
				 errdetail("Table names are 1 to 63 letters, digits and underscores and start with a letter."),
				 errhint("Use such a name, or create the table first (schema.js or CREATE TABLE).")));
	return bare;
}

/*
 * Create the table name for its first insert, or find it if another
 * session just did; t gets its description.
 */
void
CreateSchemalessTable(const char *name, DbTable *t)
{
	const char *bare = SchemalessTableName("insert", name);
	RangeVar   *rv = makeRangeVarFromNameList(stringToQualifiedNameList(name));
	Oid			ns = RangeVarGetCreationNamespace(rv);
	const char *qname = quote_qualified_identifier(get_namespace_name(ns), bare);
	SqlParams	p = {0};
	StringInfoData sql;

	/* one creator at a time per name; the lock is held to the end of the transaction */
	AddParam(&p, Int32GetDatum(CREATE_LOCK_CLASS), INT4OID, false);
	AddParam(&p, CStringGetTextDatum(qname), TEXTOID, false);
	Execute("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))", &p, false, 0);
	memset(&p, 0, sizeof(p));
	AcceptInvalidationMessages();
	if (ResolveTableIfExists(name, t))
		return;					/* another session made it and committed */
	if (pg_namespace_aclcheck(ns, GetUserId(), ACL_CREATE) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("db.insert: table \"%s\" does not exist, and role \"%s\" may not create it in schema \"%s\"",
						name, GetUserNameFromId(GetUserId(), false), get_namespace_name(ns)),
				 errhint("GRANT CREATE ON SCHEMA %s to the role, or declare the table in schema.js and deploy.",
						 quote_identifier(get_namespace_name(ns)))));
	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "CREATE TABLE %s (\"_id\" text PRIMARY KEY, \"_creationTime\" double precision NOT NULL, "
					 "%s jsonb NOT NULL DEFAULT '{}')", qname, quote_identifier(SCHEMALESS_DOC));
	/* DDL once per table: not worth a saved plan */
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create table %s", qname);
	resetStringInfo(&sql);
	appendStringInfo(&sql, "CREATE INDEX %s ON %s (\"_creationTime\")",
					 quote_identifier(psprintf("%s__by_creation_time", bare)), qname);
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not create index on %s", qname);
	ResolveTable(name, t);
}

/* The fields of a stored document (its `_doc`) into the object w is writing. */
void
WriteSchemalessFields(ValueWriter *w, Datum doc)
{
	Jsonb	   *jb = DatumGetJsonbP(doc);
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(jb))
		return;
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			WriterKey(w, pnstrdup(v.val.string.val, v.val.string.len));
		else if (tok == WJB_VALUE)
		{
			if (v.type == jbvBinary)
				WriterJsonb(w, v.val.binary.data);
			else
				WriterJsonb(w, &JsonbValueToJsonb(&v)->root);
		}
	}
}

/*
 * The `_doc` of a written document: its fields but the system fields, as
 * jsonb. For a patch, fields set to undefined are left out and their
 * names go into *removed (a text[]); removed may be NULL otherwise.
 */
Datum
SchemalessDoc(json_t *value, const char *table, bool patch, Datum *removed)
{
	json_t	   *fields = json_pack("{}");
	const char *field;
	json_t	   *v;
	List	   *gone = NIL;
	Datum		doc;
	bool		isnull;

	json_object_foreach(value, field, v)
	{
		if (strcmp(field, "_id") == 0 || strcmp(field, "_creationTime") == 0)
			continue;			/* dbwrite.c checks them */
		if (patch && json_is_object(v) && json_object_size(v) == 1 && json_object_get(v, "$undefined"))
			gone = lappend(gone, (char *) field);
		else
			json_object_set(fields, field, v);
	}
	PG_TRY();
	{
		doc = ConvexToDatum(fields, JSONBOID, -1, table, SCHEMALESS_DOC, &isnull);
	}
	PG_FINALLY();
	{
		json_decref(fields);
	}
	PG_END_TRY();
	if (removed)
	{
		Datum	   *names = palloc(sizeof(Datum) * Max(1, list_length(gone)));
		int			n = 0;
		ListCell   *lc;

		foreach(lc, gone)
			names[n++] = CStringGetTextDatum(lfirst(lc));
		*removed = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	return doc;
}

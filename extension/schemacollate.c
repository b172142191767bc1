/*
 * schemacollate.c -- the string columns of schema.js tables compare by
 * UTF-8 bytes, as Convex compares strings.
 *
 * Convex orders strings by their UTF-8 bytes ("B" < "Z" < "_" < "a" < "é").
 * A PostgreSQL text column sorts by its collation, by default the
 * database's, which is linguistic in most databases (en_US, ICU: "_" <
 * "a" < "B" < "é" < "z"). So every text column schema.c makes for a
 * v.string() or v.id() field is COLLATE "C", which for UTF-8 is byte
 * order: order(), withIndex ranges, filters (a parameter's default
 * collation yields to the column's), cursors and the btree keys then agree
 * with Convex. Fields kept as jsonb compare through udf_sort_key, bytes
 * already (dbsortkey.c).
 *
 * Columns made before this, or by hand, are given "C" by the next deploy
 * that declares them: ALTER COLUMN ... TYPE text COLLATE "C" in the
 * deploy's transaction. PostgreSQL does not rewrite the table for it (text
 * stays text) but rebuilds the column's indexes, under an ACCESS
 * EXCLUSIVE lock held to the deploy's end. udf's hidden index columns
 * computed from it are dropped first and made again (dbhidden.c). When
 * something of the user's depends on the column in a way PostgreSQL cannot
 * carry over (a view, a rule, a policy, a trigger's column list, a
 * generated column of their own), the column keeps its collation and the
 * deploy goes on with a WARNING that names those objects and the
 * statement to run: refusing a deploy that worked before would break the
 * app for an ordering difference.
 *
 * Runs inside schema.c's SPI connection, as the deployer (the catalog read
 * is read-write, to see the deploy's own DDL). Everything may raise.
 */
#include "udf.h"

#include "schemacollate.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The column type of a text field in DDL: byte order. */
#define TEXT_IN_BYTE_ORDER "text COLLATE pg_catalog.\"C\""

/* The DDL of a field's column type: text in byte order, any other type as it is. */
const char *
SchemaColumnTypeSql(const char *type)
{
	return strcmp(type, "text") == 0 ? TEXT_IN_BYTE_ORDER : type;
}

/*
 * Give the text column field of relid the collation "C" if it has another;
 * a WARNING instead if objects of the user's depend on it.
 */
void
SchemaEnsureByteOrder(Oid relid, const char *table, const char *field)
{
	AttrNumber	att = get_attnum(relid, field);
	Oid			typid;
	int32		typmod;
	Oid			collid;
	Oid			types[2] = {OIDOID, INT4OID};
	Datum		values[2];
	StringInfoData blockers;
	const char *qtable;
	const char *qcol = quote_identifier(field);

	if (att == InvalidAttrNumber)
		return;
	get_atttypetypmodcoll(relid, att, &typid, &typmod, &collid);
	if (typid != TEXTOID || collid == C_COLLATION_OID)
		return;
	qtable = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), table);

	/* what depends on the column, beside what ALTER COLUMN TYPE carries over itself */
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(att);
	if (SPI_execute_with_args("SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) "
							  "FROM pg_catalog.pg_depend d "
							  "LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = d.objid "
							  "WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
							  "AND d.refobjid = $1 AND d.refobjsubid = $2 "
							  /* constraints and statistics are carried over; so are indexes */
							  "AND d.classid NOT IN ('pg_catalog.pg_constraint'::pg_catalog.regclass, "
							  "'pg_catalog.pg_statistic_ext'::pg_catalog.regclass) "
							  "AND NOT (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid <> $1 "
							  "AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = d.objid) IN ('i', 'I')) "
							  /* the column's own default */
							  "AND NOT coalesce(ad.adrelid = $1 AND ad.adnum = $2, false) "
							  /* udf's hidden index columns, which DropHiddenColumnsOn takes away */
							  "AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attgenerated = 's' "
							  "AND pg_catalog.starts_with(a.attname::pg_catalog.text, '_udf_') "
							  "AND ((d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = $1 AND a.attnum = d.objsubid) "
							  "OR (ad.adrelid = $1 AND a.attnum = ad.adnum))) "
							  "ORDER BY 1",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "schema.js: could not read the dependencies of %s", qtable);
	initStringInfo(&blockers);
	for (uint64 r = 0; r < SPI_processed; r++)
		appendStringInfo(&blockers, "%s%s", r ? ", " : "",
						 SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1));
	if (blockers.len > 0)
	{
		ereport(WARNING,
				(errmsg("schema.js: the string field \"%s\" of table \"%s\" keeps the collation \"%s\": order() and "
						"withIndex on it follow that collation, not Convex's UTF-8 byte order",
						field, table, get_collation_name(collid)),
				 errdetail("Objects depend on the column: %s.", blockers.data),
				 errhint("Drop them, deploy again and recreate them; or run ALTER TABLE %s ALTER COLUMN %s TYPE %s yourself.",
						 qtable, qcol, TEXT_IN_BYTE_ORDER)));
		return;
	}
	DropHiddenColumnsOn(relid, field);	/* a generated column's source cannot be altered; the index remakes it */
	if (SPI_execute(psprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s", qtable, qcol, TEXT_IN_BYTE_ORDER), false, 0) < 0)
		elog(ERROR, "schema.js: could not give %s.%s byte order", qtable, qcol);
}

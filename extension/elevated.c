/*
 * elevated.c -- udf's own tables, and running SQL on them as their owner, safely.
 *
 * udf keeps its state in tables closed to everyone but the extension owner
 * (deployments, modules, the table-number registry, the cursor secret), so
 * the SQL that reads and writes them runs as that owner while the caller is
 * any role. That is the situation of a SECURITY DEFINER function, and it has
 * the same hazard: an unqualified name resolved through the caller's
 * search_path runs the caller's own function with the owner's rights. So
 * every elevated statement runs here, under the pattern PostgreSQL documents
 * for SECURITY DEFINER functions, twice over:
 *
 *  - search_path is pinned to "pg_catalog, pg_temp" for the duration (a GUC
 *    nest level, undone on the way out, errors included); pg_temp last, so a
 *    temporary object can never shadow anything;
 *  - the SQL itself schema-qualifies every function and operator it uses
 *    (pg_catalog.x, OPERATOR(pg_catalog.=)) and names udf's tables by their
 *    quoted schema, so a path that is somehow not pinned still resolves the
 *    same way;
 *  - the user id switch carries SECURITY_RESTRICTED_OPERATION, the flag
 *    PostgreSQL's own maintenance commands use, so nothing done meanwhile may
 *    change the session's role or create session-lived state.
 *
 * What may raise: the work itself. On error the user id and search_path are
 * restored before the error propagates, and the (sub)transaction abort that
 * follows finds nothing of ours left to undo.
 */
#include "udf.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* Schema the extension was created in (PostgreSQL 15 exports no helper for it). */
Oid
ExtensionSchema(void)
{
	Oid			ext = get_extension_oid("udf", false);
	Relation	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			schema = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		schema = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(schema))
		elog(ERROR, "could not find the schema of extension udf");
	return schema;
}

/* OID of one of the extension's tables, and its owner; ERROR if it is missing. */
Oid
ExtensionTable(const char *name, Oid *owner)
{
	Oid			relid = get_relname_relid(name, ExtensionSchema());
	HeapTuple	tup;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("udf's table %s is missing", name),
				 errhint("DROP EXTENSION udf; CREATE EXTENSION udf; to reinstall it.")));
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	*owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return relid;
}

/* "schema"."table" for a table of the extension, for SQL text. */
char *
ExtensionTableName(const char *table)
{
	return quote_qualified_identifier(get_namespace_name(ExtensionSchema()), table);
}

/* Run work(arg) as the extension owner, with a fixed search_path and restricted operations. */
void
RunAsExtensionOwner(ElevatedWork work, void *arg)
{
	Oid			owner;
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;

	/* udf_deployment's owner owns them all */
	(void) ExtensionTable("udf_deployment", &owner);
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	save_nestlevel = NewGUCNestLevel();
	PG_TRY();
	{
		(void) set_config_option("search_path", "pg_catalog, pg_temp",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		work(arg);
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(false, save_nestlevel);
		SetUserIdAndSecContext(save_userid, save_sec);
	}
	PG_END_TRY();
}

/*
 * For SQL a background worker runs as a superuser (scheduler.c, crons.c):
 * search_path is pg_catalog, pg_temp until the transaction ends or the
 * returned GUC nest level is undone, so no user object can shadow what
 * that SQL names.
 */
int
PinCatalogSearchPath(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/*
 * elevated.c -- running udf's own SQL as the extension owner, safely.
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

#include "miscadmin.h"
#include "utils/guc.h"

/* Run work(arg) as the extension owner, with a fixed search_path and restricted operations. */
void
RunAsExtensionOwner(ElevatedWork work, void *arg)
{
	Oid			owner = StoreExtensionOwner();
	Oid			save_userid;
	int			save_sec;
	int			save_nestlevel;

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

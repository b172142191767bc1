/*
 * udf.h -- what every C file of the extension includes: postgres.h, udf's
 * own SQLSTATEs, and the header of each file (one header per C file, one for
 * the db family's face; db.h is that family's internal header).
 *
 * Each subsystem has its own file and its own Init function called from
 * _PG_init (udf.c): guc.c-style settings live beside the code that uses
 * them.
 */
#ifndef UDF_H
#define UDF_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"
#include "v8shim/udf_v8.h"


/* SQLSTATEs of our own (class "UD"); the README lists them. */
#define ERRCODE_UDF_JAVASCRIPT_ERROR	MAKE_SQLSTATE('U','D','F','0','0')
#define ERRCODE_UDF_CONVEX_ERROR		MAKE_SQLSTATE('U','D','F','0','1')
#define ERRCODE_UDF_RETURN_VALIDATION	MAKE_SQLSTATE('U','D','F','0','2')
#define ERRCODE_UDF_UNFINISHED			MAKE_SQLSTATE('U','D','F','0','3')
#define ERRCODE_UDF_INVALID_DEPLOYMENT	MAKE_SQLSTATE('U','D','F','1','0')

/* udf.c */
extern void _PG_init(void);

#include "store.h"
#include "auth.h"
#include "bgworker.h"
#include "call.h"
#include "callstack.h"
#include "callstats.h"
#include "clock.h"
#include "codecache.h"
#include "console.h"
#include "contexts.h"
#include "dbops.h"
#include "elevated.h"
#include "errors.h"
#include "ids.h"
#include "invoke.h"
#include "udf_limits.h"
#include "names.h"
#include "nested.h"
#include "optimistic.h"
#include "parked.h"
#include "prng.h"
#include "runtime.h"
#include "schedule.h"
#include "jobtable.h"
#include "jobwriter.h"
#include "scheduler.h"
#include "schedstats.h"
#include "crons.h"
#include "schema.h"
#include "sqlapi.h"
#include "stats.h"
#include "storage.h"
#include "httpd.h"
#include "subxact.h"
#include "trace.h"
#include "udf_syscall.h"
#include "v8_peers.h"

/* SQL-callable functions (deploy.c, invoke.c, trigger.c, info.c, statsview.c, trace.c) are declared by PG_FUNCTION_INFO_V1 */

#endif							/* UDF_H */

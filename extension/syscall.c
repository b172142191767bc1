/*
 * syscall.c -- the Convex syscalls that reach C.
 *
 * The runtime answers the ops it can by itself (function metadata, user
 * identity); every other op arrives here, through one dispatch table keyed by
 * the op's name; an op udf does not have answers "not supported yet"
 * (0A000). Each op is timed and counted toward the running call, and traced
 * when a trace is on (callstats.c; one clock read at each end, none when
 * nothing wants it). The ops that JS may see fail (ctx.db, nested calls) run in an
 * internal subtransaction (subxact.c) and answer errors as values; an error
 * that escapes an op anyway is parked and ends the call (parked.c).
 */
#include "udf.h"

#include "commands/dbcommands.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/json.h"

typedef void (*SyscallHandler) (const char *args, size_t args_len, UdfV8HostResult *out);

typedef struct SyscallEntry
{
	const char *op;
	SyscallHandler handler;
} SyscallEntry;

/* 1.0/getDeploymentMetadata: this database's deployment, as Convex names it. */
static void
OpDeploymentMetadata(const char *args, size_t args_len, UdfV8HostResult *out)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"name\":");
	escape_json(&buf, get_database_name(MyDatabaseId));
	appendStringInfo(&buf, ",\"region\":null,\"class\":\"udf\",\"deployment\":" INT64_FORMAT "}", dep->id);
	out->result = buf.data;
}

static const SyscallEntry syscall_table[] = {
	{"1.0/getDeploymentMetadata", OpDeploymentMetadata},
	{"1.0/runUdf", NestedRunUdf},
	{"1.0/get", DbGet},
	{"1.0/insert", DbInsert},
	{"1.0/shallowMerge", DbPatch},
	{"1.0/replace", DbReplace},
	{"1.0/remove", DbRemove},
	{"1.0/count", DbCount},
	{"1.0/db/normalizeId", DbNormalizeId},
	{"1.0/queryStream", DbQueryStream},
	{"1.0/queryStreamNext", DbQueryStreamNext},
	{"1.0/queryCleanup", DbQueryCleanup},
	{"1.0/queryPage", DbQueryPage},
	{"1.0/getTransactionMetrics", LimitsTransactionMetrics},
};

StaticAssertDecl(lengthof(syscall_table) <= STATS_MAX_OPS, "udf_stats counts every op of the table");

/* The op of row i of the dispatch table (udf_stats names ops by row), or NULL. */
const char *
SyscallOpName(int i)
{
	return i >= 0 && i < (int) lengthof(syscall_table) ? syscall_table[i].op : NULL;
}

/* Host callback: run one syscall; never raises. */
void
SyscallDispatch(const char *op, const char *args, size_t args_len, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			row = -1;
	SyscallTimer timer = {0};

	for (size_t i = 0; i < lengthof(syscall_table); i++)
	{
		if (strcmp(syscall_table[i].op, op) == 0)
		{
			row = (int) i;
			break;
		}
	}
	if (row < 0)
	{
		out->error_message = psprintf("udf does not support the Convex syscall \"%s\" yet", op);
		out->error_code = "0A000";
		return;
	}
	PG_TRY();
	{
		CallStatsSyscallBegin(&timer, row, op, args, args_len);
		syscall_table[row].handler(args, args_len, out);
		CallStatsSyscallEnd(&timer, out, true);
	}
	PG_CATCH();
	{
		/* no subtransaction was rolled back for it: JS may not go on, so it ends the call */
		ParkError(cxt);
		out->error_message = "syscall failed";
		CallStatsSyscallEnd(&timer, NULL, false);
	}
	PG_END_TRY();
}

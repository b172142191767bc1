/*
 * syscall.c -- the Convex syscalls that reach C.
 *
 * The runtime answers the ops it can by itself (function metadata, user
 * identity); every other op arrives here, through one dispatch table keyed by
 * the op's name; an op udf does not have answers "not supported yet"
 * (0A000). The ops that JS may see fail (ctx.db, nested calls) run in an
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
	{"1.0/schedule", ScheduleOp},
	{"1.0/cancel_job", ScheduleCancelOp},
	{"1.0/actions/schedule", ScheduleActionOp},
	{"1.0/actions/cancel_job", ScheduleActionCancelOp},
};

/* Host callback: run one syscall; never raises. */
void
SyscallDispatch(const char *op, const char *args, size_t args_len, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	const SyscallEntry *entry = NULL;

	for (size_t i = 0; i < lengthof(syscall_table); i++)
	{
		if (strcmp(syscall_table[i].op, op) == 0)
		{
			entry = &syscall_table[i];
			break;
		}
	}
	if (entry == NULL)
	{
		out->error_message = psprintf("udf does not support the Convex syscall \"%s\" yet", op);
		out->error_code = "0A000";
		return;
	}
	PG_TRY();
	{
		entry->handler(args, args_len, out);
	}
	PG_CATCH();
	{
		/* no subtransaction was rolled back for it: JS may not go on, so it ends the call */
		ParkError(cxt);
		out->error_message = "syscall failed";
	}
	PG_END_TRY();
}

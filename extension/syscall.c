/*
 * syscall.c -- what the runtime asks of C: the Convex syscalls, and the
 * runtime's own typed ops beside them.
 *
 * Syscalls are the versioned ABI the convex package calls (JSON text in).
 * The runtime answers the ones it can by itself (function metadata, user
 * identity); every other one arrives here, through one dispatch table keyed
 * by the op's name; a syscall udf does not have answers "not supported
 * yet" (0A000). Typed ops are the runtime's own questions (udf-runtime's
 * ops.js: what a write addresses, a nested call), with typed arguments and
 * no JSON to parse; they have a table of their own, as Convex's runtime
 * keeps its ops apart from its syscalls.
 *
 * The handlers that JS may see fail (ctx.db, nested calls) run in an
 * internal subtransaction (subxact.c) and answer errors as values; an error
 * that escapes a handler anyway is parked and ends the call (parked.c).
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

typedef struct OpEntry
{
	const char *name;
	TypedOpHandler handler;
	int			nargs;			/* exactly this many arguments */
} OpEntry;

static void OpDeploymentMetadata(const char *args, size_t args_len, UdfV8HostResult *out);
static bool Guarded(void (*run) (void *arg, UdfV8HostResult *out), void *arg, UdfV8HostResult *out);
static void RunSyscall(void *arg, UdfV8HostResult *out);
static void RunTypedOp(void *arg, UdfV8HostResult *out);

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

static const OpEntry op_table[] = {
	{"db/writeTarget", DbWriteTarget, 4},
	{"runUdf", NestedRunUdf, 6},
};

/* A syscall and its arguments, for Guarded. */
typedef struct SyscallRun
{
	const SyscallEntry *entry;
	const char *args;
	size_t		args_len;
} SyscallRun;

/* A typed op and its arguments, for Guarded. */
typedef struct TypedOpRun
{
	const OpEntry *entry;
	const UdfV8Arg *args;
	int			nargs;
} TypedOpRun;

/* Run a handler; an error it lets escape is parked (it ends the call). */
static bool
Guarded(void (*run) (void *arg, UdfV8HostResult *out), void *arg, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile bool ok = true;

	PG_TRY();
	{
		run(arg, out);
	}
	PG_CATCH();
	{
		/* no subtransaction was rolled back for it: JS may not go on, so it ends the call */
		ParkError(cxt);
		out->error_message = "syscall failed";
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/* Guarded's work for a syscall. */
static void
RunSyscall(void *arg, UdfV8HostResult *out)
{
	SyscallRun *r = arg;

	r->entry->handler(r->args, r->args_len, out);
}

/* Guarded's work for a typed op. */
static void
RunTypedOp(void *arg, UdfV8HostResult *out)
{
	TypedOpRun *r = arg;

	r->entry->handler(r->args, r->nargs, out);
}

/* Host callback: run one syscall; never raises. */
void
SyscallDispatch(const char *op, const char *args, size_t args_len, UdfV8HostResult *out)
{
	SyscallRun	run = {NULL, args, args_len};

	for (size_t i = 0; i < lengthof(syscall_table); i++)
	{
		if (strcmp(syscall_table[i].op, op) == 0)
		{
			run.entry = &syscall_table[i];
			break;
		}
	}
	if (run.entry == NULL)
	{
		out->error_message = psprintf("udf does not support the Convex syscall \"%s\" yet", op);
		out->error_code = "0A000";
		return;
	}
	(void) Guarded(RunSyscall, &run, out);
}

/* Host callback: run one typed op of the runtime; never raises. */
void
SyscallDispatchOp(const char *name, const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	TypedOpRun	run = {NULL, args, nargs};

	for (size_t i = 0; i < lengthof(op_table); i++)
	{
		if (strcmp(op_table[i].name, name) == 0)
		{
			run.entry = &op_table[i];
			break;
		}
	}
	/* the runtime is ours: a wrong name or arity is a bug in udf */
	if (run.entry == NULL || run.entry->nargs != nargs)
	{
		out->error_message = psprintf("udf internal error: typed op \"%s\" with %d arguments", name, nargs);
		out->error_code = "XX000";
		return;
	}
	(void) Guarded(RunTypedOp, &run, out);
}

/* A typed op's string argument i, or NULL for null. */
const char *
OpArgString(const UdfV8Arg *args, int i)
{
	return args[i].is_number ? NULL : args[i].str;
}

/* A typed op's number (or boolean) argument i; 0 for null. */
double
OpArgNumber(const UdfV8Arg *args, int i)
{
	return args[i].is_number ? args[i].num : 0;
}

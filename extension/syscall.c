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
 * Each request is timed and counted toward the running call, and traced
 * when a trace is on (callstats.c; one clock read at each end, none when
 * nothing wants it); udf_stats names requests by their row in the table.
 *
 * The handlers that JS may see fail (ctx.db, nested calls) run in an
 * internal subtransaction (subxact.c) and answer errors as values; an error
 * that escapes a handler anyway is parked and ends the call (parked.c).
 */
#include "udf.h"

#include "commands/dbcommands.h"
#include "crypto.h"
#include "fetch.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/json.h"

typedef void (*SyscallHandler) (const char *args, size_t args_len, UdfV8HostResult *out);

/* A syscall (handler set) or a typed op (op set, with its exact arity), by name. */
typedef struct HostEntry
{
	const char *name;
	SyscallHandler handler;
	TypedOpHandler op;
	int			nargs;
} HostEntry;

/* One request to run: its entry and its arguments, JSON text or typed. */
typedef struct HostRequest
{
	const HostEntry *entry;
	const char *args;
	size_t		args_len;
	const UdfV8Arg *typed_args;
	int			nargs;
	bool		typed;			/* the typed form (an entry may have both) */
} HostRequest;

static void OpDeploymentMetadata(const char *args, size_t args_len, UdfV8HostResult *out);
static const HostEntry *FindEntry(const char *name);
static void RunGuarded(const HostRequest *req, UdfV8HostResult *out);

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

/* Convex's syscalls, then the runtime's typed ops (names without a version). */
static const HostEntry host_table[] = {
	{"1.0/getDeploymentMetadata", OpDeploymentMetadata},
	{"1.0/get", DbGet, DbGetTyped, 2},	/* typed: the runtime's db.get */
	{"1.0/insert", DbInsert, DbInsertTyped, 3},	/* typed: the runtime's db.insert */
	{"1.0/shallowMerge", DbPatch},
	{"1.0/replace", DbReplace},
	{"1.0/remove", DbRemove},
	{"1.0/count", DbCount},
	{"1.0/db/normalizeId", DbNormalizeId},
	{"1.0/queryStream", DbQueryStream},
	{"1.0/queryStreamNext", DbQueryStreamNext},
	{"1.0/queryCleanup", DbQueryCleanup},
	{"1.0/queryPage", DbQueryPage},
	{"1.0/actions/vectorSearch", DbVectorSearch},
	{"1.0/getTransactionMetrics", LimitsTransactionMetrics},
	{"1.0/storageGetUrl", StorageGetUrl},
	{"1.0/storageGetMetadata", StorageGetMetadata},
	{"1.0/storageGenerateUploadUrl", StorageGenerateUploadUrl},
	{"1.0/storageDelete", StorageDeleteSyscall},
	{"1.0/storageStore", StorageStore},
	{"1.0/storageGet", StorageGet},
	{"1.0/schedule", ScheduleOp},
	{"1.0/cancel_job", ScheduleCancelOp},
	{"1.0/actions/schedule", ScheduleActionOp},
	{"1.0/actions/cancel_job", ScheduleActionCancelOp},
	{"db/writeTarget", NULL, DbWriteTarget, 4},
	{"db/idTable", NULL, DbIdTable, 2},
	{"db/queryNext", NULL, DbQueryNext, 2},
	{"auth/identity", NULL, AuthIdentity, 0},
	{"runUdf", NULL, NestedRunUdf, 6},
	{"fetch/start", NULL, FetchStart, 5},
	{"fetch/abort", NULL, FetchAbort, 1},
	{"crypto/random", NULL, CryptoRandom, 1},
	{"crypto/digest", NULL, CryptoDigest, 2},
	{"crypto/hmac", NULL, CryptoHmac, 3},
	{"crypto/aesGcm", NULL, CryptoAesGcm, 6},
	{"crypto/pbkdf2", NULL, CryptoPbkdf2, 5},
	{"crypto/hkdf", NULL, CryptoHkdf, 5},
	{"crypto/keyImport", NULL, CryptoKeyImport, 4},
	{"crypto/keyExport", NULL, CryptoKeyExport, 3},
	{"crypto/keyGenerate", NULL, CryptoKeyGenerate, 3},
	{"crypto/sign", NULL, CryptoSign, 5},
	{"crypto/verify", NULL, CryptoVerify, 6},
	{"crypto/rsaOaep", NULL, CryptoRsaOaep, 5},
	{"crypto/ecdh", NULL, CryptoEcdh, 3},
	{"crypto/aes", NULL, CryptoAes, 6},
	{"crypto/aesKw", NULL, CryptoAesKw, 3},
	{"http/streamStart", NULL, HttpStreamStartOp, 2},
	{"http/streamWrite", NULL, HttpStreamWriteOp, 1},
};

StaticAssertDecl(lengthof(host_table) <= STATS_MAX_OPS, "udf_stats counts every row of the table");

/* The name of row i of the table (udf_stats names ops by row), or NULL. */
const char *
SyscallOpName(int i)
{
	return i >= 0 && i < (int) lengthof(host_table) ? host_table[i].name : NULL;
}

/* The entry of a syscall or typed op, or NULL. */
static const HostEntry *
FindEntry(const char *name)
{
	for (size_t i = 0; i < lengthof(host_table); i++)
	{
		if (strcmp(host_table[i].name, name) == 0)
			return &host_table[i];
	}
	return NULL;
}

/* Run a request's handler; an error it lets escape is parked (it ends the call). */
static void
RunGuarded(const HostRequest *req, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	SyscallTimer timer = {0};
	const char *args = req->args;
	size_t		args_len = req->args_len;

	/* a syscall's typed form (first argument its table) is traced as its JSON form names it */
	if (req->typed && req->entry->handler && req->nargs > 0 && TraceActive() && OpArgString(req->typed_args, 0))
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"table\":");
		escape_json(&buf, OpArgString(req->typed_args, 0));
		appendStringInfoChar(&buf, '}');
		args = buf.data;
		args_len = buf.len;
	}
	PG_TRY();
	{
		CallStatsSyscallBegin(&timer, (int) (req->entry - host_table), req->entry->name,
							  args, args_len);
		if (!req->typed)
			req->entry->handler(req->args, req->args_len, out);
		else
			req->entry->op(req->typed_args, req->nargs, out);
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

/* Host callback: run one syscall; never raises. */
void
SyscallDispatch(const char *op, const char *args, size_t args_len, UdfV8HostResult *out)
{
	HostRequest req = {FindEntry(op), args, args_len, NULL, 0, false};

	if (req.entry == NULL || req.entry->handler == NULL)
	{
		out->error_message = psprintf("udf does not support the Convex syscall \"%s\" yet", op);
		out->error_code = "0A000";
		return;
	}
	RunGuarded(&req, out);
}

/* Host callback: run one typed op of the runtime; never raises. */
void
SyscallDispatchOp(const char *name, const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	HostRequest req = {FindEntry(name), NULL, 0, args, nargs, true};

	/* the runtime is ours: a wrong name or arity is a bug in udf */
	if (req.entry == NULL || req.entry->op == NULL || req.entry->nargs != nargs)
	{
		out->error_message = psprintf("udf internal error: typed op \"%s\" with %d arguments", name, nargs);
		out->error_code = "XX000";
		return;
	}
	RunGuarded(&req, out);
}

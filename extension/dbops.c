/*
 * dbops.c -- ctx.db: the Convex database syscalls as SQL over SPI; the op
 * wrapper and the entry points the syscall table (syscall.c) calls.
 *
 * Every op runs through subxact.c's trampoline: an internal subtransaction
 * and SPI connection per op, so a PostgreSQL error (unique violation,
 * permission denied, RLS, check constraint) becomes a JS exception the
 * function may catch, with the transaction still usable. In an optimistic
 * attempt (optimistic.c) the op runs in the attempt's one subtransaction
 * instead, and an error re-runs the call carefully (RunDbOp). SQL runs as the
 * calling role: GRANTs and row-level security apply. Every identifier is
 * quoted and every value is a parameter.
 *
 * Lifecycle of one op (RunOp): parse the syscall's JSON arguments (jansson,
 * malloc'd: freed in PG_FINALLY whatever happens), SPI_connect, run the op,
 * copy its result (text, or host values) out of SPI's memory into the
 * caller's (the trampoline's) context, SPI_finish. On an error SPI's memory
 * goes with the subtransaction's abort.
 *
 * Tables are resolved by name the way SQL resolves them (search_path, or
 * "schema.table"). A *managed* table (made from schema.js) has `_id` (text,
 * primary key: a Convex id encoding the table's number) and `_creationTime`
 * (float8); its SQL NULLs are missing fields. Any other table works too:
 * its single-column primary key, as text, is the document's `_id`, and its
 * NULLs are nulls.
 *
 * Queries compile to one SELECT: withIndex ranges become predicates on the
 * index's columns (Convex's range rules are checked first), filters become
 * WHERE clauses that follow Convex's total order across types, order and
 * take become ORDER BY and LIMIT. Rows stream through a portal, fetched one
 * document per queryStreamNext.
 *
 * Lost updates: in a mutation every row read (get, query) is locked FOR
 * UPDATE as it is read, so concurrent read-modify-write mutations on one
 * document serialize under READ COMMITTED; under SERIALIZABLE, conflicts
 * reach the caller as SQLSTATE 40001.
 *
 * db.h lists the family's files and what each one owns.
 */
#include "db.h"

static json_t *ParseArgs(const char *args, size_t len);
static bool RunOp(void *arg, UdfV8HostResult *out);
static void RunDbOp(void *call, UdfV8HostResult *out);
static void OpAnyQueryPage(json_t *root, size_t len, UdfV8HostResult *out);

/* One op to run: a syscall's JSON arguments and handler, or a typed op's. */
typedef struct OpCall
{
	const char *args;
	size_t		len;
	DbOp		op;
	const UdfV8Arg *typed_args;
	DbTypedOp	typed_op;
} OpCall;

/* Parse syscall args; ERROR on malformed JSON. */
static json_t *
ParseArgs(const char *args, size_t len)
{
	json_error_t jerr;
	json_t	   *root = json_loadb(args, len, JSON_DECODE_ANY, &jerr);

	if (!root || !json_is_object(root))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid syscall arguments: %s", root ? "not an object" : jerr.text);
	return root;
}

/* ops running now: more than one when an op's SQL ran a function that made another */
static int	ops_running = 0;

/* Subtransaction work for every db op: parse, connect, run, and always free the JSON. */
static bool
RunOp(void *arg, UdfV8HostResult *out)
{
	OpCall	   *call = arg;
	json_t	   *root = call->op ? ParseArgs(call->args, call->len) : NULL;

	/* caches shrink only while no op holds what they handed out */
	if (ops_running == 0)
	{
		TableCacheTrim();
		PlanCacheTrim();
	}
	ops_running++;
	PlanCacheSetNested(ops_running > 1);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (call->op)
			call->op(root, call->len, out);
		else
			call->typed_op(call->typed_args, out);
		/* the op built its result in SPI's memory, which SPI_finish frees */
		if (out->result)
		{
			size_t		len = out->result_is_values ? out->result_len : strlen(out->result) + 1;

			out->result = memcpy(SPI_palloc(len), out->result, len);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		ops_running--;
		PlanCacheSetNested(ops_running > 1);
		if (root)
			json_decref(root);
	}
	PG_END_TRY();
	return false;
}

/* Run an op: in the optimistic attempt's subtransaction if one runs it, else in its own. */
static void
RunDbOp(void *call, UdfV8HostResult *out)
{
	if (OptimisticFastPath())
		RunOptimistically(RunOp, call, out);
	else
		RunInSubtransaction(RunOp, call, out);
}

/* A typed op of the family, run as every db op is (RunDbOp, SPI). */
void
RunTypedDbOp(DbTypedOp op, const UdfV8Arg *args, UdfV8HostResult *out)
{
	OpCall		call = {NULL, 0, NULL, args, op};

	RunDbOp(&call, out);
}


/* 1.0/queryPage: a search query's page (dbsearch.c), any other query's (dbpage.c). */
static void
OpAnyQueryPage(json_t *root, size_t len, UdfV8HostResult *out)
{
	if (IsSearchSource(json_object_get(json_object_get(root, "query"), "source")))
		SearchPage(root, out);
	else
		OpQueryPage(root, len, out);
}


/* ------------------------------------------------------------------ entry points */

/* An exported syscall: its op run by RunOp, through RunDbOp. */
#define DB_OP(fn_name, handler) \
void \
fn_name(const char *args, size_t len, UdfV8HostResult *out) \
{ \
	OpCall		call = {args, len, handler, NULL, NULL}; \
	RunDbOp(&call, out); \
}

DB_OP(DbGet, OpGet)
DB_OP(DbInsert, OpInsert)
DB_OP(DbPatch, OpPatch)
DB_OP(DbReplace, OpReplace)
DB_OP(DbRemove, OpRemove)
DB_OP(DbCount, OpCount)
DB_OP(DbNormalizeId, OpNormalizeId)
DB_OP(DbQueryStream, OpQueryStream)
DB_OP(DbQueryStreamNext, OpQueryStreamNext)
DB_OP(DbQueryCleanup, OpQueryCleanup)
DB_OP(DbQueryPage, OpAnyQueryPage)
DB_OP(DbVectorSearch, OpVectorSearch)

/* 1.0/insert as a typed op: OpInsertTyped (dbwrite.c) in an op's subtransaction. */
void
DbInsertTyped(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	RunTypedDbOp(OpInsertTyped, args, out);
}

/* 1.0/get as a typed op: OpGetTyped (dbquery.c) in an op's subtransaction. */
void
DbGetTyped(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	RunTypedDbOp(OpGetTyped, args, out);
}

/* db/queryNext, the typed op: OpQueryNext (dbquery.c) in an op's subtransaction. */
void
DbQueryNext(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	RunTypedDbOp(OpQueryNext, args, out);
}

/*
 * db/writeTarget, the typed op: an insert's table known to the table cache
 * answered at once (WriteTargetCached, dbwrite.c: nothing there can fail
 * for JS to catch), any other OpWriteTarget in an op's subtransaction.
 */
void
DbWriteTarget(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	if (WriteTargetCached(args, out))
		return;
	RunTypedDbOp(OpWriteTarget, args, out);
}

/* db/idTable, the typed op: OpIdTable (dbidtable.c) in an op's subtransaction. */
void
DbIdTable(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	RunTypedDbOp(OpIdTable, args, out);
}

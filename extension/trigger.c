/*
 * trigger.c -- udf_trigger(): a trigger function that runs a mutation.
 *
 *   CREATE TRIGGER t AFTER INSERT OR UPDATE ON orders FOR EACH ROW
 *     EXECUTE FUNCTION udf_trigger('orders:onChange', 'extra', 'args');
 *
 * The mutation (internal ones too) runs in the statement's transaction with
 * {op, when, level, table, schema, old, new, args} (rows as ctx.db reads
 * them; for statement-level AFTER triggers with transition tables, oldRows
 * and newRows hold them as arrays). For BEFORE ROW triggers an object it
 * returns replaces the row, null skips it, undefined keeps it; other
 * triggers ignore the result. A function that throws aborts the statement.
 * Triggers fired by a mutation's own writes nest, bounded by
 * udf.max_call_depth like ctx.runMutation.
 */
#include "udf.h"

#include "writer.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(udf_trigger);

static char *RunTriggerMutation(const char *name, const ValueWriter *args);

/*
 * Run a mutation for a trigger: in the statement's transaction, with
 * the host values written in args as its arguments.
 * Returns its outcome as the runtime answers it (call.js): the returned
 * row's JSON text, "null" (skip the row) or "" (undefined: keep it).
 * Errors abort the statement.
 */
static char *
RunTriggerMutation(const char *name, const ValueWriter *args)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	const ResolvedFunction *resolved = NameResolve(dep, name);
	FunctionName fn = resolved->fn;
	const char *kind = resolved->kind;
	UdfV8Error	err;
	char	   *result_json = NULL;
	InvokeCall	call = {0};
	char		seed[33];

	if (dep->id == 0 || kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("udf_trigger: could not find the function '%s'", fn.display),
				 errhint("SELECT * FROM udf_functions() lists the deployed functions.")));
	if (strcmp(kind, "mutation") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("udf_trigger: '%s' is a %s; triggers run mutations", fn.display, kind)));
	if (CallStackTooDeep())
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("Too many nested function calls: the trigger calling %s would nest %d deep (limit: %d, udf.max_call_depth).",
						fn.display, CallStackDepth(), CallStackMaxDepth()),
				 errhint("A trigger whose mutation writes to a table with a udf trigger calls itself again; stop the recursion, or raise udf.max_call_depth.")));

	PrngSeedHex(seed, sizeof(seed));
	call.args_values = args->buf.data;
	call.args_values_len = args->buf.len;
	call.seed = seed;
	call.now_ms = (double) (int64) ClockNowMs();
	call.flags = UDF_INVOKE_ALLOW_INTERNAL | UDF_INVOKE_TRIGGER;
	/* no tagged value (int8, bytea, ...) and only names Convex takes: the runtime need not decode them */
	if (!args->tagged && !args->odd_names)
		call.flags |= UDF_INVOKE_ARGS_PLAIN;
	call.expect_kind = "mutation";

	(void) CallFunction(dep, resolved, CALL_FROM_TRIGGER, &call, &result_json, &err);
	return result_json;
}

/* A transition table's rows as an array of documents. */
static void
WriteTransitionRows(ValueWriter *w, Relation rel, Tuplestorestate *rows)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsMinimalTuple);

	WriterArrayBegin(w);
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		should_free;
		HeapTuple	tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);

		DbWriteRow(w, rel, tuple);
		if (should_free)
			heap_freetuple(tuple);
	}
	WriterArrayEnd(w);
	ExecDropSingleTupleTableSlot(slot);
}

/* A row, or null. */
static void
WriteRowOrNull(ValueWriter *w, Relation rel, HeapTuple tuple)
{
	if (tuple)
		DbWriteRow(w, rel, tuple);
	else
		WriterNull(w);
}

/* udf_trigger() returns trigger */
Datum
udf_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Trigger    *tg;
	Relation	rel;
	TriggerEvent ev;
	const char *op;
	const char *when;
	bool		row_level;
	HeapTuple	old_row = NULL;
	HeapTuple	new_row = NULL;
	ValueWriter args;
	char	   *result;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("udf_trigger() can only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	tg = td->tg_trigger;
	rel = td->tg_relation;
	ev = td->tg_event;
	if (tg->tgnargs < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("udf_trigger needs the mutation to run as its first argument"),
				 errhint("CREATE TRIGGER ... EXECUTE FUNCTION udf_trigger('module:mutation');")));

	op = TRIGGER_FIRED_BY_INSERT(ev) ? "INSERT" : TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE" :
		TRIGGER_FIRED_BY_DELETE(ev) ? "DELETE" : "TRUNCATE";
	when = TRIGGER_FIRED_BEFORE(ev) ? "BEFORE" : TRIGGER_FIRED_AFTER(ev) ? "AFTER" : "INSTEAD OF";
	row_level = TRIGGER_FIRED_FOR_ROW(ev);
	if (row_level)
	{
		if (TRIGGER_FIRED_BY_INSERT(ev))
			new_row = td->tg_trigtuple;
		else if (TRIGGER_FIRED_BY_UPDATE(ev))
		{
			old_row = td->tg_trigtuple;
			new_row = td->tg_newtuple;
		}
		else if (TRIGGER_FIRED_BY_DELETE(ev))
			old_row = td->tg_trigtuple;
	}

	/* the mutation's argument object, as host values */
	WriterInit(&args, true);
	args.check_names = true;
	WriterObjectBegin(&args);
	WriterKey(&args, "op");
	WriterCString(&args, op);
	WriterKey(&args, "when");
	WriterCString(&args, when);
	WriterKey(&args, "level");
	WriterCString(&args, row_level ? "ROW" : "STATEMENT");
	WriterKey(&args, "table");
	WriterCString(&args, RelationGetRelationName(rel));
	WriterKey(&args, "schema");
	WriterCString(&args, get_namespace_name(RelationGetNamespace(rel)));
	WriterKey(&args, "old");
	WriteRowOrNull(&args, rel, old_row);
	WriterKey(&args, "new");
	WriteRowOrNull(&args, rel, new_row);
	WriterKey(&args, "args");
	WriterArrayBegin(&args);
	for (int i = 1; i < tg->tgnargs; i++)
		WriterCString(&args, tg->tgargs[i]);
	WriterArrayEnd(&args);
	if (td->tg_oldtable)
	{
		WriterKey(&args, "oldRows");
		WriteTransitionRows(&args, rel, td->tg_oldtable);
	}
	if (td->tg_newtable)
	{
		WriterKey(&args, "newRows");
		WriteTransitionRows(&args, rel, td->tg_newtable);
	}
	WriterObjectEnd(&args);

	result = RunTriggerMutation(tg->tgargs[0], &args);

	/* only BEFORE ROW triggers change what happens to the row */
	if (!row_level || !TRIGGER_FIRED_BEFORE(ev))
		return PointerGetDatum(NULL);
	if (strcmp(result, "null") == 0)
		return PointerGetDatum(NULL);	/* skip the row */
	if (result[0] != '\0' && !TRIGGER_FIRED_BY_DELETE(ev))
		return PointerGetDatum(DbRowFromDocument(rel, new_row, result, tg->tgargs[0]));
	return PointerGetDatum(new_row ? new_row : old_row);	/* keep it */
}

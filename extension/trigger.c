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
 *
 * Cost per row: a row-level trigger runs once per row, so what does not
 * change from row to row is worked out once per trigger and statement and
 * kept in fn_extra (TriggerSite): the function, resolved and checked for
 * the deployment it was resolved in, and the argument object's constant
 * fields (op, when, level, table, schema before the rows; args after them)
 * already written as host values. A row then costs its old and new tuples
 * written as documents, and the call. The site is checked against the
 * deployment id, the event and the relation's name and schema each time,
 * so a redeploy or a rename within the statement is seen.
 */
#include "udf.h"

#include "writer.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(udf_trigger);

/* What one trigger's calls share within a statement (fn_extra); see the file header. */
typedef struct TriggerSite
{
	int64		dep_id;			/* the deployment resolved is for; -1: none yet */
	const ResolvedFunction *resolved;	/* a mutation of that deployment */
	TriggerEvent event;			/* the event head was written for */
	Oid			relnamespace;	/* ... and the relation's schema */
	NameData	relname;		/* ... and name */
	char	   *head;			/* host values: the fields before old */
	int			head_len;
	uint32		head_fields;
	char	   *tail;			/* host values: args */
	int			tail_len;
	uint32		tail_fields;
	bool		built;			/* head and tail are written */
} TriggerSite;

static char *RunTriggerMutation(TriggerSite *site, const char *name, const ValueWriter *args);

/* The deployed mutation name, resolved and checked once per deployment; ERROR if it is none. */
static const ResolvedFunction *
SiteFunction(TriggerSite *site, const UdfDeployment *dep, const char *name)
{
	const ResolvedFunction *resolved;
	const char *kind;

	if (site->resolved != NULL && site->dep_id == dep->id)
		return site->resolved;
	resolved = NameResolve(dep, name);
	kind = resolved->kind;
	if (dep->id == 0 || kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("udf_trigger: could not find the function '%s'", resolved->fn.display),
				 errhint("SELECT * FROM udf_functions() lists the deployed functions.")));
	if (strcmp(kind, "mutation") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("udf_trigger: '%s' is a %s; triggers run mutations", resolved->fn.display, kind)));
	site->dep_id = dep->id;
	site->resolved = resolved;
	return resolved;
}

/*
 * Run a mutation for a trigger: in the statement's transaction, with
 * the host values written in args as its arguments.
 * Returns its outcome as the runtime answers it (call.js): the returned
 * row's JSON text, "null" (skip the row) or "" (undefined: keep it).
 * Errors abort the statement.
 */
static char *
RunTriggerMutation(TriggerSite *site, const char *name, const ValueWriter *args)
{
	const UdfDeployment *dep = StoreCurrentDeployment();
	const ResolvedFunction *resolved = SiteFunction(site, dep, name);
	FunctionName fn = resolved->fn;
	UdfV8Error	err;
	char	   *result_json = NULL;
	InvokeCall	call = {0};
	char		seed[33];

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

/*
 * A part of the argument object, written once: the bytes of the fields
 * written since start (after the object's header), and how many they are.
 */
static char *
FieldBytes(const ValueWriter *w, const WriterMark *start, int *len, uint32 *nfields)
{
	*len = w->buf.len - start->len;
	*nfields = w->level[w->depth - 1].count - start->count;
	return memcpy(palloc(*len), w->buf.data + start->len, *len);
}

/*
 * This trigger's site for the statement (fn_extra), its constant fields
 * written for this event and relation.
 */
static TriggerSite *
SiteFor(FunctionCallInfo fcinfo, TriggerData *td)
{
	TriggerSite *site = fcinfo->flinfo->fn_extra;
	Relation	rel = td->tg_relation;
	TriggerEvent ev = td->tg_event;
	Trigger    *tg = td->tg_trigger;
	MemoryContext old;
	ValueWriter w;
	WriterMark	start;

	if (site == NULL)
	{
		site = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TriggerSite));
		site->dep_id = -1;
		fcinfo->flinfo->fn_extra = site;
	}
	if (site->built && site->event == ev && site->relnamespace == RelationGetNamespace(rel) &&
		strcmp(NameStr(site->relname), RelationGetRelationName(rel)) == 0)
		return site;

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (site->built)
	{
		pfree(site->head);
		pfree(site->tail);
		site->built = false;
	}
	WriterInit(&w, true);
	WriterObjectBegin(&w);
	WriterMarkHere(&w, &start);
	WriterKey(&w, "op");
	WriterCString(&w, TRIGGER_FIRED_BY_INSERT(ev) ? "INSERT" : TRIGGER_FIRED_BY_UPDATE(ev) ? "UPDATE" :
				  TRIGGER_FIRED_BY_DELETE(ev) ? "DELETE" : "TRUNCATE");
	WriterKey(&w, "when");
	WriterCString(&w, TRIGGER_FIRED_BEFORE(ev) ? "BEFORE" : TRIGGER_FIRED_AFTER(ev) ? "AFTER" : "INSTEAD OF");
	WriterKey(&w, "level");
	WriterCString(&w, TRIGGER_FIRED_FOR_ROW(ev) ? "ROW" : "STATEMENT");
	WriterKey(&w, "table");
	WriterCString(&w, RelationGetRelationName(rel));
	WriterKey(&w, "schema");
	WriterCString(&w, get_namespace_name(RelationGetNamespace(rel)));
	site->head = FieldBytes(&w, &start, &site->head_len, &site->head_fields);
	WriterRewind(&w, &start);
	WriterKey(&w, "args");
	WriterArrayBegin(&w);
	for (int i = 1; i < tg->tgnargs; i++)
		WriterCString(&w, tg->tgargs[i]);
	WriterArrayEnd(&w);
	site->tail = FieldBytes(&w, &start, &site->tail_len, &site->tail_fields);
	pfree(w.buf.data);
	site->event = ev;
	site->relnamespace = RelationGetNamespace(rel);
	namestrcpy(&site->relname, RelationGetRelationName(rel));
	site->built = true;
	MemoryContextSwitchTo(old);
	return site;
}

/* udf_trigger() returns trigger */
Datum
udf_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Trigger    *tg;
	Relation	rel;
	TriggerEvent ev;
	bool		row_level;
	HeapTuple	old_row = NULL;
	HeapTuple	new_row = NULL;
	ValueWriter args;
	TriggerSite *site;
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

	site = SiteFor(fcinfo, td);

	/* the mutation's argument object, as host values: the constant fields as written before */
	WriterInit(&args, true);
	args.check_names = true;
	WriterObjectBegin(&args);
	WriterFields(&args, site->head, site->head_len, site->head_fields);
	WriterKey(&args, "old");
	WriteRowOrNull(&args, rel, old_row);
	WriterKey(&args, "new");
	WriteRowOrNull(&args, rel, new_row);
	WriterFields(&args, site->tail, site->tail_len, site->tail_fields);
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

	result = RunTriggerMutation(site, tg->tgargs[0], &args);

	/* only BEFORE ROW triggers change what happens to the row */
	if (!row_level || !TRIGGER_FIRED_BEFORE(ev))
		return PointerGetDatum(NULL);
	if (strcmp(result, "null") == 0)
		return PointerGetDatum(NULL);	/* skip the row */
	if (result[0] != '\0' && !TRIGGER_FIRED_BY_DELETE(ev))
		return PointerGetDatum(DbRowFromDocument(rel, new_row, result, tg->tgargs[0]));
	return PointerGetDatum(new_row ? new_row : old_row);	/* keep it */
}

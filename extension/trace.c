/*
 * trace.c -- what a function does, syscall by syscall: udf.trace, and the
 * steps udf_invoke_explain (explain.c) collects.
 *
 * While a trace is on (udf.trace not off, or an explain running), every
 * syscall that reaches C gets a step: the function that made it, its op,
 * the table its arguments name, each SQL statement ctx.db prepared or ran
 * for it (dbsql.c reports them through TraceNoteSql), the documents it read
 * and wrote (rows) and its time. Steps nest: a ctx.runQuery's syscalls are
 * steps inside the runUdf step that ran them.
 *
 * udf.trace reports each step as one message when the step ends (so a
 * runUdf's line follows the lines of the call it ran): the message names
 * function, op, table and rows, deterministic so tests can show it; its
 * DETAIL holds the SQL and the time. An explain collects the steps, in the
 * order they started (TraceCollectBegin / TraceAppendCollected /
 * TraceCollectEnd).
 *
 * Memory: steps live in trace_cxt (under TopMemoryContext), reset whenever
 * no step is open and no explain collects them. Steps begin and end inside
 * SyscallDispatch's PG_TRY (it may raise: palloc, the report); the error
 * path only closes the step, without a report.
 */
#include "udf.h"

#include "jansson_pg.h"
#include "writer.h"

#include "fmgr.h"
#include "portability/instr_time.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/memutils.h"


/* One syscall of a traced call. */
struct TraceStep
{
	TraceStep  *parent;			/* the step this one runs inside, if any */
	int			depth;			/* call-stack depth: 1 for the top-level function */
	char	   *function;
	char	   *op;
	char	   *table;			/* NULL if its arguments name none */
	List	   *sql;			/* C strings, in the order they ran */
	int64		rows;
	double		ms;
	char	   *error;			/* NULL if it succeeded */
};

typedef enum TraceLevel
{
	TRACE_OFF = 0,
	TRACE_NOTICE = NOTICE,
	TRACE_LOG = LOG,
	TRACE_DEBUG = DEBUG1
} TraceLevel;

static const struct config_enum_entry trace_options[] = {
	{"off", TRACE_OFF, false},
	{"notice", TRACE_NOTICE, false},
	{"on", TRACE_NOTICE, true},
	{"log", TRACE_LOG, false},
	{"debug", TRACE_DEBUG, false},
	{NULL, 0, false}
};

static int	udf_trace = TRACE_OFF;
static bool collecting = false;	/* an explain is running */
static List *collected = NIL;	/* its steps, in start order */
static TraceStep *open_step = NULL;
static MemoryContext trace_cxt = NULL;

static char *TableOfArgs(const char *args, size_t args_len);
static void AppendStepJson(StringInfo buf, const TraceStep *step);

/* Register udf.trace. */
void
TraceInit(void)
{
	DefineCustomEnumVariable("udf.trace",
							 "Report each syscall of every function call (op, table, SQL, rows, time).",
							 "off, notice (or on), log, or debug (DEBUG1). One message per syscall, "
							 "when it ends; the SQL and the time are in its DETAIL.",
							 &udf_trace,
							 TRACE_OFF, trace_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

/* Is a trace on (udf.trace, or an explain running)? */
bool
TraceActive(void)
{
	return udf_trace != TRACE_OFF || collecting;
}

/* The table a syscall's JSON arguments name: "table", or a query's source; NULL if none (or a typed op). */
static char *
TableOfArgs(const char *args, size_t args_len)
{
	json_error_t jerr;
	json_t	   *root = args ? json_loadb(args, args_len, JSON_DECODE_ANY, &jerr) : NULL;
	json_t	   *source;
	const char *name = NULL;
	char	   *table = NULL;

	if (!root)
		return NULL;
	if (json_is_string(json_object_get(root, "table")))
		name = json_string_value(json_object_get(root, "table"));
	source = json_object_get(json_object_get(root, "query"), "source");
	if (!name && json_is_string(json_object_get(source, "tableName")))
		name = json_string_value(json_object_get(source, "tableName"));
	if (!name && json_is_string(json_object_get(source, "indexName")))
	{
		/* "table.index" */
		const char *index = json_string_value(json_object_get(source, "indexName"));
		const char *dot = strrchr(index, '.');

		table = dot ? pnstrdup(index, dot - index) : pstrdup(index);
	}
	if (name)
		table = pstrdup(name);
	json_decref(root);
	return table;
}

/* A syscall starts: open its step (may raise: call inside the dispatcher's PG_TRY). */
TraceStep *
TraceSyscallBegin(const char *function, const char *op, const char *args, size_t args_len)
{
	MemoryContext old;
	TraceStep  *step;

	if (trace_cxt == NULL)
		trace_cxt = AllocSetContextCreate(TopMemoryContext, "udf trace", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(trace_cxt);
	step = palloc0(sizeof(TraceStep));
	step->depth = CallStackDepth();
	step->function = pstrdup(function ? function : "");
	step->op = pstrdup(op);
	step->table = TableOfArgs(args, args_len);
	if (collecting)
		collected = lappend(collected, step);
	MemoryContextSwitchTo(old);
	step->parent = open_step;
	open_step = step;
	return step;
}

/* ctx.db prepared or ran a statement: note it in the open step, if any. */
void
TraceNoteSql(const char *sql)
{
	MemoryContext old;

	if (!open_step)
		return;
	/* the list cells too: the statement runs in SPI's memory, gone when the op ends */
	old = MemoryContextSwitchTo(trace_cxt);
	open_step->sql = lappend(open_step->sql, pstrdup(sql));
	MemoryContextSwitchTo(old);
}

/* A syscall ended: close its step and, if report is set and udf.trace is on, report it. */
void
TraceSyscallEnd(TraceStep *step, int64 rows, double ms, const char *error, bool report)
{
	StringInfoData detail;
	ListCell   *lc;

	open_step = step->parent;
	step->rows = rows;
	step->ms = ms;
	if (error)
		step->error = MemoryContextStrdup(trace_cxt, error);
	if (report && udf_trace != TRACE_OFF)
	{
		initStringInfo(&detail);
		foreach(lc, step->sql)
			appendStringInfo(&detail, "SQL: %s\n", (char *) lfirst(lc));
		appendStringInfo(&detail, "Time: %.3f ms", ms);
		ereport(udf_trace,
				(errmsg_internal("udf trace: %*s%s %s%s%s: " INT64_FORMAT " row%s%s%s",
								 2 * Max(step->depth - 1, 0), "",
								 *step->function ? step->function : "import", step->op,
								 step->table ? " on " : "", step->table ? step->table : "",
								 rows, rows == 1 ? "" : "s",
								 error ? ", failed: " : "", error ? error : ""),
				 errdetail_internal("%s", detail.data),
				 errhidestmt(true)));
		pfree(detail.data);
	}
	if (open_step == NULL && !collecting)
		MemoryContextReset(trace_cxt);
}

/* Append one step as a JSON object. */
static void
AppendStepJson(StringInfo buf, const TraceStep *step)
{
	ListCell   *lc;

	appendStringInfoString(buf, "{\"op\": ");
	escape_json(buf, step->op);
	appendStringInfoString(buf, ", \"function\": ");
	escape_json(buf, step->function);
	appendStringInfo(buf, ", \"depth\": %d, \"table\": ", step->depth);
	if (step->table)
		escape_json(buf, step->table);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoString(buf, ", \"sql\": [");
	foreach(lc, step->sql)
	{
		if (lc != list_head(step->sql))
			appendStringInfoString(buf, ", ");
		escape_json(buf, lfirst(lc));
	}
	appendStringInfo(buf, "], \"rows\": " INT64_FORMAT ", \"time_ms\": %.3f, \"error\": ",
					 step->rows, step->ms);
	if (step->error)
		escape_json(buf, step->error);
	else
		appendStringInfoString(buf, "null");
	appendStringInfoChar(buf, '}');
}

/* An explain begins collecting the steps of its call; false if one already is. */
bool
TraceCollectBegin(void)
{
	if (collecting)
		return false;
	collecting = true;
	collected = NIL;
	return true;
}

/* The collected steps as a JSON array's elements, appended to buf. */
void
TraceAppendCollected(StringInfo buf)
{
	ListCell   *lc;

	foreach(lc, collected)
	{
		if (lc != list_head(collected))
			appendStringInfoString(buf, ", ");
		AppendStepJson(buf, lfirst(lc));
	}
}

/* The explain ended (however it ended): collecting stops, the steps go. */
void
TraceCollectEnd(void)
{
	collecting = false;
	collected = NIL;
	if (open_step == NULL && trace_cxt)
		MemoryContextReset(trace_cxt);
}

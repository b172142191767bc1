/*
 * schedule.c -- ctx.scheduler: the syscalls 1.0/schedule, 1.0/cancel_job and
 * their action twins 1.0/actions/schedule and 1.0/actions/cancel_job, and
 * udf_cancel_job() from SQL.
 *
 * A job is a row of udf_job (its view is _scheduled_functions), written by
 * the scheduling call in the caller's own transaction, inside the op's
 * internal subtransaction (subxact.c): a mutation that throws, or a nested
 * mutation that is rolled back, leaves nothing scheduled, and a job due now
 * is seen by the workers only once the scheduling transaction has committed.
 * At that commit a transaction callback wakes the database's scheduler
 * workers (bgworker.c), so a job due now starts without any polling delay.
 * An action runs inside a transaction here too (from udf_invoke, the
 * caller's; in a worker, the action's own), so what it schedules commits
 * when that transaction does, not at once as in Convex. A scheduled action
 * that has been canceled while it runs may go on scheduling, but what it
 * schedules is written canceled: it never runs.
 *
 * Checks, as Convex's backend makes them (convex-semantics.md 5.1): the
 * target must be a deployed mutation or action (internal ones too), its
 * arguments must pass its `args` validator (the validator JSON of the live
 * deployment, checked by the running function's own runtime, as dbwrite.c
 * validates documents), the time must be within 5 years of now, and one
 * top-level call may schedule at most 1000 jobs with at most 4 MiB of
 * arguments each and 16 MiB in all. A job records the role that scheduled
 * it (GetUserId at the call); it runs as that role, and only members of the
 * role see or cancel it.
 *
 * The SQL runs as the extension owner (elevated.c); the caller's role is a
 * parameter, never part of the text. Everything here may raise; the op's
 * subtransaction turns that into a JS exception.
 */
#include "udf.h"

#include <math.h>

#include "jansson_pg.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

#define SCHEDULE_MAX_PER_CALL 1000
#define SCHEDULE_MAX_ARGS_BYTES (4 * 1024 * 1024)
#define SCHEDULE_MAX_TOTAL_BYTES (16 * 1024 * 1024)
#define SCHEDULE_MAX_DISTANCE_MS (5.0 * 365 * 24 * 3600 * 1000)

/* One scheduling call, parsed. */
typedef struct ScheduleRequest
{
	const char *args_json;		/* the op's own JSON */
	size_t		args_len;
	bool		from_action;
} ScheduleRequest;

/* The row ScheduleInsert writes. */
typedef struct JobRow
{
	const char *id;
	double		creation_time;
	const char *name;
	const char *args;
	const char *kind;
	double		scheduled_time;
	Oid			owner;
	const char *cron;
	bool		canceled;		/* written canceled: its scheduler was a canceled action */
} JobRow;

/* One cancel, as the elevated work sees it. */
typedef struct CancelRequest
{
	const char *id;
	Oid			caller;
	double		now_ms;
	bool		canceled;
} CancelRequest;

static bool ScheduleWork(void *arg, UdfV8HostResult *out);
static bool CancelWork(void *arg, UdfV8HostResult *out);
static void InsertElevated(void *arg);
static void CancelElevated(void *arg);
static void ScheduleXactCallback(XactEvent event, void *arg);
static void ScheduleCountFromCall(void);
static char *ArgsValidator(const UdfDeployment *dep, const char *name);

static int	scheduled_this_call = 0;
static size_t scheduled_bytes_this_call = 0;
static uint64 counted_call = 0;		/* the top-level call the two above count */
static const char *running_job = NULL;	/* the job this scheduler worker runs */
static bool wake_at_commit = false;
static bool warned_not_preloaded = false;

PG_FUNCTION_INFO_V1(udf_cancel_job);

/* _PG_init: wake the workers at the commit of a transaction that scheduled. */
void
ScheduleInit(void)
{
	RegisterXactCallback(ScheduleXactCallback, NULL);
}

/*
 * The per-call limits count from zero in every top-level call: a new one
 * (the call stack's count of them moved on) resets them.
 */
static void
ScheduleCountFromCall(void)
{
	uint64		call = CallStackTopLevelCalls();

	if (call != counted_call)
	{
		counted_call = call;
		scheduled_this_call = 0;
		scheduled_bytes_this_call = 0;
	}
}

/* The scheduler worker runs job id (NULL: none): a mutation may not cancel its own job. */
void
ScheduleSetRunningJob(const char *id)
{
	running_job = id;
}

/* Transaction callback: a committed job due now must not wait for a poll. */
static void
ScheduleXactCallback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT && wake_at_commit)
		BgwWake(MyDatabaseId, BGW_KIND_SCHEDULER);
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_at_commit = false;
}

/* Wake this database's scheduler workers when the current transaction commits. */
void
ScheduleWakeAtCommit(void)
{
	wake_at_commit = true;
}

/* The id number of _scheduled_functions, the table every job id names. Needs SPI. */
uint32
ScheduleTableNumber(void)
{
	Oid			view = get_relname_relid("_scheduled_functions", ExtensionSchema());

	if (!OidIsValid(view))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("udf's view _scheduled_functions is missing"),
				 errhint("DROP EXTENSION udf; CREATE EXTENSION udf; to reinstall it.")));
	return TableNumberFor(view);
}

/* What ValidatorElevated looks up, and finds. */
typedef struct ValidatorLookup
{
	int64		deployment;
	const char *name;
	char	   *validator;
} ValidatorLookup;

/* Elevated: read a function's `args` validator from udf_deployment. */
static void
ValidatorElevated(void *arg)
{
	ValidatorLookup *look = arg;
	char	   *sql = psprintf("SELECT f OPERATOR(pg_catalog.->) 'args' FROM %s d, "
							   "pg_catalog.jsonb_array_elements(d.functions) f "
							   "WHERE d.id OPERATOR(pg_catalog.=) $1 "
							   "AND f OPERATOR(pg_catalog.->>) 'name' OPERATOR(pg_catalog.=) $2",
							   ExtensionTableName("udf_deployment"));
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2] = {Int64GetDatum(look->deployment), CStringGetTextDatum(look->name)};

	if (SPI_execute_with_args(sql, 2, types, values, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
		look->validator = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* The `args` validator JSON of a deployed function, or NULL if it has none. Needs SPI. */
static char *
ArgsValidator(const UdfDeployment *dep, const char *name)
{
	ValidatorLookup look = {dep->id, name, NULL};

	RunAsExtensionOwner(ValidatorElevated, &look);
	return look.validator;
}

/* Elevated: insert one job row. */
static void
InsertElevated(void *arg)
{
	JobRow	   *row = arg;
	char	   *sql = psprintf("INSERT INTO %s (id, creation_time, name, args, kind, scheduled_time, owner, cron, state, completed_time) "
							   "VALUES ($1, $2, $3, $4::pg_catalog.jsonb, $5, $6, $7::pg_catalog.oid::pg_catalog.regrole, $8, %s)",
							   ExtensionTableName("udf_job"),
							   row->canceled ? "'canceled', $2" : "'pending', NULL");
	Oid			types[8] = {TEXTOID, FLOAT8OID, TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, OIDOID, TEXTOID};
	Datum		values[8] = {CStringGetTextDatum(row->id), Float8GetDatum(row->creation_time),
		CStringGetTextDatum(row->name), CStringGetTextDatum(row->args), CStringGetTextDatum(row->kind),
		Float8GetDatum(row->scheduled_time), ObjectIdGetDatum(row->owner),
	row->cron ? CStringGetTextDatum(row->cron) : (Datum) 0};
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', row->cron ? ' ' : 'n'};

	if (SPI_execute_with_args(sql, 8, types, values, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not insert the scheduled job");
}

/* Elevated: whether the job with this id is canceled. */
static void
CanceledElevated(void *arg)
{
	const char **id = arg;
	char	   *sql = psprintf("SELECT FROM %s WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.=) 'canceled'",
							   ExtensionTableName("udf_job"));
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(*id)};

	/* not read-only: a fresh snapshot sees a cancel committed while the action ran */
	if (SPI_execute_with_args(sql, 1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the state of job %s", *id);
	*id = SPI_processed > 0 ? *id : NULL;
}

/* Write a job (SPI connected, current transaction); returns its id. Wakes the workers at commit. */
char *
ScheduleInsert(const char *name, const char *kind, const char *args_json, double scheduled_ms,
			   Oid owner, const char *cron)
{
	JobRow		row;
	const char *running = running_job;

	row.id = IdNew(ScheduleTableNumber());
	row.creation_time = ClockNextCreationTime();
	row.name = name;
	row.args = args_json;
	row.kind = kind;
	row.scheduled_time = scheduled_ms;
	row.owner = owner;
	row.cron = cron;
	/* what a canceled action schedules does not run (Convex): it is written canceled */
	row.canceled = false;
	if (running && CallStackKind() && strcmp(CallStackKind(), "action") == 0)
	{
		RunAsExtensionOwner(CanceledElevated, &running);
		row.canceled = running != NULL;
	}
	RunAsExtensionOwner(InsertElevated, &row);
	SchedStatsJobWritten(row.canceled);
	ScheduleWakeAtCommit();
	return (char *) row.id;
}

/* Subtransaction work of a schedule op: check everything, then write the job. */
static bool
ScheduleWork(void *arg, UdfV8HostResult *out)
{
	ScheduleRequest *req = arg;
	json_error_t jerr;
	json_t	   *root = json_loadb(req->args_json, req->args_len, 0, &jerr);
	const char *caller_kind = CallStackKind();
	const char *name;
	json_t	   *ts;
	json_t	   *fn_args;
	char	   *args_text;
	size_t		args_bytes;
	double		when_ms;
	double		now_ms = ClockNowMs();
	const UdfDeployment *dep = StoreCurrentDeployment();
	const ResolvedFunction *target;
	char	   *canonical;
	char	   *validator;
	char	   *id;
	StringInfoData result;

	if (!root || !json_is_object(root))
		elog(ERROR, "invalid arguments for 1.0/schedule");
	if (!caller_kind || strcmp(caller_kind, req->from_action ? "action" : "mutation") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ctx.scheduler is only available in mutations and actions, and %s is a %s.",
						CallStackFunction() ? CallStackFunction() : "this function",
						caller_kind && *caller_kind ? caller_kind : "module's import")));
	name = json_string_value(json_object_get(root, "name"));
	if (!name)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg(json_object_get(root, "functionHandle")
						? "udf does not support scheduling function handles yet"
						: "udf does not support scheduling component functions yet"),
				 errhint("Schedule the function by its reference, api.module.name or internal.module.name.")));
	ts = json_object_get(root, "ts");
	if (!json_is_number(ts) || !isfinite(json_number_value(ts)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("InvalidScheduledFunctionDelay: the scheduled time must be a finite number")));
	when_ms = json_number_value(ts) * 1000.0;
	if (when_ms > now_ms + SCHEDULE_MAX_DISTANCE_MS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("InvalidScheduledFunctionDelay: %s is scheduled more than 5 years in the future", name)));
	if (when_ms < now_ms - SCHEDULE_MAX_DISTANCE_MS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("InvalidScheduledFunctionDelay: %s is scheduled more than 5 years in the past", name)));

	target = NameResolve(dep, name);
	if (!target->has_module || target->kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("Attempted to schedule function at nonexistent path: %s", target->fn.display),
				 errhint("SELECT * FROM udf_functions() lists the deployed functions.")));
	if (strcmp(target->kind, "mutation") != 0 && strcmp(target->kind, "action") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("Only mutations and actions can be scheduled, and %s is %s.", target->fn.display,
						strcmp(target->kind, "query") == 0 ? "a query" : "an HTTP action")));

	ScheduleCountFromCall();
	if (++scheduled_this_call > SCHEDULE_MAX_PER_CALL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("TooManyFunctionsScheduled: %s scheduled more than %d functions in one call",
						CallStackFunction(), SCHEDULE_MAX_PER_CALL),
				 errhint("Schedule one function that schedules the rest in batches.")));
	fn_args = json_object_get(root, "args");
	args_text = json_dumps(fn_args ? fn_args : json_pack("{}"), JSON_COMPACT | JSON_ENCODE_ANY);
	args_bytes = strlen(args_text);
	if (args_bytes > SCHEDULE_MAX_ARGS_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("TooManyBytesScheduled: the arguments of %s are %zu bytes (maximum %d per scheduled function)",
						target->fn.display, args_bytes, SCHEDULE_MAX_ARGS_BYTES)));
	scheduled_bytes_this_call += args_bytes;
	if (scheduled_bytes_this_call > SCHEDULE_MAX_TOTAL_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("TooManyBytesScheduled: %s scheduled %zu bytes of arguments in one call (maximum %d)",
						CallStackFunction(), scheduled_bytes_this_call, SCHEDULE_MAX_TOTAL_BYTES)));

	canonical = psprintf("%s:%s", target->fn.module, target->fn.export_name);
	SPI_connect();
	validator = ArgsValidator(dep, target->fn.display);
	if (validator && CallStackContext())
	{
		const char *vargs[3] = {target->fn.display, validator, pstrdup(args_text)};
		char	   *ignored;
		UdfV8Error	err;

		if (udf_v8_call(CallStackContext(), "validateScheduledArgs", NULL, vargs, 3, &ignored, &err) != UDF_V8_OK)
			ereport(ERROR,
					(errcode(SqlstateFromString(err.code, ERRCODE_INVALID_PARAMETER_VALUE)),
					 errmsg_internal("%s", err.message ? err.message : "invalid arguments"),
					 err.detail ? errdetail_internal("%s", err.detail) : 0));
	}
	id = ScheduleInsert(canonical, target->kind, args_text, when_ms, GetUserId(), NULL);
	free(args_text);
	SPI_finish();
	json_decref(root);

	if (!BgwAvailable() && !warned_not_preloaded)
	{
		warned_not_preloaded = true;
		ereport(WARNING,
				(errmsg("scheduled functions run only when udf is in shared_preload_libraries"),
				 errdetail("The job is recorded, and runs once a server with the library preloaded starts."),
				 errhint("Add udf to shared_preload_libraries in postgresql.conf and restart the server.")));
	}
	else if (BgwAvailable() && BgwKindWorkers(BGW_KIND_SCHEDULER) == 0 && !warned_not_preloaded)
	{
		warned_not_preloaded = true;
		ereport(WARNING,
				(errmsg("no worker runs scheduled functions: udf.scheduler_max_workers is 0"),
				 errdetail("The job is recorded, and runs once workers are allowed."),
				 errhint("Set udf.scheduler_max_workers above 0 and reload the configuration.")));
	}
	initStringInfo(&result);
	escape_json(&result, id);
	out->result = result.data;
	return false;
}

/* Elevated: cancel one job of the caller's roles if it has not finished. */
static void
CancelElevated(void *arg)
{
	CancelRequest *req = arg;
	char	   *sql = psprintf("UPDATE %s SET state = 'canceled', completed_time = $2 "
							   "WHERE id OPERATOR(pg_catalog.=) $1 "
							   "AND state OPERATOR(pg_catalog.=) ANY ('{pending,inProgress}'::text[]) "
							   "AND pg_catalog.pg_has_role($3, owner, 'MEMBER')",
							   ExtensionTableName("udf_job"));
	Oid			types[3] = {TEXTOID, FLOAT8OID, OIDOID};
	Datum		values[3] = {CStringGetTextDatum(req->id), Float8GetDatum(req->now_ms), ObjectIdGetDatum(req->caller)};

	if (SPI_execute_with_args(sql, 3, types, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not cancel the scheduled job");
	req->canceled = SPI_processed > 0;
}

/* Cancel a job by id as the current role (SPI connected); true if it was pending or running. */
static bool
CancelJob(const char *what, const char *id)
{
	CancelRequest req = {id, GetUserId(), ClockNowMs(), false};
	uint32		number;

	if (!IdDecode(id, &number) || number != ScheduleTableNumber())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Invalid argument `id` for `%s`: \"%s\" is not an id of _scheduled_functions", what, id)));
	RunAsExtensionOwner(CancelElevated, &req);
	if (req.canceled)
		SchedStatsJobCanceled();
	return req.canceled;
}

/* Subtransaction work of a cancel op. */
static bool
CancelWork(void *arg, UdfV8HostResult *out)
{
	ScheduleRequest *req = arg;
	json_error_t jerr;
	json_t	   *root = json_loadb(req->args_json, req->args_len, 0, &jerr);
	const char *id = root ? json_string_value(json_object_get(root, "id")) : NULL;
	const char *running = running_job;

	if (!id)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Invalid argument `id` for `db.cancel_job`, expected a string id")));
	if (!req->from_action && running && strcmp(running, id) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ScheduledFunctionCancelingItself: A mutation cannot cancel itself")));
	SPI_connect();
	(void) CancelJob("db.cancel_job", id);
	SPI_finish();
	json_decref(root);
	out->result = "null";
	return false;
}

/* 1.0/schedule {name, ts, args, version} -> the job's id */
void
ScheduleOp(const char *args, size_t args_len, UdfV8HostResult *out)
{
	ScheduleRequest req = {args, args_len, false};

	RunInSubtransaction(ScheduleWork, &req, out);
}

/* 1.0/actions/schedule {requestId, name, ts, args, version} -> the job's id */
void
ScheduleActionOp(const char *args, size_t args_len, UdfV8HostResult *out)
{
	ScheduleRequest req = {args, args_len, true};

	RunInSubtransaction(ScheduleWork, &req, out);
}

/* 1.0/cancel_job {id} -> null */
void
ScheduleCancelOp(const char *args, size_t args_len, UdfV8HostResult *out)
{
	ScheduleRequest req = {args, args_len, false};

	RunInSubtransaction(CancelWork, &req, out);
}

/* 1.0/actions/cancel_job {requestId, id} -> null */
void
ScheduleActionCancelOp(const char *args, size_t args_len, UdfV8HostResult *out)
{
	ScheduleRequest req = {args, args_len, true};

	RunInSubtransaction(CancelWork, &req, out);
}

/* udf_cancel_job(id text) returns boolean: cancel a job of the caller's roles. */
Datum
udf_cancel_job(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		canceled;

	SPI_connect();
	canceled = CancelJob("udf_cancel_job", id);
	SPI_finish();
	PG_RETURN_BOOL(canceled);
}

/*
 * jobtable.c -- the rows of udf_job (the table behind _scheduled_functions):
 * a job written, a job canceled, and the scheduler workers woken when the
 * transaction that wrote one commits.
 *
 * schedule.c (ctx.scheduler in the caller's transaction), jobwriter.c (an
 * action's schedules, committed at once by a background worker) and
 * crons.c write jobs through here. The SQL runs as the extension owner
 * (elevated.c); the job's role is a parameter, never part of the text.
 * Everything here may raise; callers run it inside a subtransaction or a
 * transaction of their own.
 */
#include "udf.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

static bool wake_at_commit = false;

static void InsertElevated(void *arg);
static void CancelElevated(void *arg);
static void JobTableXactCallback(XactEvent event, void *arg);

/* One cancel, as the elevated work sees it. */
typedef struct CancelRequest
{
	const char *id;
	Oid			caller;
	double		now_ms;
	bool		canceled;
} CancelRequest;

/* _PG_init: wake the workers at the commit of a transaction that scheduled. */
void
JobTableInit(void)
{
	RegisterXactCallback(JobTableXactCallback, NULL);
}

/* Transaction callback: a committed job due now must not wait for a poll. */
static void
JobTableXactCallback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT && wake_at_commit)
		BgwWake(MyDatabaseId, BGW_KIND_SCHEDULER);
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		wake_at_commit = false;
}

/* Wake this database's scheduler workers when the current transaction commits. */
void
JobTableWakeAtCommit(void)
{
	wake_at_commit = true;
}

/* Elevated: insert one job row. */
static void
InsertElevated(void *arg)
{
	const JobRow *row = arg;
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

/* Write a job row in the current transaction (SPI connected); the workers wake at commit. */
void
JobTableInsert(const JobRow *row)
{
	RunAsExtensionOwner(InsertElevated, (void *) row);
	SchedStatsJobWritten(row->canceled);
	JobTableWakeAtCommit();
}

/* Cancel a job of caller's roles in the current transaction (SPI connected); true if it had not finished. */
bool
JobTableCancel(const char *id, Oid caller, double now_ms)
{
	CancelRequest req = {id, caller, now_ms, false};

	RunAsExtensionOwner(CancelElevated, &req);
	if (req.canceled)
		SchedStatsJobCanceled();
	return req.canceled;
}

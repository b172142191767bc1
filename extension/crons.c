/*
 * crons.c -- crons.js: the deployment's cron jobs, replaced by each deploy
 * and started as scheduled jobs by the scheduler workers.
 *
 * At deploy, the runtime reads crons.js's default export (the convex
 * package's cronJobs() object) and hands over each cron as {name, function,
 * args, schedule}, the schedule reduced to an interval in ms or a standard
 * 5-field cron expression in UTC (hourly, daily, weekly and monthly become
 * one). CronsApply then checks every cron (its function must be a deployed
 * mutation or action, its expression must parse) and replaces the rows of
 * udf_cron in the deploy's transaction: a deploy that fails changes no
 * cron, one without crons.js removes them all. A cron whose name and
 * schedule are unchanged keeps its next run; a new or changed one gets its
 * next run from now. Crons run as the role that deployed them.
 *
 * In the workers, CronRunDue takes each due cron FOR UPDATE SKIP LOCKED (one
 * worker per cron), writes its run as a job of udf_job (the job's `cron`
 * names it, so runs show in _scheduled_functions like any job), and moves
 * its next run past now. A run is skipped, as in Convex, while the cron's
 * previous run is still pending or in progress.
 *
 * Cron expressions: minute hour day-of-month month day-of-week, each `*`,
 * a number, a range a-b, a step (a-b or the star, then /n), or a comma list of those;
 * day of week 0-7 (0 and 7 are Sunday). When both day fields are
 * restricted a day matching either runs, as cron does. Everything here may
 * raise; nothing reaches V8.
 */
#include "udf.h"

#include <math.h>
#include <time.h>

#include "jansson_pg.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/snapmgr.h"

#define CRON_SEARCH_DAYS (366 * 5)

/* A parsed cron expression: one bit per allowed value of each field. */
typedef struct CronExpr
{
	uint64		minutes;		/* bits 0-59 */
	uint32		hours;			/* bits 0-23 */
	uint32		days;			/* bits 1-31 */
	uint32		months;			/* bits 1-12 */
	uint32		weekdays;		/* bits 0-6 */
	bool		days_star;
	bool		weekdays_star;
} CronExpr;

static bool ParseField(const char *text, int lo, int hi, uint64 *bits, bool *star);
static void ParseCron(const char *expr, CronExpr *c, const char *cron_name);
static double CronNext(json_t *schedule, double after_ms, const char *cron_name);
static void CronsReplace(void *varg);

/* Parse one field into bits; false if it does not parse. */
static bool
ParseField(const char *text, int lo, int hi, uint64 *bits, bool *star)
{
	char	   *copy = pstrdup(text);
	char	   *save = NULL;

	*bits = 0;
	*star = strcmp(text, "*") == 0;
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save))
	{
		int			a = lo,
					b = hi,
					step = 1;
		char	   *slash = strchr(part, '/');
		char	   *end;

		if (slash)
		{
			*slash = '\0';
			step = (int) strtol(slash + 1, &end, 10);
			if (*end || end == slash + 1 || step <= 0)
				return false;
		}
		if (strcmp(part, "*") != 0)
		{
			char	   *dash = strchr(part, '-');

			a = (int) strtol(part, &end, 10);
			if (end == part || (dash ? end != dash : *end != '\0'))
				return false;
			b = slash && !dash ? hi : a;
			if (dash)
			{
				b = (int) strtol(dash + 1, &end, 10);
				if (*end || end == dash + 1)
					return false;
			}
		}
		if (a < lo || b > hi || a > b)
			return false;
		for (int v = a; v <= b; v += step)
			*bits |= UINT64CONST(1) << v;
	}
	return *bits != 0;
}

/* Parse a 5-field cron expression; ERROR naming the cron if it does not parse. */
static void
ParseCron(const char *expr, CronExpr *c, const char *cron_name)
{
	char	   *fields[5];
	int			n = 0;
	char	   *copy = pstrdup(expr);
	char	   *save = NULL;
	uint64		bits;
	bool		star;
	bool		ok;

	for (char *f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save))
		if (n < 5)
			fields[n++] = f;
		else
			n = 6;
	ok = n == 5;
	if (ok && (ok = ParseField(fields[0], 0, 59, &bits, &star)))
		c->minutes = bits;
	if (ok && (ok = ParseField(fields[1], 0, 23, &bits, &star)))
		c->hours = (uint32) bits;
	if (ok && (ok = ParseField(fields[2], 1, 31, &bits, &c->days_star)))
		c->days = (uint32) bits;
	if (ok && (ok = ParseField(fields[3], 1, 12, &bits, &star)))
		c->months = (uint32) bits;
	if (ok && (ok = ParseField(fields[4], 0, 7, &bits, &c->weekdays_star)))
		c->weekdays = (uint32) ((bits | (bits >> 7)) & 0x7f);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("crons.js: cron \"%s\" has an invalid schedule \"%s\"", cron_name, expr),
				 errhint("Use five fields, minute hour day-of-month month day-of-week, each *, a number, a range a-b, a step */n, or a list of those.")));
}

/* Whether a UTC day matches the expression's day fields. */
static inline bool
DayMatches(const CronExpr *c, const struct tm *tm)
{
	bool		dom = (c->days >> tm->tm_mday) & 1;
	bool		dow = (c->weekdays >> tm->tm_wday) & 1;

	if (!((c->months >> (tm->tm_mon + 1)) & 1))
		return false;
	if (c->days_star || c->weekdays_star)
		return dom && dow;
	return dom || dow;
}

/* The first run of a schedule strictly after after_ms; ERROR for a schedule that never runs. */
static double
CronNext(json_t *schedule, double after_ms, const char *cron_name)
{
	const char *type = json_string_value(json_object_get(schedule, "type"));
	CronExpr	c;
	time_t		t;
	struct tm	tm;

	if (type && strcmp(type, "interval") == 0)
	{
		double		ms = json_number_value(json_object_get(schedule, "ms"));

		if (!(ms >= 1000))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("crons.js: cron \"%s\" has an interval under one second", cron_name)));
		return after_ms + ms;
	}
	if (!type || strcmp(type, "cron") != 0 || !json_string_value(json_object_get(schedule, "expr")))
		elog(ERROR, "crons.js: cron \"%s\" has an unknown kind of schedule", cron_name);
	ParseCron(json_string_value(json_object_get(schedule, "expr")), &c, cron_name);
	/* the next whole minute after after_ms */
	t = (time_t) floor(after_ms / 1000.0 / 60.0) * 60 + 60;
	for (int steps = 0; steps < CRON_SEARCH_DAYS * 24 * 2; steps++)
	{
		gmtime_r(&t, &tm);
		if (!DayMatches(&c, &tm))
		{
			t += (time_t) (24 * 3600 - tm.tm_hour * 3600 - tm.tm_min * 60);
			continue;
		}
		if (!((c.hours >> tm.tm_hour) & 1))
		{
			t += (time_t) (3600 - tm.tm_min * 60);
			continue;
		}
		for (int m = tm.tm_min; m < 60; m++)
			if ((c.minutes >> m) & 1)
				return ((double) t + (m - tm.tm_min) * 60) * 1000.0;
		t += (time_t) (3600 - tm.tm_min * 60);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("crons.js: cron \"%s\" never runs (no matching day within 5 years)", cron_name)));
	return 0;					/* not reached */
}

/* What CronsReplace works on. */
typedef struct CronsArg
{
	const char *crons_json;
	const char *functions_json;
	Oid			owner;			/* the deploying role: the crons run as it */
} CronsArg;

/*
 * Deploy: replace the crons with those of crons.js (crons_json, the
 * runtime's list; NULL without crons.js), checked against the deployment's
 * functions. Runs in the deploy's transaction.
 */
void
CronsApply(const char *crons_json, const char *functions_json)
{
	CronsArg	arg = {crons_json, functions_json, GetUserId()};

	RunAsExtensionOwner(CronsReplace, &arg);
	JobTableWakeAtCommit();
}

/* Elevated: check the crons and replace the rows of udf_cron with them. */
static void
CronsReplace(void *varg)
{
	CronsArg   *arg = varg;
	json_t	   *crons = arg->crons_json ? json_loads(arg->crons_json, 0, NULL) : json_array();
	json_t	   *functions = json_loads(arg->functions_json, 0, NULL);
	char	   *table;
	json_t	   *cron;
	size_t		i;
	double		now_ms = ClockNowMs();
	Oid			owner = arg->owner;
	StringInfoData names;

	if (!json_is_array(crons) || !json_is_array(functions))
		elog(ERROR, "crons.js: the runtime's list of crons is not valid JSON");
	SPI_connect();
	table = ExtensionTableName("udf_cron");
	initStringInfo(&names);
	appendStringInfoChar(&names, '{');
	json_array_foreach(crons, i, cron)
	{
		const char *name = json_string_value(json_object_get(cron, "name"));
		const char *function = json_string_value(json_object_get(cron, "function"));
		json_t	   *schedule = json_object_get(cron, "schedule");
		const char *kind = NULL;
		const FunctionName fn = NameParse(function ? function : "");
		char	   *schedule_text = json_dumps(schedule, JSON_COMPACT | JSON_SORT_KEYS);
		char	   *args_text = json_dumps(json_object_get(cron, "args"), JSON_COMPACT | JSON_ENCODE_ANY);
		size_t		j;
		json_t	   *f;
		Oid			types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, OIDOID, FLOAT8OID};
		Datum		values[6];

		if (!name || !function || !schedule || !args_text)
			elog(ERROR, "crons.js: a cron of the runtime's list lacks a field");
		json_array_foreach(functions, j, f)
			if (strcmp(json_string_value(json_object_get(f, "name")), fn.display) == 0)
			kind = json_string_value(json_object_get(f, "kind"));
		if (!kind || (strcmp(kind, "mutation") != 0 && strcmp(kind, "action") != 0))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("crons.js: cron \"%s\" runs %s, which is %s", name, fn.display,
							!kind ? "not a function of this deployment" : "not a mutation or an action"),
					 errhint("Crons run mutations and actions, named as api.module.name or internal.module.name.")));
		values[0] = CStringGetTextDatum(name);
		values[1] = CStringGetTextDatum(schedule_text);
		values[2] = CStringGetTextDatum(psprintf("%s:%s", fn.module, fn.export_name));
		values[3] = CStringGetTextDatum(args_text);
		values[4] = ObjectIdGetDatum(owner);
		values[5] = Float8GetDatum(CronNext(schedule, now_ms, name));
		/* an unchanged schedule keeps its next run */
		if (SPI_execute_with_args(psprintf("INSERT INTO %s AS c (name, schedule, function, args, owner, next_run) "
										   "VALUES ($1, $2::pg_catalog.jsonb, $3, $4::pg_catalog.jsonb, $5::pg_catalog.oid::pg_catalog.regrole, $6) "
										   "ON CONFLICT (name) DO UPDATE SET schedule = EXCLUDED.schedule, "
										   "function = EXCLUDED.function, args = EXCLUDED.args, owner = EXCLUDED.owner, "
										   "next_run = CASE WHEN c.schedule OPERATOR(pg_catalog.=) EXCLUDED.schedule "
										   "THEN c.next_run ELSE EXCLUDED.next_run END", table),
								  6, types, values, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "could not store cron \"%s\"", name);
		if (names.len > 1)
			appendStringInfoChar(&names, ',');
		appendStringInfoChar(&names, '"');
		for (const char *c = name; *c; c++)
		{
			if (*c == '"' || *c == '\\')
				appendStringInfoChar(&names, '\\');
			appendStringInfoChar(&names, *c);
		}
		appendStringInfoChar(&names, '"');
		free(schedule_text);
		free(args_text);
	}
	appendStringInfoChar(&names, '}');
	{
		/* the array's text form, built above with every name quoted, cast in SQL */
		Oid			types[1] = {TEXTOID};
		Datum		values[1] = {CStringGetTextDatum(names.data)};

		if (SPI_execute_with_args(psprintf("DELETE FROM %s WHERE name OPERATOR(pg_catalog.<>) ALL ($1::pg_catalog.text[])", table),
								  1, types, values, NULL, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "could not remove the crons crons.js no longer has");
	}
	SPI_finish();
	json_decref(crons);
	json_decref(functions);
}

/* In a scheduler worker: start the runs of the crons that are due, in one transaction. */
void
CronRunDue(void)
{
	char	   *table;
	double		now_ms = ClockNowMs();
	Oid			types[1] = {FLOAT8OID};
	Datum		values[1] = {Float8GetDatum(now_ms)};
	SPITupleTable *due;
	uint64		ndue;

	StartTransactionCommand();
	(void) PinCatalogSearchPath();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	table = ExtensionTableName("udf_cron");
	if (SPI_execute_with_args(psprintf("SELECT c.name, c.schedule::text, c.function, c.args::text, c.owner::oid, c.next_run, "
									   "EXISTS (SELECT FROM %s j WHERE j.cron = c.name AND j.state IN ('pending', 'inProgress')) "
									   "FROM %s c WHERE c.next_run <= $1 ORDER BY c.next_run FOR UPDATE OF c SKIP LOCKED",
									   ExtensionTableName("udf_job"), table),
							  1, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the due crons");
	due = SPI_tuptable;
	ndue = SPI_processed;
	for (uint64 r = 0; r < ndue; r++)
	{
		HeapTuple	tup = due->vals[r];
		TupleDesc	desc = due->tupdesc;
		bool		isnull;
		char	   *name = SPI_getvalue(tup, desc, 1);
		json_t	   *schedule = json_loads(SPI_getvalue(tup, desc, 2), 0, NULL);
		char	   *function = SPI_getvalue(tup, desc, 3);
		char	   *args = SPI_getvalue(tup, desc, 4);
		Oid			owner = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
		double		next_run = DatumGetFloat8(SPI_getbinval(tup, desc, 6, &isnull));
		bool		running = DatumGetBool(SPI_getbinval(tup, desc, 7, &isnull));
		const ResolvedFunction *fn = NameResolve(StoreCurrentDeployment(), function);
		Oid			utypes[2] = {TEXTOID, FLOAT8OID};
		Datum		uvalues[2];
		double		next = next_run;

		if (running)
			ereport(LOG,
					(errmsg("udf scheduler: cron \"%s\" skipped a run: its previous run of %s has not finished",
							name, function)));
		else
			(void) ScheduleInsert(function, fn->kind ? fn->kind : "mutation", args, next_run, owner, name);
		/* the next run after now; missed runs are skipped, not caught up */
		while (next <= now_ms)
			next = CronNext(schedule, next, name);
		uvalues[0] = CStringGetTextDatum(name);
		uvalues[1] = Float8GetDatum(next);
		if (SPI_execute_with_args(psprintf("UPDATE %s SET next_run = $2 WHERE name = $1", table),
								  2, utypes, uvalues, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "could not update cron \"%s\"", name);
		json_decref(schedule);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

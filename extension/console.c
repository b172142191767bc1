/*
 * console.c -- console.* output from JavaScript, reported through ereport.
 *
 * The runtime formats and caps the lines (256 per call, 32 KiB each); this
 * file only decides the level. Lines are raised at udf.console_level
 * (default NOTICE), prefixed with the running function's name, so they reach
 * the client and, when log_min_messages admits that level, the server log.
 * Independently, udf.log_console (default warn) sends lines of that JS level
 * and above to the server log only (LOG_SERVER_ONLY), in one fixed form that
 * `udf logs` follows:
 *     udf console [warn] tasks:add (request 4242-17): the line
 * where the request id is the backend's pid and its count of top-level calls.
 *
 * Runs as a host callback under V8 frames: ereport is wrapped in PG_TRY and a
 * failure is parked (runtime.c), never thrown through C++.
 */
#include "udf.h"

#include "miscadmin.h"
#include "utils/guc.h"

static int	udf_console_level = NOTICE;

/* JS console levels, ranked, for udf.log_console */
typedef enum ConsoleRank
{
	RANK_DEBUG,
	RANK_LOG,
	RANK_WARN,
	RANK_ERROR,
	RANK_OFF
} ConsoleRank;

static int	udf_log_console = RANK_WARN;

static const struct config_enum_entry log_console_options[] = {
	{"all", RANK_DEBUG, false},
	{"debug", RANK_DEBUG, true},
	{"log", RANK_LOG, false},
	{"info", RANK_LOG, true},
	{"warn", RANK_WARN, false},
	{"error", RANK_ERROR, false},
	{"off", RANK_OFF, false},
	{NULL, 0, false}
};

static inline int RankOf(const char *level);

static const struct config_enum_entry console_level_options[] = {
	{"debug5", DEBUG5, false},
	{"debug4", DEBUG4, false},
	{"debug3", DEBUG3, false},
	{"debug2", DEBUG2, false},
	{"debug1", DEBUG1, false},
	{"debug", DEBUG2, true},
	{"log", LOG, false},
	{"info", INFO, false},
	{"notice", NOTICE, false},
	{"warning", WARNING, false},
	{NULL, 0, false}
};

/* Rank of a console level name (log, info, warn, error, debug, trace). */
static inline int
RankOf(const char *level)
{
	if (strcmp(level, "error") == 0)
		return RANK_ERROR;
	if (strcmp(level, "warn") == 0)
		return RANK_WARN;
	if (strcmp(level, "debug") == 0 || strcmp(level, "trace") == 0)
		return RANK_DEBUG;
	return RANK_LOG;
}

/* Register udf.console_level and udf.log_console. */
void
ConsoleInit(void)
{
	DefineCustomEnumVariable("udf.console_level",
							 "Message level at which console.* output of functions is reported.",
							 "One of debug5..debug1, log, info, notice, warning. Lines reach the "
							 "client if client_min_messages admits the level and the server log "
							 "if log_min_messages does.",
							 &udf_console_level,
							 NOTICE,
							 console_level_options,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("udf.log_console",
							 "Lowest console.* level of functions that is also written to the server log.",
							 "One of all, log, warn, error, off (default warn). Such lines go to the "
							 "server log only, as \"udf console [level] function (request pid-n): "
							 "line\", whatever log_min_messages and udf.console_level say.",
							 &udf_log_console,
							 RANK_WARN,
							 log_console_options,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}

/* Host callback: report one console line. */
void
ConsoleEmit(const char *level, const char *line, size_t len, UdfV8HostResult *out)
{
	MemoryContext cxt = CurrentMemoryContext;
	const char *fn = CallStackFunction();
	bool		plain = strcmp(level, "log") == 0 || strcmp(level, "info") == 0;

	PG_TRY();
	{
		ereport(udf_console_level,
				(errmsg_internal("%s%s%s%s: %.*s",
								 fn && *fn ? fn : "import",
								 plain ? "" : " [",
								 plain ? "" : level,
								 plain ? "" : "]",
								 (int) len, line),
				 errhidestmt(true)));
		if (RankOf(level) >= udf_log_console)
			ereport(LOG_SERVER_ONLY,
					(errmsg_internal("udf console [%s] %s (request %d-" UINT64_FORMAT "): %.*s",
									 level, fn && *fn ? fn : "import",
									 MyProcPid, CallStackRequest(), (int) len, line),
					 errhidestmt(true), errhidecontext(true)));
	}
	PG_CATCH();
	{
		ParkError(cxt);
		out->error_message = "console output failed";
	}
	PG_END_TRY();
}

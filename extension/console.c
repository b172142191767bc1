/*
 * console.c -- console.* output from JavaScript, reported through ereport.
 *
 * The runtime formats and caps the lines (256 per call, 32 KiB each); this
 * file only decides the level. Lines are raised at udf.console_level
 * (default NOTICE), prefixed with the running function's name, so they reach
 * the client and, when log_min_messages admits that level, the server log.
 *
 * Runs as a host callback under V8 frames: ereport is wrapped in PG_TRY and a
 * failure is parked (runtime.c), never thrown through C++.
 */
#include "udf.h"

#include "utils/guc.h"

static int	udf_console_level = NOTICE;

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

/* Register udf.console_level. */
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
	}
	PG_CATCH();
	{
		ParkError(cxt);
		out->error_message = "console output failed";
	}
	PG_END_TRY();
}

/*
 * errors.c -- turn a shim error record into a PostgreSQL ERROR.
 *
 * Called only after every V8 scope has closed, so ereport's longjmp unwinds
 * C frames alone. The runtime chose the SQLSTATE for JS-level failures
 * (validation, unknown function, ConvexError); the shim's status decides the
 * rest.
 */
#include "udf.h"

#include "miscadmin.h"

/* A 5-character SQLSTATE string as an errcode, or fallback if malformed. */
int
SqlstateFromString(const char *code, int fallback)
{
	if (code == NULL || strlen(code) != 5)
		return fallback;
	for (int i = 0; i < 5; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z')))
			return fallback;
	return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

/* Raise err as an ERROR; context_name names the function or deploy step. */
void
ReportV8Error(const UdfV8Error *err, const char *context_name)
{
	const char *message = err->message ? err->message : "unknown JavaScript error";

	switch (err->status)
	{
		case UDF_V8_TERMINATED:
			/* a cancel or timeout: let PostgreSQL report it in its own words */
			CHECK_FOR_INTERRUPTS();
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("JavaScript execution was terminated"),
					 context_name ? errcontext("udf function %s", context_name) : 0));
			break;
		case UDF_V8_TIMED_OUT:
			ereport(ERROR,
					(errcode(ERRCODE_QUERY_CANCELED),
					 errmsg("Function execution timed out (maximum duration: %gs)",
							LimitsCallTimeLimitMs() / 1000.0),
					 errhint("Raise udf.max_execution_time (udf.max_action_execution_time for actions); superuser only."),
					 context_name ? errcontext("udf function %s", context_name) : 0));
			break;
		case UDF_V8_OUT_OF_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("JavaScript execution ran out of memory (maximum memory usage: %d MB)",
							LimitsMaxHeapMb()),
					 errdetail("The isolate was discarded; the next call starts a new one."),
					 errhint("Raise udf.max_heap_size (superuser only) or use less memory."),
					 context_name ? errcontext("udf function %s", context_name) : 0));
			break;
		case UDF_V8_SYNTAX_ERROR:
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("syntax error in module \"%s\" at line %d, column %d: %s",
							err->module ? err->module : "?", err->line, err->column, message)));
			break;
		case UDF_V8_MODULE_ERROR:
			if (err->module && err->line > 0)
				ereport(ERROR,
						(errcode(ERRCODE_UDF_INVALID_DEPLOYMENT),
						 errmsg("module \"%s\" failed to load at line %d, column %d: %s",
								err->module, err->line, err->column, message),
						 err->detail ? errdetail_internal("%s", err->detail) : 0));
			else
				ereport(ERROR,
						(errcode(ERRCODE_UDF_INVALID_DEPLOYMENT),
						 errmsg("%s", message),
						 err->detail ? errdetail_internal("%s", err->detail) : 0));
			break;
		case UDF_V8_UNFINISHED:
			ereport(ERROR,
					(errcode(ERRCODE_UDF_UNFINISHED),
					 errmsg("%s", message),
					 errhint("Every promise a function awaits must settle before it returns."),
					 context_name ? errcontext("udf function %s", context_name) : 0));
			break;
		case UDF_V8_JS_ERROR:
			ereport(ERROR,
					(errcode(SqlstateFromString(err->code, ERRCODE_UDF_JAVASCRIPT_ERROR)),
					 errmsg("%s", message),
					 err->detail ? errdetail_internal("%s", err->detail) : 0,
					 err->hint ? errhint("%s", err->hint) : 0,
					 context_name ? errcontext("udf function %s", context_name) : 0));
			break;
		case UDF_V8_OK:
		case UDF_V8_INTERNAL:
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("udf internal error: %s", message)));
	}
	pg_unreachable();
}

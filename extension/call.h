/*
 * call.h -- the one path every entry into JavaScript takes (call.c).
 */
#ifndef UDF_CALL_H
#define UDF_CALL_H

#include "names.h"
#include "v8shim/udf_v8.h"

struct UdfDeployment;
struct CallStats;

/* The V8 work of one call; returns its status, err filled on failure. */
typedef UdfV8Status (*CallStep) (void *arg, UdfV8Error *err);

/* What happens to a failed call's status. */
typedef enum CallReport
{
	CALL_RETURN,				/* hand it back (a nested call: JS may catch it) */
	CALL_RETURN_RECORDED,		/* hand it back, recorded as a top-level failure (a job) */
	CALL_RAISE,					/* raise it, naming error_context */
	CALL_RAISE_JS_BARE			/* raise it; a JS error's own message names the function */
} CallReport;

typedef struct CallSpec
{
	CallStep	step;
	void	   *arg;
	const char *name;			/* for the log line of a stopped call; NULL for none */
	bool		new_transaction_limits; /* at top level, reset reads/writes counted per call */
	CallReport	report;
	const char *error_context;	/* errcontext of a raised failure, or NULL */
	struct CallStats *stats;	/* a function call's measurements, or NULL */
} CallSpec;

/* One call of a deployed function, besides its name. */
typedef struct InvokeCall
{
	const char *args_json;		/* the argument object, Convex JSON, or: */
	const char *args_values;	/* the same as host values (udf_v8.h) */
	size_t		args_values_len;
	const char *seed;			/* the call's PRNG seed (hex) */
	double		now_ms;			/* its frozen clock */
	int			flags;			/* UDF_INVOKE_* */
	const char *expect_kind;	/* the kind the caller requires, or NULL */
	double		result_budget;	/* UDF_INVOKE_RESULT_VALUES: bytes of host values at most */
} InvokeCall;

/* Who calls a function: decides limits and what a failure does. */
typedef enum CallOrigin
{
	CALL_FROM_SQL,				/* udf_invoke */
	CALL_FROM_TRIGGER,			/* udf_trigger */
	CALL_NESTED,				/* ctx.runQuery / ctx.runMutation */
	CALL_FROM_SCHEDULER			/* a scheduled job, run by a scheduler worker */
} CallOrigin;

extern UdfV8Status CallRun(const CallSpec *spec, UdfV8Error *err);
extern UdfV8Status CallFunction(const struct UdfDeployment *dep, const ResolvedFunction *fn,
								CallOrigin origin, const InvokeCall *call,
								char **result_json, UdfV8Error *err);
extern void CallLoadModule(UdfV8Context *ctx, const char *path, const char *seed, double now_ms);

#endif							/* UDF_CALL_H */

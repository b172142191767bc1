/*
 * callstack.c -- the stack of running functions, and how deep it may grow.
 *
 * A top-level call pushes a frame; so does each call nested inside it (a
 * ctx.runQuery/runMutation, a trigger's mutation, udf_invoke from SQL run by
 * a ctx.db call) and a module's import (kind "import", no name). The top
 * frame names console lines and tells syscalls which kind of function runs;
 * its depth picks the nesting level's context and is bounded by
 * udf.max_call_depth (Convex allows 8). Frames are fixed-size and live in
 * static memory: pushing never allocates, popping never fails.
 */
#include "udf.h"

#include "access/xact.h"
#include "utils/guc.h"

#define MAX_CALL_STACK 64

typedef struct RunningCall
{
	char		name[NAMEDATALEN * 2];
	char		kind[16];
	bool		paginated;		/* ran its one paginated query */
	CommandId	begin_cid;		/* the command counter when it began */
	UdfV8Context *ctx;			/* the context it runs in */
} RunningCall;

static RunningCall call_stack[MAX_CALL_STACK];
static int	call_depth = 0;
static uint64 top_level_calls = 0;	/* top-level frames pushed so far */
static int	udf_max_call_depth = 8;
static uint64 top_calls = 0;	/* top-level calls begun in this backend */

/* Register udf.max_call_depth. */
void
CallStackInit(void)
{
	DefineCustomIntVariable("udf.max_call_depth",
							"Maximum nesting of ctx.runQuery/ctx.runMutation calls.",
							"A call nested deeper fails with a catchable error. Range 1 to 32.",
							&udf_max_call_depth,
							8, 1, 32,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
}

/* Frames on the stack: 0 when no function runs. */
int
CallStackDepth(void)
{
	return call_depth;
}

/* udf.max_call_depth. */
int
CallStackMaxDepth(void)
{
	return udf_max_call_depth;
}

/* Would a call started now nest deeper than udf.max_call_depth allows? */
bool
CallStackTooDeep(void)
{
	/* the top-level call is frame 1; nested frames above it are bounded */
	return call_depth > udf_max_call_depth;
}

/* Push the frame of a function that starts running. */
void
CallStackPush(const char *name, const char *kind, UdfV8Context *ctx)
{
	RunningCall *c;

	if (call_depth >= MAX_CALL_STACK)
		elog(ERROR, "udf call stack overflow");
	if (call_depth == 0)
		top_calls++;
	if (call_depth == 0)
		top_level_calls++;
	c = &call_stack[call_depth++];
	strlcpy(c->name, name, sizeof(c->name));
	strlcpy(c->kind, kind ? kind : "", sizeof(c->kind));
	c->paginated = false;
	c->ctx = ctx;
	c->begin_cid = IsTransactionState() ? GetCurrentCommandId(false) : InvalidCommandId;
}

/* How many top-level calls this backend has begun: a new number, a new call. */
uint64
CallStackTopLevelCalls(void)
{
	return top_level_calls;
}

/* Pop the top frame (its function ended, however it ended). */
void
CallStackPop(void)
{
	if (call_depth > 0)
		call_depth--;
}

/* Name of the function now running, for console prefixes; "" at import, NULL if none. */
const char *
CallStackFunction(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].name : NULL;
}

/* Number of the running top-level call in this backend (with the pid, a request id). */
uint64
CallStackRequest(void)
{
	return top_calls;
}

/* Kind of the function now running (query, mutation, action, import), or NULL. */
const char *
CallStackKind(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].kind : NULL;
}

/* The context of the function now running, or NULL. */
UdfV8Context *
CallStackContext(void)
{
	return call_depth > 0 ? call_stack[call_depth - 1].ctx : NULL;
}

/*
 * The command counter when the outermost running mutation began: what it
 * and the calls it made wrote since has a command id from there on. False
 * if no mutation runs.
 */
bool
CallStackMutationBegin(CommandId *cid)
{
	for (int i = 0; i < call_depth; i++)
		if (strcmp(call_stack[i].kind, "mutation") == 0 && call_stack[i].begin_cid != InvalidCommandId)
		{
			*cid = call_stack[i].begin_cid;
			return true;
		}
	return false;
}

/* Note that the running function paginates; true if it already had. */
bool
CallStackMarkPaginated(void)
{
	bool		was;

	if (call_depth == 0)
		return false;
	was = call_stack[call_depth - 1].paginated;
	call_stack[call_depth - 1].paginated = true;
	return was;
}

/*
 * callstack.h -- the stack of running functions (callstack.c).
 */
#ifndef UDF_CALLSTACK_H
#define UDF_CALLSTACK_H

#include "v8shim/udf_v8.h"

extern void CallStackInit(void);
extern int	CallStackDepth(void);
extern int	CallStackMaxDepth(void);
extern bool CallStackTooDeep(void);
extern void CallStackPush(const char *name, const char *kind, UdfV8Context *ctx);
extern void CallStackPop(void);
extern uint64 CallStackTopLevelCalls(void);
extern const char *CallStackFunction(void);
extern uint64 CallStackRequest(void);
extern const char *CallStackKind(void);
extern UdfV8Context *CallStackContext(void);
extern bool CallStackMarkPaginated(void);
extern bool CallStackMutationBegin(CommandId *cid);

#endif							/* UDF_CALLSTACK_H */

/*
 * optimistic.h -- a top-level call run in one subtransaction, its ctx.db
 * ops without one each, re-run carefully if an op fails (optimistic.c).
 */
#ifndef UDF_OPTIMISTIC_H
#define UDF_OPTIMISTIC_H

#include "lib/stringinfo.h"

extern void OptimisticInit(void);
extern bool OptimisticWanted(int64 deployment, const char *function, const char *kind, bool top_level);
extern void OptimisticBegin(void);
extern bool OptimisticFastPath(void);
extern void OptimisticEnsureBegun(void);
extern void OptimisticOpFailed(bool error_ends_call);
extern void OptimisticNestedCall(void);
extern bool OptimisticRerunPending(void);
extern bool OptimisticEnd(int64 deployment, const char *function);
extern void OptimisticAbort(MemoryContext cxt) pg_attribute_noreturn();
extern void OptimisticAppendInfo(StringInfo buf);

#endif							/* UDF_OPTIMISTIC_H */

/*
 * udf_limits.h -- time, heap and size limits, interrupts, stop counts (limits.c;
 * named so as not to shadow the system <limits.h>).
 */
#ifndef UDF_UDF_LIMITS_H
#define UDF_UDF_LIMITS_H

#include "v8shim/udf_v8.h"

extern void LimitsInit(void);
extern bool LimitsInterruptPending(void);
extern double LimitsTimeLimitMs(const char *kind);
extern void LimitsSetCallTimeLimit(const char *kind);
extern double LimitsCallTimeLimitMs(void);
extern int	LimitsMaxHeapMb(void);
extern void LimitsCheckArgsSize(const char *function, size_t bytes);
extern void LimitsCheckResultSize(const char *function, size_t bytes);
extern size_t LimitsPlainResultBudget(void);
extern void LimitsCountTermination(UdfV8Status status, const char *function);
extern void LimitsCountIsolateDiscarded(void);
extern void LimitsResetTransaction(void);
extern void LimitsCountQuery(void);
extern void LimitsCountRead(size_t bytes);
extern bool LimitsReadFits(size_t bytes);
extern int64 LimitsDocumentsLeft(void);
extern void LimitsUncountRead(uint64 documents, uint64 bytes);
extern void LimitsCountWrite(size_t bytes);
/* Calls this backend stopped, by reason, and isolates it discarded. */
typedef struct LimitsCounts
{
	uint64		canceled;
	uint64		timed_out;
	uint64		out_of_memory;
	uint64		isolates_discarded;
} LimitsCounts;

extern void LimitsTerminationCounts(LimitsCounts *out);

/* What the current top-level call has read and written so far. */
typedef struct LimitsUsage
{
	uint64		documents_read;
	uint64		bytes_read;
	uint64		documents_written;
	uint64		bytes_written;
} LimitsUsage;

extern void LimitsCurrentUsage(LimitsUsage *out);
extern void LimitsTransactionMetrics(const char *args, size_t len, UdfV8HostResult *out);

#endif							/* UDF_UDF_LIMITS_H */

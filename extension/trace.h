/*
 * trace.h -- udf.trace and udf_invoke_explain: each syscall of a call, in
 * order (trace.c).
 */
#ifndef UDF_TRACE_H
#define UDF_TRACE_H

#include "c.h"

#include "lib/stringinfo.h"

typedef struct TraceStep TraceStep;

extern void TraceInit(void);
extern bool TraceActive(void);
extern TraceStep *TraceSyscallBegin(const char *function, const char *op,
									const char *args, size_t args_len);
extern void TraceSyscallEnd(TraceStep *step, int64 rows, double ms, const char *error, bool report);
extern void TraceNoteSql(const char *sql);
extern bool TraceCollectBegin(void);
extern void TraceAppendCollected(StringInfo buf);
extern void TraceCollectEnd(void);

#endif							/* UDF_TRACE_H */

/*
 * subxact.h -- the one subtransaction trampoline for host work JS may catch
 * (subxact.c), and its optimistic twin.
 */
#ifndef UDF_SUBXACT_H
#define UDF_SUBXACT_H

#include "v8shim/udf_v8.h"

typedef bool (*SubxactWork) (void *arg, UdfV8HostResult *out);
extern void RunInSubtransaction(SubxactWork work, void *arg, UdfV8HostResult *out);
extern void RunOptimistically(SubxactWork work, void *arg, UdfV8HostResult *out);

#endif							/* UDF_SUBXACT_H */

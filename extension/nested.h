/*
 * nested.h -- 1.0/runUdf: ctx.runQuery and ctx.runMutation (nested.c).
 */
#ifndef UDF_NESTED_H
#define UDF_NESTED_H

#include "v8shim/udf_v8.h"

extern void NestedRunUdf(const char *args, size_t args_len, UdfV8HostResult *out);

#endif							/* UDF_NESTED_H */

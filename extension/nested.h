/*
 * nested.h -- 1.0/runUdf: ctx.runQuery and ctx.runMutation (nested.c).
 */
#ifndef UDF_NESTED_H
#define UDF_NESTED_H

#include "v8shim/udf_v8.h"

extern void NestedRunUdf(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

#endif							/* UDF_NESTED_H */

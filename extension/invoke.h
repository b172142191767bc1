/*
 * invoke.h -- calling a deployed function from SQL (invoke.c).
 */
#ifndef UDF_INVOKE_H
#define UDF_INVOKE_H

#include "utils/jsonb.h"

extern Datum InvokeFunction(const char *name, Jsonb *args);

#endif							/* UDF_INVOKE_H */

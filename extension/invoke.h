/*
 * invoke.h -- calling a deployed function from SQL (invoke.c).
 */
#ifndef UDF_INVOKE_H
#define UDF_INVOKE_H

#include "postgres.h"

extern char *InvokeFromSqlText(const char *name, const char *args_values, size_t args_len,
							   int flags, const char **display);
extern Datum InvokeFromSql(const char *name, const char *args_values, size_t args_len, int flags);

#endif							/* UDF_INVOKE_H */

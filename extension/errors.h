/*
 * errors.h -- JS errors and SQLSTATEs as PostgreSQL errors (errors.c).
 */
#ifndef UDF_ERRORS_H
#define UDF_ERRORS_H

#include "v8shim/udf_v8.h"

extern int	SqlstateFromString(const char *code, int fallback);
extern void ReportV8Error(const UdfV8Error *err, const char *context_name) pg_attribute_noreturn();

#endif							/* UDF_ERRORS_H */

/*
 * sqlapi.h -- typed SQL functions generated from validators (sqlapi.c;
 * their call, udf_call_typed, is sqlcall.c).
 */
#ifndef UDF_SQLAPI_H
#define UDF_SQLAPI_H

extern void SqlApiInit(void);
extern void SqlApiApply(const char *functions_json);

#endif							/* UDF_SQLAPI_H */

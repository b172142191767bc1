/*
 * auth.h -- the caller's identity from the session (auth.c).
 */
#ifndef UDF_AUTH_H
#define UDF_AUTH_H

#include "v8shim/udf_v8.h"

extern void AuthInit(void);
extern void AuthIdentity(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

#endif							/* UDF_AUTH_H */

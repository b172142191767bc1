/*
 * udf_syscall.h -- dispatch of the Convex syscalls that reach C (syscall.c;
 * named so as not to shadow the system <syscall.h>).
 */
#ifndef UDF_UDF_SYSCALL_H
#define UDF_UDF_SYSCALL_H

#include "v8shim/udf_v8.h"

extern void SyscallDispatch(const char *op, const char *args, size_t args_len,
							UdfV8HostResult *out);
extern const char *SyscallOpName(int i);

#endif							/* UDF_UDF_SYSCALL_H */

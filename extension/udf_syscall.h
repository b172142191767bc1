/*
 * udf_syscall.h -- dispatch of the Convex syscalls and the runtime's typed
 * ops that reach C (syscall.c; named so as not to shadow the system
 * <syscall.h>).
 */
#ifndef UDF_UDF_SYSCALL_H
#define UDF_UDF_SYSCALL_H

#include "v8shim/udf_v8.h"

/* A typed op's handler: its arguments, as many as its table entry says. */
typedef void (*TypedOpHandler) (const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

extern void SyscallDispatch(const char *op, const char *args, size_t args_len,
							UdfV8HostResult *out);
extern void SyscallDispatchOp(const char *name, const UdfV8Arg *args, int nargs,
							  UdfV8HostResult *out);
extern const char *SyscallOpName(int i);

/* A typed op's string argument i, or NULL for null (inline: handlers need no call into syscall.c). */
static inline const char *
OpArgString(const UdfV8Arg *args, int i)
{
	return args[i].is_number ? NULL : args[i].str;
}

/* A typed op's number (or boolean) argument i; 0 for null. */
static inline double
OpArgNumber(const UdfV8Arg *args, int i)
{
	return args[i].is_number ? args[i].num : 0;
}

#endif							/* UDF_UDF_SYSCALL_H */

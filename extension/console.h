/*
 * console.h -- console.* lines of functions (console.c).
 */
#ifndef UDF_CONSOLE_H
#define UDF_CONSOLE_H

#include "v8shim/udf_v8.h"

extern void ConsoleInit(void);
extern void ConsoleEmit(const char *level, const char *line, size_t len,
						UdfV8HostResult *out);

#endif							/* UDF_CONSOLE_H */

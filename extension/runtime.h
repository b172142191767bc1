/*
 * runtime.h -- starting V8 in a backend (runtime.c).
 */
#ifndef UDF_RUNTIME_H
#define UDF_RUNTIME_H

extern void RuntimeEnsureStarted(void);

#endif							/* UDF_RUNTIME_H */

/*
 * runtime.h -- starting V8 in a backend (runtime.c).
 */
#ifndef UDF_RUNTIME_H
#define UDF_RUNTIME_H

#include "lib/stringinfo.h"

extern void RuntimeEnsureStarted(void);
extern void RuntimeAppendSnapshotInfo(StringInfo buf);

#endif							/* UDF_RUNTIME_H */

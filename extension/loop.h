/*
 * loop.h -- the host side of the event loop: the wait (loop.c).
 */
#ifndef UDF_LOOP_H
#define UDF_LOOP_H

#include "v8shim/udf_v8.h"

/* Host callback (UdfV8Host.wait): wait for the call's host work; never raises. */
extern void LoopWait(double timeout_ms, UdfV8HostResult *out);

#endif							/* UDF_LOOP_H */

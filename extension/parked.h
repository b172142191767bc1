/*
 * parked.h -- errors that must end a call, carried past V8 (parked.c).
 */
#ifndef UDF_PARKED_H
#define UDF_PARKED_H

#include "utils/palloc.h"

extern void ParkError(MemoryContext callback_context);
extern void RaiseParkedError(void);
extern bool ErrorEndsCall(int sqlerrcode);

#endif							/* UDF_PARKED_H */

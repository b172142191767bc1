/*
 * clock.h -- the time functions see (clock.c).
 */
#ifndef UDF_CLOCK_H
#define UDF_CLOCK_H

#include "datatype/timestamp.h"

extern void ClockInit(void);
extern double ClockNowMs(void);
extern double ClockTimestampMs(TimestampTz ts);
extern double ClockNextCreationTime(void);

#endif							/* UDF_CLOCK_H */

/*
 * crons.c -- crons.js (work in progress).
 */
#include "udf.h"

#include <math.h>

/* Start the cron runs that are due. */
void
CronRunDue(void)
{
}

/* When the next cron run is due. */
double
CronNextDueMs(void)
{
	return INFINITY;
}

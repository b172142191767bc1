/*
 * scheduler.h -- the scheduler's per-database worker (scheduler.c).
 */
#ifndef UDF_SCHEDULER_H
#define UDF_SCHEDULER_H

#include "fmgr.h"

extern void SchedulerInit(void);
extern int	SchedulerMaxWorkers(void);

extern PGDLLEXPORT void udf_scheduler_main(Datum main_arg);

#endif							/* UDF_SCHEDULER_H */

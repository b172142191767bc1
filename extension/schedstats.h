/*
 * schedstats.h -- the scheduler's statistics: jobs written and canceled,
 * counted when their transaction commits, and udf_scheduler_counters()
 * (schedstats.c).
 */
#ifndef UDF_SCHEDSTATS_H
#define UDF_SCHEDSTATS_H

extern void SchedStatsInit(void);
extern void SchedStatsJobWritten(bool canceled);
extern void SchedStatsJobCanceled(void);

#endif							/* UDF_SCHEDSTATS_H */

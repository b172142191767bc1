/*
 * schedule.h -- ctx.scheduler's syscalls, writing and canceling jobs
 * (schedule.c).
 */
#ifndef UDF_SCHEDULE_H
#define UDF_SCHEDULE_H

#include "v8shim/udf_v8.h"

extern void ScheduleSetRunningJob(const char *id);
extern uint32 ScheduleTableNumber(void);
extern char *ScheduleInsert(const char *name, const char *kind, const char *args_json,
							double scheduled_ms, Oid owner, const char *cron);
extern void ScheduleOp(const char *args, size_t args_len, UdfV8HostResult *out);
extern void ScheduleActionOp(const char *args, size_t args_len, UdfV8HostResult *out);
extern void ScheduleCancelOp(const char *args, size_t args_len, UdfV8HostResult *out);
extern void ScheduleActionCancelOp(const char *args, size_t args_len, UdfV8HostResult *out);

#endif							/* UDF_SCHEDULE_H */

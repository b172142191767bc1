/*
 * jobtable.h -- writing and canceling rows of udf_job (jobtable.c).
 */
#ifndef UDF_JOBTABLE_H
#define UDF_JOBTABLE_H

/* One row of udf_job, as a job is written. */
typedef struct JobRow
{
	const char *id;
	double		creation_time;
	const char *name;
	const char *args;
	const char *kind;
	double		scheduled_time;
	Oid			owner;
	const char *cron;
	bool		canceled;		/* written canceled: its scheduler was a canceled action */
} JobRow;

extern void JobTableInit(void);
extern void JobTableWakeAtCommit(void);
extern void JobTableInsert(const JobRow *row);
extern bool JobTableCancel(const char *id, Oid caller, double now_ms);

#endif							/* UDF_JOBTABLE_H */

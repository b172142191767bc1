/*
 * crons.h -- crons.js: the deployment's cron jobs (crons.c).
 */
#ifndef UDF_CRONS_H
#define UDF_CRONS_H

extern void CronRunDue(void);
extern double CronNextDueMs(void);

#endif							/* UDF_CRONS_H */

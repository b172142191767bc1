/*
 * crons.h -- crons.js: the deployment's cron jobs (crons.c).
 */
#ifndef UDF_CRONS_H
#define UDF_CRONS_H

extern void CronsApply(const char *crons_json, const char *functions_json);
extern void CronRunDue(void);

#endif							/* UDF_CRONS_H */

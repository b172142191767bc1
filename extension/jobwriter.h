/*
 * jobwriter.h -- jobs an action schedules or cancels, committed at once by
 * a background worker (jobwriter.c).
 */
#ifndef UDF_JOBWRITER_H
#define UDF_JOBWRITER_H

#include "jobtable.h"

extern bool JobWriterInsert(const JobRow *row);
extern bool JobWriterCancel(const char *id, Oid caller, double now_ms, bool *canceled);

#endif							/* UDF_JOBWRITER_H */

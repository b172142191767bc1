/*
 * bgworker.h -- udf's background workers: one launcher, per-database
 * workers of each kind, and waking them (bgworker.c).
 */
#ifndef UDF_BGWORKER_H
#define UDF_BGWORKER_H

#include "postmaster/bgworker.h"

/* The kinds of per-database worker; each has a row in bgworker.c's kind table. */
typedef enum BgwKind
{
	BGW_KIND_SCHEDULER = 0,
	BGW_KIND_HTTP,
	BGW_NUM_KINDS
} BgwKind;

/* Why a per-database worker ends: BgwWorkerExit's argument. */
typedef enum BgwExit
{
	BGW_EXIT_IDLE,				/* nothing for it in this database: start it again only when woken */
	BGW_EXIT_RESTART			/* start it again (after a short delay) */
} BgwExit;

extern void BgwInit(void);
extern void BgwRegisterKind(BgwKind kind, const char *name, const char *function, int (*count) (void));
extern int	BgwKindWorkers(BgwKind kind);
extern bool BgwAvailable(void);
extern void BgwWake(Oid dboid, BgwKind kind);
extern void BgwWorkerAttach(Datum main_arg, BgwKind kind, int *index);
extern bool BgwWorkerWanted(void);
extern bool BgwIsWorkerPid(pid_t pid);
extern void BgwWorkerExit(BgwExit how) pg_attribute_noreturn();

extern PGDLLEXPORT void udf_launcher_main(Datum main_arg);

#endif							/* UDF_BGWORKER_H */

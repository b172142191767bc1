/*
 * udf.c -- module entry: PG_MODULE_MAGIC and _PG_init.
 *
 * _PG_init only registers settings and callbacks; it starts nothing. V8 is
 * brought up lazily by the first call in a backend (runtime.c), so loading
 * the library in the postmaster (shared_preload_libraries) never creates an
 * isolate or a thread there. Preloaded, it also registers the launcher of
 * udf's background workers (bgworker.c), which start in their own processes.
 */
#include "udf.h"

#include "fmgr.h"
#include "fetch.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void
_PG_init(void)
{
	ClockInit();
	PrngInit();
	CallStackInit();
	LimitsInit();
	OptimisticInit();
	CodeCacheInit();
	ConsoleInit();
	StoreInit();
	AuthInit();
	SqlApiInit();
	StatsInit();
	CallStatsInit();
	TraceInit();
	JobTableInit();
	SchedStatsInit();
	SchedulerInit();
	StorageInit();
	HttpdInit();
	HttpActionInit();
	BgwInit();
	FetchInit();
	MarkGUCPrefixReserved("udf");
}

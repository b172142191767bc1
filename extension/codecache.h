/*
 * codecache.h -- where compiled module code is cached (codecache.c).
 */
#ifndef UDF_CODECACHE_H
#define UDF_CODECACHE_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

struct UdfModule;

extern void CodeCacheInit(void);
extern void CodeCacheStart(void);
extern const char *CodeCacheKey(const struct UdfModule *module);
extern void CodeCachePrune(List *old_hashes, List *new_hashes);
extern void CodeCacheAppendStats(StringInfo buf);

#endif							/* UDF_CODECACHE_H */

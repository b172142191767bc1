/*
 * codecache.c -- where compiled module code is cached, and when it goes.
 *
 * The shim caches V8's compiled code of each deployed module under the
 * module's source hash (udf_module.source_sha256, computed at deploy): in
 * backend memory, and in $PGDATA/udf_code_cache/<hash>.v8cache, so a fresh
 * backend does not parse and compile large modules again. Files are only an
 * optimisation: V8 checks each against its version, flags and the source,
 * any of them may be deleted at any time, and a deploy removes the files of
 * modules it replaced. udf.code_cache turns it all off.
 */
#include "udf.h"

#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/guc.h"

static bool udf_code_cache = true;

void
CodeCacheInit(void)
{
	DefineCustomBoolVariable("udf.code_cache",
							 "Cache the compiled code of deployed modules, in memory and in $PGDATA/udf_code_cache.",
							 NULL, &udf_code_cache, true, PGC_SUSET, 0, NULL, NULL, NULL);
}

static char *
CodeCacheDir(void)
{
	return psprintf("%s/udf_code_cache", DataDir);
}

/* When the runtime starts: tell the shim where cache files live. */
void
CodeCacheStart(void)
{
	char	   *dir = CodeCacheDir();

	/* no folder (read-only data directory?): the cache stays in memory */
	if (MakePGDirectory(dir) != 0 && errno != EEXIST)
	{
		ereport(DEBUG1,
				(errcode_for_file_access(),
				 errmsg("udf: could not create \"%s\": %m; compiled code is cached in memory only", dir)));
		udf_v8_set_code_cache_dir(NULL);
		return;
	}
	udf_v8_set_code_cache_dir(dir);
}

/* The cache key of a module, or NULL when caching is off. */
const char *
CodeCacheKey(const UdfModule *module)
{
	return udf_code_cache ? module->source_sha256 : NULL;
}

/* After a deploy replaced old_hashes by new_hashes (lists of C strings): remove the files nobody needs. */
void
CodeCachePrune(List *old_hashes, List *new_hashes)
{
	ListCell   *lc;
	char	   *dir = CodeCacheDir();

	foreach(lc, old_hashes)
	{
		const char *hash = lfirst(lc);
		char	   *path;
		bool		kept = false;
		ListCell   *nc;

		foreach(nc, new_hashes)
			kept = kept || strcmp(hash, lfirst(nc)) == 0;
		if (kept)
			continue;
		/* hashes are hex digits only, so this stays inside the folder */
		if (strspn(hash, "0123456789abcdef") != strlen(hash))
			continue;
		path = psprintf("%s/%s.v8cache", dir, hash);
		if (unlink(path) != 0 && errno != ENOENT)
			ereport(DEBUG1, (errcode_for_file_access(), errmsg("could not remove \"%s\": %m", path)));
	}
}

/* udf_info()'s "code_cache" member. */
void
CodeCacheAppendStats(StringInfo buf)
{
	UdfV8CodeCacheStats stats;

	udf_v8_code_cache_stats(&stats);
	appendStringInfo(buf, "{\"enabled\": %s, \"hits\": " UINT64_FORMAT ", \"misses\": " UINT64_FORMAT
					 ", \"rejected\": " UINT64_FORMAT ", \"written\": " UINT64_FORMAT "}",
					 udf_code_cache ? "true" : "false",
					 (uint64) stats.hits, (uint64) stats.misses, (uint64) stats.rejected,
					 (uint64) stats.written);
}

/*
 * code_cache.h -- compiled module code, cached by source hash (code_cache.cc).
 */
#ifndef UDF_CODE_CACHE_H
#define UDF_CODE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <string>

/*
 * The cached code for key (a source hash), from memory or disk; false if none,
 * with *damaged set if a file was there but failed its check.
 */
bool		CodeCacheLookup(const std::string &key, std::string *data, bool *damaged);

/* Keep code for key in memory and, if a folder is set, on disk. */
void		CodeCacheStore(const std::string &key, const uint8_t *data, size_t len);

/* V8 refused the code for key (another V8, other flags): forget it. */
void		CodeCacheDrop(const std::string &key);

/* Count a compile by outcome, for udf_v8_code_cache_stats. */
void		CodeCacheCount(bool hit, bool rejected);

#endif							/* UDF_CODE_CACHE_H */

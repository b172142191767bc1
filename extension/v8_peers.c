/*
 * v8_peers.c -- udf and another V8 embedder (plv8) in one backend.
 *
 * V8 starts once per process, and a library that embeds V8 from the same
 * libnode.so.108 (plv8 built against it) shares udf's V8. Starting it a
 * second time is a V8 fatal error ("Wrong initialization order" in
 * V8::InitializePlatform): SIGTRAP, and the postmaster restarts every backend.
 * So whichever of the two starts second gets an ERROR instead:
 *
 *  - the other library first: before udf starts V8, V8PeersCheck() asks the
 *    shim who holds V8's platform (udf_v8_owner) and raises if it is not udf.
 *  - udf first: PostgreSQL loads libraries with RTLD_GLOBAL, so a library
 *    loaded after udf.so binds V8::InitializePlatform to the definition
 *    below, not libnode's. It forwards to libnode's while V8 has no platform
 *    (udf's own start goes through it too) and raises once it has one.
 *    plv8 starts V8 in _PG_init, so the ERROR leaves its _PG_init: V8 was not
 *    touched yet, and (plv8 3.2) no C++ object with a destructor is live at
 *    that call. PostgreSQL lists a library as loaded only once its _PG_init
 *    has returned, so the next use runs _PG_init again (plv8 skips the GUCs it
 *    already defined) and gets the same ERROR.
 *
 * Not covered: a library loaded before udf.so that starts V8 only later, after
 * udf did (its call is bound to libnode's InitializePlatform already).
 */
#include "udf.h"

#include <dlfcn.h>
#include <string.h>

/* The mangled name of v8::V8::InitializePlatform(v8::Platform *), as libnode exports it. */
#define INITIALIZE_PLATFORM "_ZN2v82V818InitializePlatformEPNS_8PlatformE"

extern PGDLLEXPORT void _ZN2v82V818InitializePlatformEPNS_8PlatformE(void *platform);

/* Raise an ERROR if another library in this backend already started V8. */
void
V8PeersCheck(void)
{
	if (udf_v8_owner() == UDF_V8_STARTED_ELSEWHERE)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("udf cannot start V8: another library in this backend (plv8?) already started it"),
				 errdetail("V8 can be started only once per process."),
				 errhint("Use udf and plv8 in separate sessions.")));
}

/* The name of the library whose code is at addr, without directory and ".so". */
static char *
LibraryAt(void *addr)
{
	Dl_info		info;
	const char *name;
	char	   *dot;
	char	   *copy;

	if (!dladdr(addr, &info) || !info.dli_fname)
		return pstrdup("another library");
	name = strrchr(info.dli_fname, '/');
	copy = pstrdup(name ? name + 1 : info.dli_fname);
	dot = strstr(copy, ".so");
	if (dot)
		*dot = '\0';
	return copy;
}

/* V8::InitializePlatform for every library loaded after udf.so: refused once V8 has a platform. */
void
_ZN2v82V818InitializePlatformEPNS_8PlatformE(void *platform)
{
	static void (*libnode_initialize_platform) (void *) = NULL;
	UdfV8Owner	owner = udf_v8_owner();

	if (owner != UDF_V8_NOT_STARTED)
	{
		char	   *caller = LibraryAt(__builtin_return_address(0));

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("%s cannot start V8: %s already started it in this backend", caller,
						owner == UDF_V8_STARTED_BY_UDF ? "udf" : "another library"),
				 errdetail("V8 can be started only once per process."),
				 errhint("Use udf and %s in separate sessions.", caller)));
	}
	if (!libnode_initialize_platform)
	{
		void	   *libnode = dlopen("libnode.so.108", RTLD_NOW | RTLD_NOLOAD);

		if (libnode)
			libnode_initialize_platform = (void (*) (void *)) dlsym(libnode, INITIALIZE_PLATFORM);
		if (!libnode_initialize_platform)
			elog(ERROR, "udf: libnode.so.108 has no %s", INITIALIZE_PLATFORM);
	}
	libnode_initialize_platform(platform);
}

/*
 * names.c -- names: function names (parsing Convex paths and resolving them
 * in a deployment), and Convex's rules for table and index names.
 *
 * A name follows Convex's path rules: "dir/module:export", split at the last
 * ':', ".js" optional (".ts" accepted and read as ".js"), ":default" implied.
 * Resolving finds whether the deployment has the module and the function's
 * kind. Deployments never change under an id, so resolved names are cached
 * per deployment id, in their own memory context; a call still running may
 * hold names of the old cache (a nested call can load a newer deployment
 * under it), so an old cache is freed with the transaction, not at once.
 */
#include "udf.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

/* Split and canonicalise a Convex function path; ERROR if malformed. */
FunctionName
NameParse(const char *name)
{
	FunctionName fn;
	const char *colon = strrchr(name, ':');
	char	   *module = colon ? pnstrdup(name, colon - name) : pstrdup(name);
	const char *export_name = colon ? colon + 1 : "default";
	size_t		len = strlen(module);
	const char *slash = strrchr(module, '/');
	const char *dot = strrchr(module, '.');
	bool		has_ext = dot && (!slash || dot > slash);

	if (len == 0 || module[0] == '/' || *export_name == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid function name \"%s\"", name),
				 errhint("Name a function as \"module:export\", e.g. \"messages:send\", or \"module\" for its default export.")));
	if (has_ext && strcmp(dot, ".ts") == 0)
		module = psprintf("%.*s.js", (int) (dot - module), module);
	else if (!has_ext)
		module = psprintf("%s.js", module);
	else if (strcmp(dot, ".js") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid function name \"%s\": module paths end in .js", name)));

	fn.module = module;
	fn.export_name = pstrdup(export_name);
	if (strcmp(export_name, "default") == 0)
		fn.display = pnstrdup(module, strlen(module) - 3);
	else
		fn.display = psprintf("%.*s:%s", (int) (strlen(module) - 3), module, export_name);
	return fn;
}

/*
 * Function names resolved for the live deployment: the parsed name, whether
 * the deployment has its module, and its kind (NULL if no such function).
 * Deployments never change under an id, so the cache is keyed by the id and
 * replaced when another deployment goes live.
 */
#define RESOLVED_NAME_MAX 256

typedef struct ResolvedEntry
{
	char		name[RESOLVED_NAME_MAX];	/* hash key: the name as called */
	ResolvedFunction resolved;
} ResolvedEntry;

static HTAB *resolved_functions = NULL;
static MemoryContext resolved_cxt = NULL;
static int64 resolved_for_deployment = -1;
/* the entry the last lookup found: most calls name the function the one before named */
static ResolvedEntry *last_resolved = NULL;

static void
Resolve(const UdfDeployment *dep, const char *name, ResolvedFunction *out)
{
	out->fn = NameParse(name);
	out->has_module = NameDeploymentHasModule(dep, out->fn.module);
	out->kind = out->has_module ? StoreFunctionKind(dep, out->fn.display) : NULL;
}

/* A function name resolved for dep, from the cache when it can be; ERROR if malformed. */
const ResolvedFunction *
NameResolve(const UdfDeployment *dep, const char *name)
{
	ResolvedEntry *entry;
	ResolvedFunction resolved;

	if (strlen(name) >= RESOLVED_NAME_MAX)
	{
		ResolvedFunction *uncached = palloc(sizeof(ResolvedFunction));

		Resolve(dep, name, uncached);
		return uncached;
	}
	if (resolved_functions == NULL || resolved_for_deployment != dep->id)
	{
		HASHCTL		ctl;

		/*
		 * A call still running may hold names from the old cache (a nested
		 * call can load a new deployment under it): free it with the
		 * transaction, not now.
		 */
		if (resolved_cxt)
			MemoryContextSetParent(resolved_cxt, TopTransactionContext);
		resolved_cxt = AllocSetContextCreate(TopMemoryContext, "udf resolved functions",
											 ALLOCSET_SMALL_SIZES);
		ctl.keysize = RESOLVED_NAME_MAX;
		ctl.entrysize = sizeof(ResolvedEntry);
		ctl.hcxt = resolved_cxt;
		resolved_functions = hash_create("udf resolved functions", 64, &ctl,
										 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		resolved_for_deployment = dep->id;
		last_resolved = NULL;
	}
	if (last_resolved && strcmp(last_resolved->name, name) == 0)
		return &last_resolved->resolved;
	entry = hash_search(resolved_functions, name, HASH_FIND, NULL);
	if (entry)
	{
		last_resolved = entry;
		return &entry->resolved;
	}
	/* resolve first: a malformed name raises and is never cached */
	Resolve(dep, name, &resolved);
	resolved.fn.module = MemoryContextStrdup(resolved_cxt, resolved.fn.module);
	resolved.fn.export_name = MemoryContextStrdup(resolved_cxt, resolved.fn.export_name);
	resolved.fn.display = MemoryContextStrdup(resolved_cxt, resolved.fn.display);
	/* the deployment's own copy goes when it is reloaded, even under the same id */
	if (resolved.kind)
		resolved.kind = MemoryContextStrdup(resolved_cxt, resolved.kind);
	entry = hash_search(resolved_functions, name, HASH_ENTER, NULL);
	entry->resolved = resolved;
	return &entry->resolved;
}

/* Does the deployment contain this module? */
bool
NameDeploymentHasModule(const UdfDeployment *dep, const char *path)
{
	for (int i = 0; i < dep->nmodules; i++)
		if (strcmp(dep->modules[i].path, path) == 0)
			return true;
	return false;
}

/* Convex identifier rules for table and index names. */
void
NameCheckIdentifier(const char *what, const char *name)
{
	size_t		len = strlen(name);
	bool		ok = len > 0 && len <= 64 && name[0] != '_' &&
		((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'));

	for (size_t i = 0; ok && i < len; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '_';
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("schema.js: invalid %s name \"%s\"", what, name),
				 errdetail("Names are 1 to 64 letters, digits and underscores, start with a letter, and may not start with an underscore.")));
}

/*
 * deploy.c -- udf_deploy(modules jsonb): check a whole deployment, then make
 * it live.
 *
 * The input maps module paths to source text or {"source", "sourceMap"}.
 * Every module is compiled, linked and evaluated in a throwaway context
 * before anything is written: a syntax error, a missing import or a module
 * that throws at import time refuses the deploy with the module, line and
 * column, and the previous deployment stays live. Writing happens in the
 * caller's transaction (store.c), so a deploy that rolls back never happened.
 *
 * Privileges: EXECUTE on udf_deploy is granted to the role udf_admin only
 * (and the extension owner); the install script sets that up.
 */
#include "udf.h"

#include <jansson.h>

#include "access/xact.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * utils/builtins.h would clash with jansson's json_object(); only this is
 * needed. For the same reason json_object() must never be called here: the
 * postgres binary exports a function of that name, which wins at run time.
 * json_pack("{}") makes an empty object instead.
 */
extern Datum jsonb_in(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(udf_deploy);

/* ERROR about the deploy input. */
#define DeployInputError(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg(__VA_ARGS__), \
			 errhint("udf_deploy takes an object mapping module paths to source text, " \
					 "e.g. '{\"messages.js\": \"export const f = ...\"}', or to {\"source\": ..., \"sourceMap\": ...}.")))

/* Canonical module path: relative, "/"-separated, ending in .js; ERROR otherwise. */
static char *
CanonicalModulePath(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	bool		has_ext = dot && (!slash || dot > slash);

	if (*path == '\0' || path[0] == '/' || strstr(path, "//") || strchr(path, ':') ||
		strchr(path, '\\'))
		DeployInputError("invalid module path \"%s\"", path);
	for (const char *seg = path; seg; seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL)
	{
		if (strncmp(seg, "../", 3) == 0 || strncmp(seg, "./", 2) == 0 ||
			strcmp(seg, "..") == 0 || strcmp(seg, ".") == 0)
			DeployInputError("invalid module path \"%s\": paths are relative to the deployment root, without . or .. segments", path);
	}
	if (!has_ext)
		return psprintf("%s.js", path);
	if (strcmp(dot, ".js") != 0)
		DeployInputError("invalid module path \"%s\": modules are JavaScript files ending in .js", path);
	return pstrdup(path);
}

/* qsort comparator: modules by path. */
static int
ModulePathCmp(const void *a, const void *b)
{
	return strcmp(((const UdfModule *) a)->path, ((const UdfModule *) b)->path);
}

/* Parse the modules object into an array sorted by path; ERROR on any malformed entry. */
static UdfModule *
ParseModules(Jsonb *input, int *nmodules)
{
	char	   *text = JsonbToCString(NULL, &input->root, VARSIZE(input));
	json_error_t jerr;
	json_t	   *root = json_loads(text, JSON_DECODE_ANY, &jerr);
	const char *key;
	json_t	   *value;
	UdfModule  *modules;
	int			n = 0;

	if (root == NULL)
		elog(ERROR, "could not parse deploy input: %s", jerr.text);
	if (!json_is_object(root))
	{
		const char *got = json_is_array(root) ? "an array" : "a scalar";

		json_decref(root);
		DeployInputError("udf_deploy expects a JSON object of modules, got %s", got);
	}
	modules = palloc0(sizeof(UdfModule) * Max(1, json_object_size(root)));
	json_object_foreach(root, key, value)
	{
		UdfModule  *m = &modules[n];
		json_t	   *source = value;
		json_t	   *map = NULL;

		m->path = CanonicalModulePath(key);
		for (int i = 0; i < n; i++)
			if (strcmp(modules[i].path, m->path) == 0)
				DeployInputError("module \"%s\" is given twice", m->path);
		if (json_is_object(value))
		{
			source = json_object_get(value, "source");
			map = json_object_get(value, "sourceMap");
			for (void *it = json_object_iter(value); it; it = json_object_iter_next(value, it))
			{
				const char *k = json_object_iter_key(it);

				if (strcmp(k, "source") != 0 && strcmp(k, "sourceMap") != 0)
					DeployInputError("module \"%s\": unknown key \"%s\" (expected \"source\" and optionally \"sourceMap\")", key, k);
			}
		}
		if (!json_is_string(source))
			DeployInputError("module \"%s\": the source must be a string, got %s", key,
							 source == NULL ? "nothing" :
							 json_is_object(source) ? "an object" :
							 json_is_array(source) ? "an array" :
							 json_is_number(source) ? "a number" :
							 json_is_boolean(source) ? "a boolean" : "null");
		m->source = pstrdup(json_string_value(source));
		if (map && json_is_string(map))
			m->source_map = pstrdup(json_string_value(map));
		else if (map && json_is_object(map))
		{
			char	   *dumped = json_dumps(map, JSON_COMPACT);

			m->source_map = pstrdup(dumped);
			free(dumped);
		}
		else if (map && !json_is_null(map))
			DeployInputError("module \"%s\": sourceMap must be a string or an object", key);
		n++;
	}
	json_decref(root);
	qsort(modules, n, sizeof(UdfModule), ModulePathCmp);
	*nmodules = n;
	return modules;
}

/* One runtime entry point of deploy analysis, on one module. */
typedef struct AnalysisStep
{
	UdfV8Context *ctx;
	const char *entry;			/* "analyze" (given the path) or "schema" (no arguments) */
	const char *path;
	int			nargs;
	char	  **answer;
} AnalysisStep;

/* Step: ask the runtime about a loaded module. */
static UdfV8Status
RunAnalysisStep(void *arg, UdfV8Error *err)
{
	AnalysisStep *a = arg;
	const char *args[1] = {a->path};

	return udf_v8_call(a->ctx, a->entry, a->path, args, a->nargs, a->answer, err);
}

/* The runtime's answer about a module, through the one call path; ERROR on failure. */
static char *
AskRuntime(UdfV8Context *ctx, const char *entry, const char *path, int nargs)
{
	char	   *answer = NULL;
	AnalysisStep a = {ctx, entry, path, nargs, &answer};
	CallSpec	spec = {RunAnalysisStep, &a, NULL, false, CALL_RAISE, NULL};
	UdfV8Error	err;

	(void) CallRun(&spec, &err);
	return answer;
}

/*
 * The modules convex.config.js imports from packages (other than convex's
 * own), comma-separated, or NULL: a static scan of its `from "..."` and
 * `import "..."` specifiers, made before anything is compiled, because a
 * component's import would otherwise fail as an unrelated-looking missing
 * module.
 */
static char *
ComponentImports(const char *source)
{
	StringInfoData found;
	const char *p = source;

	initStringInfo(&found);
	while ((p = strstr(p, "from")) != NULL)
	{
		const char *q = p + 4;
		char		quote;
		const char *end;

		p = q;
		while (*q == ' ' || *q == '\t' || *q == '\n')
			q++;
		if (*q != '"' && *q != '\'')
			continue;
		quote = *q++;
		end = strchr(q, quote);
		if (end == NULL)
			break;
		/* relative imports are the app's own modules; "convex/..." is the package */
		if (*q != '.' && strncmp(q, "convex/", 7) != 0)
			appendStringInfo(&found, "%s\"%.*s\"", found.len ? ", " : "", (int) (end - q), q);
		p = end + 1;
	}
	return found.len ? found.data : NULL;
}

/* Refuse an app that installs Convex components (convex.config.js), naming them. */
static void
RefuseComponents(int nmodules, const UdfModule *modules)
{
	for (int i = 0; i < nmodules; i++)
	{
		char	   *components;

		if (strcmp(modules[i].path, "convex.config.js") != 0)
			continue;
		components = ComponentImports(modules[i].source);
		if (components)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("udf does not support Convex components yet: convex.config.js installs %s with defineApp().use(...)",
							components),
					 errhint("Deploy the app without convex.config.js and the components it uses; calls through components.* in _generated/api then fail with a clear error.")));
	}
}

/*
 * Load every module in a scratch context and collect their functions as JSON;
 * *schema gets schema.js's export, *crons crons.js's list of crons. Modules
 * under _deps/ (the chunks a bundler shares between modules, as Convex's CLI
 * names them) are loaded but never listed: a function re-exported through a
 * chunk is listed under its module.
 */
static char *
AnalyzeDeployment(int nmodules, UdfModule *modules, const char *seed, double now_ms, char **schema,
				  char **crons)
{
	UdfDeployment scratch = {0};
	UdfV8Context *ctx;
	StringInfoData functions;
	volatile bool ok = false;

	scratch.nmodules = nmodules;
	scratch.modules = modules;
	ctx = ContextsNew(&scratch, nmodules, modules);
	initStringInfo(&functions);
	appendStringInfoChar(&functions, '[');
	PG_TRY();
	{
		for (int i = 0; i < nmodules; i++)
		{
			char	   *list;

			CallLoadModule(ctx, modules[i].path, seed, now_ms);
			/* _deps/ holds a bundler's shared chunks: no functions of its own */
			if (strncmp(modules[i].path, "_deps/", 6) == 0)
				continue;
			list = AskRuntime(ctx, "analyze", modules[i].path, 1);
			if (strcmp(modules[i].path, "schema.js") == 0)
				*schema = AskRuntime(ctx, "schema", modules[i].path, 0);
			if (strcmp(modules[i].path, "crons.js") == 0)
				*crons = AskRuntime(ctx, "crons", modules[i].path, 0);
			/* splice the module's array into the overall one */
			if (strlen(list) > 2)
			{
				if (functions.len > 1)
					appendStringInfoChar(&functions, ',');
				appendBinaryStringInfo(&functions, list + 1, strlen(list) - 2);
			}
		}
		ok = true;
	}
	PG_FINALLY();
	{
		/* after an OOM the isolate (and this context with it) is already gone */
		if (udf_v8_isolate_alive() || ok)
			udf_v8_context_free(ctx);
	}
	PG_END_TRY();
	appendStringInfoChar(&functions, ']');
	return functions.data;
}

/* Build the summary udf_deploy returns from the function list. */
static Datum
DeploySummary(int64 id, int nmodules, UdfModule *modules, const char *functions_json, const char *tables)
{
	json_t	   *functions = json_loads(functions_json, 0, NULL);
	json_t	   *summary = json_pack("{}");
	json_t	   *mods = json_array();
	json_t	   *fns = json_array();
	size_t		i;
	json_t	   *f;
	char	   *text;
	Datum		result;

	for (int m = 0; m < nmodules; m++)
		json_array_append_new(mods, json_string(modules[m].path));
	json_array_foreach(functions, i, f)
	{
		json_array_append_new(fns, json_pack("{s:O,s:O,s:O}",
											 "name", json_object_get(f, "name"),
											 "kind", json_object_get(f, "kind"),
											 "visibility", json_object_get(f, "visibility")));
	}
	json_object_set_new(summary, "deployment", json_integer(id));
	json_object_set_new(summary, "modules", mods);
	json_object_set_new(summary, "functions", fns);
	if (tables)
		json_object_set_new(summary, "tables", json_loads(tables, 0, NULL));
	text = json_dumps(summary, JSON_COMPACT);
	json_decref(summary);
	json_decref(functions);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
	free(text);
	return result;
}

/* udf_deploy(modules jsonb) returns jsonb */
Datum
udf_deploy(PG_FUNCTION_ARGS)
{
	int			nmodules;
	UdfModule  *modules;
	char	   *functions;
	char		seed[65];
	double		now_ms;
	int64		id;
	char	   *schema = NULL;
	char	   *crons = NULL;
	char	   *tables;
	TimestampTz start = GetCurrentTransactionStartTimestamp();

	/* a standby cannot store a deployment; say so before doing any work */
	PreventCommandDuringRecovery("udf_deploy");
	if (PG_ARGISNULL(0))
		DeployInputError("udf_deploy expects a JSON object of modules, got NULL");
	modules = ParseModules(PG_GETARG_JSONB_P(0), &nmodules);
	RefuseComponents(nmodules, modules);

	/* the import phase sees the deploy's own time, as deployed_at records it */
	now_ms = ClockTimestampMs(start);
	PrngSeedHex(seed, sizeof(seed));
	functions = AnalyzeDeployment(nmodules, modules, seed, now_ms, &schema, &crons);
	/* before any DDL: concurrent deploys queue here rather than deadlock */
	StoreLockDeployments();
	tables = schema ? SchemaApply(schema) : NULL;
	id = StoreSaveDeployment(nmodules, modules, functions, seed, tables ? schema : NULL);
	CronsApply(crons, functions);
	SqlApiApply(functions);
	PG_RETURN_DATUM(DeploySummary(id, nmodules, modules, functions, tables));
}

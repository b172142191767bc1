/*
 * store.c -- the deployment tables, and knowing when they changed.
 *
 * A deployment lives in two tables of the extension's schema:
 * udf_deployment (one row per deploy; the highest id is live) and
 * udf_module (the live deployment's modules). Both belong to the extension
 * owner and are closed to everyone else; this file reads and writes them as
 * their owner (RunAsExtensionOwner, elevated.c: fixed search_path, every
 * function and operator schema-qualified), so a caller needs only EXECUTE on
 * the SQL functions.
 *
 * Each backend caches the live deployment in its own memory context. udf_deploy
 * sends a relcache invalidation for udf_deployment; the callback registered
 * here marks the cache stale, so the next call in every backend (including
 * those that ran the old deployment) reloads it. Invalidations are
 * transactional: a deploy that rolls back is never seen elsewhere.
 */
#include "udf.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

static bool deployment_stale = true;
static Oid	deployment_relid = InvalidOid;
static MemoryContext deployment_cxt = NULL;
static UdfDeployment deployment;

static void DeploymentInvalidated(Datum arg, Oid relid);

/* Register the relcache callback that tracks redeploys. */
void
StoreInit(void)
{
	CacheRegisterRelcacheCallback(DeploymentInvalidated, (Datum) 0);
}

/* Relcache callback: a new (or rolled back) deploy happened somewhere. */
static void
DeploymentInvalidated(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == deployment_relid)
		deployment_stale = true;
}

/* Copy a text column (or NULL) into the cache context. */
static char *
CopyColumn(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return NULL;
	return MemoryContextStrdup(deployment_cxt, TextDatumGetCString(d));
}

/* A string member of a jsonb object, copied into the cache; NULL if missing or not a string. */
static char *
CopyJsonbString(JsonbContainer *obj, const char *key)
{
	JsonbValue	v;
	char	   *copy;

	if (!getKeyJsonValueFromContainer(obj, key, strlen(key), &v) || v.type != jbvString)
		return NULL;
	copy = MemoryContextAlloc(deployment_cxt, v.val.string.len + 1);
	memcpy(copy, v.val.string.val, v.val.string.len);
	copy[v.val.string.len] = '\0';
	return copy;
}

/* qsort comparator: functions by name, byte order (as COLLATE "C"). */
static int
CompareFunctionNames(const void *a, const void *b)
{
	return strcmp(((const UdfFunctionInfo *) a)->name, ((const UdfFunctionInfo *) b)->name);
}

/*
 * The kinds of the deployment's functions, from its functions column (a
 * jsonb array of {name, kind, ...}), sorted by name, so a call knows its
 * time limit up front. Walked here rather than in SQL: a fresh backend's
 * first call then plans no jsonb_array_elements, ->> or COLLATE, whose
 * catalog lookups were a fifth of the shared memory it touched.
 */
static void
ReadFunctionKinds(Jsonb *functions)
{
	int			n = JB_ROOT_IS_ARRAY(functions) && !JB_ROOT_IS_SCALAR(functions) ?
		(int) JB_ROOT_COUNT(functions) : 0;

	deployment.functions = MemoryContextAllocZero(deployment_cxt, sizeof(UdfFunctionInfo) * Max(1, n));
	deployment.nfunctions = 0;
	for (int i = 0; i < n; i++)
	{
		JsonbValue *f = getIthJsonbValueFromContainer(&functions->root, (uint32) i);
		UdfFunctionInfo *info = &deployment.functions[deployment.nfunctions];

		/* udf_deploy writes only objects with a string name and kind */
		if (f == NULL || f->type != jbvBinary || !JsonContainerIsObject(f->val.binary.data))
			continue;
		info->name = CopyJsonbString(f->val.binary.data, "name");
		info->kind = CopyJsonbString(f->val.binary.data, "kind");
		if (info->name != NULL)
			deployment.nfunctions++;
	}
	qsort(deployment.functions, deployment.nfunctions, sizeof(UdfFunctionInfo), CompareFunctionNames);
}

/*
 * Read the live deployment into the cache; runs as the tables' owner. Two
 * plain queries: the conversions (epoch milliseconds, the schema's text,
 * the function list) are done here in C, because in a fresh backend each
 * operator, cast and set-returning function SQL would use costs catalog
 * lookups, and those pages of shared memory are part of its RSS.
 */
static void
ReadDeployment(void *arg)
{
	char	   *sql;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	sql = psprintf("SELECT id, deployed_at, import_seed, schema, functions FROM %s ORDER BY id DESC LIMIT 1",
				   ExtensionTableName("udf_deployment"));
	if (SPI_execute(sql, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read udf_deployment");
	if (SPI_processed == 1)
	{
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	rowdesc = SPI_tuptable->tupdesc;
		bool		isnull;
		TimestampTz at;
		Datum		d;

		deployment.id = DatumGetInt64(SPI_getbinval(row, rowdesc, 1, &isnull));
		/* microseconds since 2000-01-01 to milliseconds since 1970-01-01, as extract(epoch) * 1000 */
		at = DatumGetTimestampTz(SPI_getbinval(row, rowdesc, 2, &isnull));
		deployment.deployed_at_ms = (double) (at + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
											  SECS_PER_DAY * USECS_PER_SEC) / 1000.0;
		deployment.import_seed = CopyColumn(row, rowdesc, 3);
		d = SPI_getbinval(row, rowdesc, 4, &isnull);
		if (!isnull)
		{
			Jsonb	   *schema = DatumGetJsonbP(d);

			/* the text jsonb_out would give */
			deployment.schema = MemoryContextStrdup(deployment_cxt,
													JsonbToCString(NULL, &schema->root, VARSIZE(schema)));
		}
		d = SPI_getbinval(row, rowdesc, 5, &isnull);
		ReadFunctionKinds(DatumGetJsonbP(d));
		sql = psprintf("SELECT path, source, source_map, source_sha256 FROM %s ORDER BY path",
					   ExtensionTableName("udf_module"));
		if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not read udf_module");
		deployment.nmodules = (int) SPI_processed;
		deployment.modules = MemoryContextAllocZero(deployment_cxt,
													sizeof(UdfModule) * Max(1, deployment.nmodules));
		for (int i = 0; i < deployment.nmodules; i++)
		{
			HeapTuple	tup = SPI_tuptable->vals[i];
			TupleDesc	desc = SPI_tuptable->tupdesc;

			deployment.modules[i].path = CopyColumn(tup, desc, 1);
			deployment.modules[i].source = CopyColumn(tup, desc, 2);
			deployment.modules[i].source_map = CopyColumn(tup, desc, 3);
			deployment.modules[i].source_sha256 = CopyColumn(tup, desc, 4);
		}
	}
	SPI_finish();
}

/* Reload the live deployment into the cache. */
static void
LoadDeployment(void)
{
	Oid			owner;

	/* cleared first: an invalidation that arrives while we read sets it again */
	deployment_stale = false;
	deployment_relid = ExtensionTable("udf_deployment", &owner);
	if (deployment_cxt == NULL)
		deployment_cxt = AllocSetContextCreate(TopMemoryContext, "udf deployment",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(deployment_cxt);
	memset(&deployment, 0, sizeof(deployment));
	RunAsExtensionOwner(ReadDeployment, NULL);
}

/* Kind of a function of the deployment by display name, or NULL if unknown. */
const char *
StoreFunctionKind(const UdfDeployment *dep, const char *name)
{
	int			lo = 0;
	int			hi = dep->nfunctions - 1;

	/* the list is sorted with COLLATE "C", i.e. by strcmp */
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(dep->functions[mid].name, name);

		if (c == 0)
			return dep->functions[mid].kind;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* The live deployment (id 0 if nothing was deployed yet). */
const UdfDeployment *
StoreCurrentDeployment(void)
{
	if (deployment_stale || deployment_cxt == NULL)
	{
		PG_TRY();
		{
			LoadDeployment();
		}
		PG_CATCH();
		{
			deployment_stale = true;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return &deployment;
}

/* Take udf's one-deploy-at-a-time lock; runs as the tables' owner. */
static void
LockDeployments(void *arg)
{
	char	   *sql = psprintf("LOCK TABLE %s IN EXCLUSIVE MODE", ExtensionTableName("udf_deployment"));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "could not lock udf_deployment");
	SPI_finish();
}

/*
 * One deploy at a time, until the transaction ends: taken before a deploy
 * changes any table, so concurrent deploys queue here instead of
 * deadlocking on the tables' DDL locks.
 */
void
StoreLockDeployments(void)
{
	RunAsExtensionOwner(LockDeployments, NULL);
}

/* What WriteDeployment stores, and the id it gets. */
typedef struct DeploymentWrite
{
	int			nmodules;
	const UdfModule *modules;
	const char *functions_json;
	const char *import_seed;
	const char *schema_json;
	Oid			deployer;
	int64		id;
} DeploymentWrite;

/* Replace the modules and add the deployment row; runs as the tables' owner. */
static void
WriteDeployment(void *arg)
{
	DeploymentWrite *w = arg;
	Oid			insert_types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Oid			deploy_types[4] = {JSONBOID, TEXTOID, NAMEOID, JSONBOID};
	Datum		values[4];
	char		nulls[4];
	char	   *sql;
	bool		isnull;
	List	   *old_hashes = NIL;
	List	   *new_hashes = NIL;

	LockDeployments(NULL);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	sql = psprintf("DELETE FROM %s RETURNING source_sha256", ExtensionTableName("udf_module"));
	if (SPI_execute(sql, false, 0) != SPI_OK_DELETE_RETURNING)
		elog(ERROR, "could not clear udf_module");
	for (uint64 i = 0; i < SPI_processed; i++)
		old_hashes = lappend(old_hashes, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	sql = psprintf("INSERT INTO %s (path, source, source_map, source_sha256) "
				   "VALUES ($1, $2, $3, pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($2, 'UTF8')), 'hex')) "
				   "RETURNING source_sha256",
				   ExtensionTableName("udf_module"));
	for (int i = 0; i < w->nmodules; i++)
	{
		values[0] = CStringGetTextDatum(w->modules[i].path);
		values[1] = CStringGetTextDatum(w->modules[i].source);
		values[2] = w->modules[i].source_map ? CStringGetTextDatum(w->modules[i].source_map) : (Datum) 0;
		nulls[0] = nulls[1] = ' ';
		nulls[2] = w->modules[i].source_map ? ' ' : 'n';
		if (SPI_execute_with_args(sql, 3, insert_types, values, nulls, false, 0) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "could not insert into udf_module");
		new_hashes = lappend(new_hashes, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	}
	sql = psprintf("INSERT INTO %s (functions, import_seed, deployed_by, schema) VALUES ($1, $2, $3, $4) RETURNING id",
				   ExtensionTableName("udf_deployment"));
	values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(w->functions_json));
	values[1] = CStringGetTextDatum(w->import_seed);
	/* the role that called udf_deploy, not the owner we write as */
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(w->deployer, false)));
	values[3] = w->schema_json ? DirectFunctionCall1(jsonb_in, CStringGetDatum(w->schema_json)) : (Datum) 0;
	nulls[0] = nulls[1] = nulls[2] = ' ';
	nulls[3] = w->schema_json ? ' ' : 'n';
	if (SPI_execute_with_args(sql, 4, deploy_types, values, nulls, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not insert into udf_deployment");
	w->id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	CodeCachePrune(old_hashes, new_hashes);
	SPI_finish();
}

/*
 * Replace the live deployment by modules; returns the new deployment id.
 * functions_json is the analysed list of functions (udf_functions()).
 */
int64
StoreSaveDeployment(int nmodules, const UdfModule *modules, const char *functions_json,
					const char *import_seed, const char *schema_json)
{
	Oid			owner;
	Oid			relid = ExtensionTable("udf_deployment", &owner);
	DeploymentWrite w = {nmodules, modules, functions_json, import_seed, schema_json, GetUserId(), 0};

	RunAsExtensionOwner(WriteDeployment, &w);
	/* every backend (this one included) reloads on its next call */
	CacheInvalidateRelcacheByRelid(relid);
	deployment_stale = true;
	return w.id;
}

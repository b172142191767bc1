/*
 * store.h -- the deployment tables and the live deployment (store.c).
 */
#ifndef UDF_STORE_H
#define UDF_STORE_H

/* A loaded deployment as the backend caches it. */
typedef struct UdfModule
{
	char	   *path;
	char	   *source;
	char	   *source_map;		/* NULL if none */
	char	   *source_sha256;	/* hex; set when read back from udf_module */
} UdfModule;

typedef struct UdfFunctionInfo
{
	char	   *name;			/* "dir/messages:send" */
	char	   *kind;			/* query, mutation, action, httpAction */
} UdfFunctionInfo;

typedef struct UdfDeployment
{
	int64		id;				/* 0: nothing deployed */
	double		deployed_at_ms;	/* Date.now() while modules are imported */
	char	   *import_seed;	/* Math.random seed while modules are imported */
	char	   *schema;			/* schema.js export JSON, or NULL */
	int			nmodules;
	UdfModule  *modules;		/* in TopMemoryContext-owned storage */
	int			nfunctions;
	UdfFunctionInfo *functions;	/* sorted by name */
} UdfDeployment;

/* store.c: the deployment tables */
extern void StoreInit(void);
extern const UdfDeployment *StoreCurrentDeployment(void);
extern const char *StoreFunctionKind(const UdfDeployment *dep, const char *name);
extern int64 StoreSaveDeployment(int nmodules, const UdfModule *modules,
								 const char *functions_json, const char *import_seed,
								 const char *schema_json);
extern void StoreLockDeployments(void);

#endif							/* UDF_STORE_H */

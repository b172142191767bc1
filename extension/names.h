/*
 * names.h -- function names: parsing and resolution (names.c).
 */
#ifndef UDF_NAMES_H
#define UDF_NAMES_H

#include "c.h"

struct UdfDeployment;

typedef struct FunctionName
{
	char	   *module;			/* "dir/messages.js" */
	char	   *export_name;	/* "send" or "default" */
	char	   *display;		/* "dir/messages:send" */
} FunctionName;

typedef struct ResolvedFunction
{
	FunctionName fn;
	bool		has_module;		/* the deployment has fn.module */
	const char *kind;			/* NULL if there is no such function */
} ResolvedFunction;

extern FunctionName NameParse(const char *name);
extern const ResolvedFunction *NameResolve(const struct UdfDeployment *dep, const char *name);
extern bool NameDeploymentHasModule(const struct UdfDeployment *dep, const char *path);

extern void NameCheckIdentifier(const char *what, const char *name);

#endif							/* UDF_NAMES_H */

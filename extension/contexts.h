/*
 * contexts.h -- the backend's V8 contexts and the failure policy (contexts.c).
 */
#ifndef UDF_CONTEXTS_H
#define UDF_CONTEXTS_H

#include "lib/stringinfo.h"
#include "v8shim/udf_v8.h"

struct UdfDeployment;
struct UdfModule;

extern UdfV8Context *ContextsNew(const struct UdfDeployment *dep, int nmodules,
								 const struct UdfModule *modules);
extern UdfV8Context *ContextsFor(const struct UdfDeployment *dep);
extern void ContextsUnpin(UdfV8Context *ctx);
extern void ContextsDropAll(void);
extern void ContextsAfterFailure(UdfV8Status status, const char *function);
extern void ContextsAfterCall(void);
extern void ContextsNoteParked(void);
extern void ContextsAppendInfo(StringInfo buf, const struct UdfDeployment *dep);

#endif							/* UDF_CONTEXTS_H */

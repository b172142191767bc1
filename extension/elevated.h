/*
 * elevated.h -- udf's own tables, and SQL run on them as their owner
 * (elevated.c).
 */
#ifndef UDF_ELEVATED_H
#define UDF_ELEVATED_H

extern Oid	ExtensionSchema(void);
extern Oid	ExtensionTable(const char *name, Oid *owner);
extern char *ExtensionTableName(const char *table);
typedef void (*ElevatedWork) (void *arg);
extern void RunAsExtensionOwner(ElevatedWork work, void *arg);

extern int	PinCatalogSearchPath(void);

#endif							/* UDF_ELEVATED_H */

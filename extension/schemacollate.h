/*
 * schemacollate.h -- schema.js's string columns in UTF-8 byte order
 * (schemacollate.c).
 */
#ifndef UDF_SCHEMACOLLATE_H
#define UDF_SCHEMACOLLATE_H

extern const char *SchemaColumnTypeSql(const char *type);
extern void SchemaEnsureByteOrder(Oid relid, const char *table, const char *field);

#endif							/* UDF_SCHEMACOLLATE_H */

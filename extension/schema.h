/*
 * schema.h -- schema.js makes managed tables (schema.c).
 */
#ifndef UDF_SCHEMA_H
#define UDF_SCHEMA_H

extern char *SchemaApply(const char *schema_json);

#endif							/* UDF_SCHEMA_H */

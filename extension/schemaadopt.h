/*
 * schemaadopt.h -- schema.js takes over a table made by its first insert
 * (schemaadopt.c).
 */
#ifndef UDF_SCHEMAADOPT_H
#define UDF_SCHEMAADOPT_H

#include "jansson_pg.h"

/* schema.c's mapping of a field validator to its SQL type (*scalar: NOT NULL may apply). */
typedef const char *(*SchemaFieldSqlType) (json_t *field_type, bool *scalar);

extern bool SchemaIsSchemaless(Oid relid);
extern void SchemaAdoptTable(Oid relid, const char *name, json_t *document_type, SchemaFieldSqlType type_of);

#endif							/* UDF_SCHEMAADOPT_H */

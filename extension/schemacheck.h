/*
 * schemacheck.h -- a Convex value against a schema.js validator, in C
 * (schemacheck.c).
 */
#ifndef UDF_SCHEMACHECK_H
#define UDF_SCHEMACHECK_H

#include "jansson_pg.h"

extern const char *SchemaCheckValue(json_t *validator, json_t *value, const char *path);

#endif							/* UDF_SCHEMACHECK_H */

/*
 * schemacheck.h -- a Convex value against a schema.js validator, and what a
 * field path inside a validator can hold, in C (schemacheck.c).
 */
#ifndef UDF_SCHEMACHECK_H
#define UDF_SCHEMACHECK_H

#include "jansson_pg.h"

extern const char *SchemaCheckValue(json_t *validator, json_t *value, const char *path);

/* What the value at a field path can be (SchemaPathHolds): bits, 0 if the path never holds one. */
#define PATH_HOLDS_STRING 0x01
#define PATH_HOLDS_FLOAT_ARRAY 0x02
#define PATH_HOLDS_ANY 0x04			/* v.any(): anything, a string or a vector too */
#define PATH_HOLDS_OTHER 0x08
extern int	SchemaPathHolds(json_t *validator, const char *path);

#endif							/* UDF_SCHEMACHECK_H */

/*
 * hostjson.h -- a document sent as host values, read as jansson's JSON (hostjson.c).
 */
#ifndef UDF_HOSTJSON_H
#define UDF_HOSTJSON_H

#include "postgres.h"

#include "jansson_pg.h"

extern json_t *HostValuesToJson(const char *data, size_t len, size_t *json_len);

#endif							/* UDF_HOSTJSON_H */

/*
 * values.h -- PostgreSQL values <-> Convex JSON (values.c).
 */
#ifndef UDF_VALUES_H
#define UDF_VALUES_H

#include "jansson_pg.h"
#include "lib/stringinfo.h"

#include "writer.h"

extern void WriteConvexFloat(ValueWriter *w, double d);
extern void WriteConvexInt64(ValueWriter *w, int64 v);
extern void WriteDatumAsConvex(ValueWriter *w, Datum value, Oid typid);
extern void WriteKeyText(ValueWriter *w, Datum value, Oid typid);
extern const char *ConvexTypeName(json_t *j);
extern Datum ConvexToDatum(json_t *j, Oid typid, int32 typmod, const char *table,
						   const char *column, bool *isnull);

#endif							/* UDF_VALUES_H */

/*
 * hostjsonb.h -- a result held as host values, made jsonb (hostjsonb.c).
 */
#ifndef UDF_HOSTJSONB_H
#define UDF_HOSTJSONB_H

#include "postgres.h"

/* The jsonb of the one value in host values data[0..len). */
extern Datum HostValuesToJsonb(const char *data, size_t len);

#endif							/* UDF_HOSTJSONB_H */

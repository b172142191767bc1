/*
 * host_values.h -- host values (udf_v8.h) into V8 values (host_values.cc).
 */
#ifndef UDF_HOST_VALUES_H
#define UDF_HOST_VALUES_H

#include <stddef.h>
#include <string>

#include <v8.h>

/*
 * Build the value encoded in data[0..len). False, with *error set, if the
 * encoding is malformed or V8 refused a value (a string over its length limit).
 */
bool		HostValuesToV8(v8::Isolate *iso, v8::Local<v8::Context> ctx, const char *data,
						   size_t len, v8::Local<v8::Value> *out, std::string *error);

#endif							/* UDF_HOST_VALUES_H */

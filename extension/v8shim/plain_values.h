/*
 * plain_values.h -- a plain Convex value written as host values
 * (plain_values.cc), the reverse of host_values.h.
 */
#ifndef UDF_PLAIN_VALUES_H
#define UDF_PLAIN_VALUES_H

#include <stddef.h>
#include <string>

#include <v8.h>

/* What PlainToHostValues made of a value. */
enum class PlainOutcome
{
	kWritten,					/* *out holds the value's host values */
	kNotPlain,					/* the value needs convexToJson: nothing is written */
	kThrew						/* a getter threw: the exception is pending */
};

/*
 * Write v into *out as host values (udf_v8.h) if it is plain: null,
 * booleans, finite numbers other than -0, strings of well-formed UTF-16,
 * arrays and objects of Object.prototype (or none) with valid Convex field
 * names, nested at most 64 deep, in at most budget bytes. Anything else
 * (bigint, bytes, special numbers, other objects, an invalid field name,
 * undefined in an array) is kNotPlain: convexToJson then encodes it, or
 * throws its own error. object_prototype is the context's Object.prototype.
 */
PlainOutcome PlainToHostValues(v8::Isolate *iso, v8::Local<v8::Context> ctx,
							   v8::Local<v8::Value> object_prototype, v8::Local<v8::Value> v,
							   size_t budget, std::string *out);

#endif							/* UDF_PLAIN_VALUES_H */

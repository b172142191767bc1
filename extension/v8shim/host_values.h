/*
 * host_values.h -- host values (udf_v8.h) into V8 values (host_values.cc).
 */
#ifndef UDF_HOST_VALUES_H
#define UDF_HOST_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include <string>
#include <unordered_map>

#include <v8.h>

/*
 * Per context: for each sequence of field names seen, a function that builds
 * the object from its values (an object literal: one step, where setting
 * field by field costs V8 a property lookup and a map transition each).
 */
struct ObjectShapes
{
	std::unordered_map<std::string, v8::Global<v8::Function>> by_keys;

	/*
	 * In front of by_keys, the shapes used last, found by a hash of the
	 * field names taken while they are read: a hit builds no key string
	 * (an allocation and a rehash for every object, rows and triggers'
	 * argument objects included). A slot is replaced by the shape last
	 * looked up with its hash.
	 */
	struct Recent
	{
		uint64_t	hash = 0;
		std::string signature;	/* empty: a free slot */
		v8::Global<v8::Function> fn;
	};
	static constexpr size_t kRecent = 64;
	Recent		recent[kRecent];
};

/*
 * Build the value encoded in data[0..len). False, with *error set, if the
 * encoding is malformed or V8 refused a value (a string over its length limit).
 * shapes may be NULL (objects are then built field by field).
 */
bool		HostValuesToV8(v8::Isolate *iso, v8::Local<v8::Context> ctx, ObjectShapes *shapes,
						   const char *data, size_t len, v8::Local<v8::Value> *out,
						   std::string *error);

#endif							/* UDF_HOST_VALUES_H */

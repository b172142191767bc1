/*
 * host_values.cc -- host values (udf_v8.h) into V8 values.
 *
 * What JSON.parse would make of the same value's JSON text, built directly:
 * plain objects (fields in order, created as data properties), arrays,
 * numbers, strings, booleans and null. Field names are internalised, as the
 * parser does; string values are not (V8's parser internalises short ones,
 * which costs more than anything else in reading a row). JSON-text values
 * (json columns, SQL arrays) go through V8's own JSON parser.
 */
#include "host_values.h"

#include <string.h>

#include <vector>

#include "udf_v8.h"

using namespace v8;

namespace
{

/* Values nest at most this deep (jsonb allows more than V8's stack likes). */
constexpr int kMaxDepth = 1000;

class Reader
{
  public:
	Reader(Isolate *iso, Local<Context> ctx, const char *data, size_t len)
		: iso_(iso), ctx_(ctx), p_(data), end_(data + len) {}

	bool Value(Local<v8::Value> *out, int depth);
	bool AtEnd() const { return p_ == end_; }
	std::string error;

  private:
	bool Fail(const char *what)
	{
		if (error.empty())
			error = what;
		return false;
	}
	bool U32(uint32_t *v)
	{
		if (end_ - p_ < 4)
			return Fail("truncated host value");
		memcpy(v, p_, 4);
		p_ += 4;
		return true;
	}
	bool Bytes(const char **s, uint32_t *len)
	{
		if (!U32(len))
			return false;
		if (static_cast<size_t>(end_ - p_) < *len)
			return Fail("truncated host value");
		*s = p_;
		p_ += *len;
		return true;
	}
	bool Str(NewStringType type, Local<String> *out)
	{
		const char *s;
		uint32_t	len;

		if (!Bytes(&s, &len))
			return false;
		if (len > static_cast<uint32_t>(String::kMaxLength) ||
			!String::NewFromUtf8(iso_, s, type, static_cast<int>(len)).ToLocal(out))
			return Fail("a string is longer than JavaScript allows");
		return true;
	}

	Isolate    *iso_;
	Local<Context> ctx_;
	const char *p_;
	const char *end_;
};

bool
Reader::Value(Local<v8::Value> *out, int depth)
{
	if (depth > kMaxDepth)
		return Fail("host value nested too deeply");
	if (p_ >= end_)
		return Fail("truncated host value");
	switch (*p_++)
	{
		case UDF_HV_NULL:
			*out = Null(iso_);
			return true;
		case UDF_HV_TRUE:
			*out = True(iso_);
			return true;
		case UDF_HV_FALSE:
			*out = False(iso_);
			return true;
		case UDF_HV_NUMBER:
			{
				double		d;

				if (end_ - p_ < 8)
					return Fail("truncated host value");
				memcpy(&d, p_, 8);
				p_ += 8;
				*out = Number::New(iso_, d);
				return true;
			}
		case UDF_HV_STRING:
			{
				Local<String> s;

				if (!Str(NewStringType::kNormal, &s))
					return false;
				*out = s;
				return true;
			}
		case UDF_HV_JSON:
			{
				Local<String> s;

				if (!Str(NewStringType::kNormal, &s))
					return false;
				if (!JSON::Parse(ctx_, s).ToLocal(out))
					return Fail("a JSON value from the database did not parse");
				return true;
			}
		case UDF_HV_ARRAY:
			{
				uint32_t	n;

				if (!U32(&n))
					return false;
				if (n > static_cast<size_t>(end_ - p_))
					return Fail("truncated host value");
				std::vector<Local<v8::Value>> items(n);

				for (uint32_t i = 0; i < n; i++)
					if (!Value(&items[i], depth + 1))
						return false;
				*out = Array::New(iso_, items.data(), n);
				return true;
			}
		case UDF_HV_OBJECT:
			{
				uint32_t	n;
				Local<Object> obj = Object::New(iso_);

				if (!U32(&n))
					return false;
				for (uint32_t i = 0; i < n; i++)
				{
					Local<String> key;
					Local<v8::Value> v;

					if (!Str(NewStringType::kInternalized, &key) || !Value(&v, depth + 1))
						return false;
					if (!obj->CreateDataProperty(ctx_, key, v).FromMaybe(false))
						return Fail("could not set a field of a host value");
				}
				*out = obj;
				return true;
			}
		default:
			return Fail("unknown host value tag");
	}
}

}								/* namespace */

bool
HostValuesToV8(Isolate *iso, Local<Context> ctx, const char *data, size_t len,
			   Local<Value> *out, std::string *error)
{
	Reader		r(iso, ctx, data, len);

	if (!r.Value(out, 0))
	{
		*error = r.error;
		return false;
	}
	if (!r.AtEnd())
	{
		*error = "host value followed by stray bytes";
		return false;
	}
	return true;
}

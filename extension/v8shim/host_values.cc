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

/* Objects get a shape function up to this many fields, and a context this many shapes. */
constexpr uint32_t kMaxShapeFields = 64;
constexpr size_t kMaxShapes = 512;

/* FNV-1a over bytes, continuing from h: the recent shapes' hash (ObjectShapes). */
constexpr uint64_t kFnvOffset = 14695981039346656037ULL;

inline uint64_t
Fnv(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ULL;
	return h;
}

/* A field name as a JavaScript string literal. */
void
AppendLiteral(std::string *out, const char *s, uint32_t len)
{
	static const char hex[] = "0123456789abcdef";

	out->push_back('"');
	for (uint32_t i = 0; i < len; i++)
	{
		unsigned char ch = static_cast<unsigned char>(s[i]);

		if (ch == '"' || ch == '\\')
		{
			out->push_back('\\');
			out->push_back(static_cast<char>(ch));
		}
		else if (ch < 0x20)
		{
			out->append("\\u00");
			out->push_back(hex[ch >> 4]);
			out->push_back(hex[ch & 15]);
		}
		else
			out->push_back(static_cast<char>(ch));
	}
	out->push_back('"');
}

class Reader
{
  public:
	Reader(Isolate *iso, Local<Context> ctx, ObjectShapes *shapes, const char *data, size_t len)
		: iso_(iso), ctx_(ctx), shapes_(shapes), p_(data), end_(data + len) {}

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
	bool NewString(const char *s, uint32_t len, NewStringType type, Local<String> *out)
	{
		if (len > static_cast<uint32_t>(String::kMaxLength) ||
			!String::NewFromUtf8(iso_, s, type, static_cast<int>(len)).ToLocal(out))
			return Fail("a string is longer than JavaScript allows");
		return true;
	}
	bool Str(Local<String> *out)
	{
		const char *s;
		uint32_t	len;

		return Bytes(&s, &len) && NewString(s, len, NewStringType::kNormal, out);
	}

	bool Object(Local<v8::Value> *out, int depth);
	bool ShapeFor(const std::string &signature, const std::pair<const char *, uint32_t> *keys, uint32_t n,
				  Local<Function> *fn);
	bool RecentShape(uint64_t hash, const std::pair<const char *, uint32_t> *keys, uint32_t n,
					 Local<Function> *fn);

	Isolate    *iso_;
	Local<Context> ctx_;
	ObjectShapes *shapes_;
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

				if (!Str(&s))
					return false;
				*out = s;
				return true;
			}
		case UDF_HV_JSON:
			{
				Local<String> s;

				if (!Str(&s))
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
			return Object(out, depth);
		case UDF_HV_BYTES:
			{
				const char *b;
				uint32_t	len;

				if (!Bytes(&b, &len))
					return false;
				Local<ArrayBuffer> ab = ArrayBuffer::New(iso_, len);

				if (len > 0)
					memcpy(ab->GetBackingStore()->Data(), b, len);
				*out = ab;
				return true;
			}
		default:
			return Fail("unknown host value tag");
	}
}

/* The function building objects with these fields, made on first sight; false if none. */
bool
Reader::ShapeFor(const std::string &signature, const std::pair<const char *, uint32_t> *keys, uint32_t n,
				 Local<Function> *fn)
{
	auto		it = shapes_->by_keys.find(signature);

	if (it != shapes_->by_keys.end())
	{
		*fn = it->second.Get(iso_);
		return true;
	}
	if (shapes_->by_keys.size() >= kMaxShapes)
		return false;
	std::string body = "return {";
	std::vector<Local<String>> params;

	for (size_t i = 0; i < n; i++)
	{
		/* in a literal, __proto__ would set the prototype, not make a field */
		if (keys[i].second == 9 && memcmp(keys[i].first, "__proto__", 9) == 0)
			return false;
		std::string param = "a" + std::to_string(i);

		if (i > 0)
			body.push_back(',');
		AppendLiteral(&body, keys[i].first, keys[i].second);
		body += ":" + param;
		Local<String> name;

		/* a parameter name can only fail to allocate while the call is being stopped */
		if (!String::NewFromUtf8(iso_, param.data(), NewStringType::kInternalized,
								 static_cast<int>(param.size())).ToLocal(&name))
			return false;
		params.push_back(name);
	}
	body += "};";
	Local<String> source_text;

	if (!String::NewFromUtf8(iso_, body.data(), NewStringType::kNormal, static_cast<int>(body.size())).ToLocal(&source_text))
		return false;
	ScriptCompiler::Source source(source_text);
	TryCatch	tc(iso_);

	if (!ScriptCompiler::CompileFunction(ctx_, &source, params.size(), params.data()).ToLocal(fn))
		return false;
	shapes_->by_keys.emplace(signature, Global<Function>(iso_, *fn));
	return true;
}

/* Whether signature (ShapeFor's key) is these field names, compared in place. */
bool
SignatureIs(const std::string &signature, const std::pair<const char *, uint32_t> *keys, uint32_t n)
{
	const char *p = signature.data();
	const char *end = p + signature.size();

	for (uint32_t i = 0; i < n; i++)
	{
		if (static_cast<size_t>(end - p) < sizeof(uint32_t) + keys[i].second ||
			memcmp(p, &keys[i].second, sizeof(uint32_t)) != 0 ||
			memcmp(p + sizeof(uint32_t), keys[i].first, keys[i].second) != 0)
			return false;
		p += sizeof(uint32_t) + keys[i].second;
	}
	return p == end;
}

/*
 * The shape function for these fields: from the recent slots when their
 * hash and names match, else from ShapeFor (and then kept in its slot).
 */
bool
Reader::RecentShape(uint64_t hash, const std::pair<const char *, uint32_t> *keys, uint32_t n,
					Local<Function> *fn)
{
	ObjectShapes::Recent &slot = shapes_->recent[hash % ObjectShapes::kRecent];

	if (slot.hash == hash && !slot.signature.empty() && SignatureIs(slot.signature, keys, n))
	{
		*fn = slot.fn.Get(iso_);
		return true;
	}
	std::string signature;

	for (uint32_t i = 0; i < n; i++)
	{
		signature.append(reinterpret_cast<const char *>(&keys[i].second), sizeof(uint32_t));
		signature.append(keys[i].first, keys[i].second);
	}
	if (!ShapeFor(signature, keys, n, fn))
		return false;
	slot.hash = hash;
	slot.signature = std::move(signature);
	slot.fn.Reset(iso_, *fn);
	return true;
}

/* An object: its values first, then one call of its shape's function (or field by field). */
bool
Reader::Object(Local<v8::Value> *out, int depth)
{
	uint32_t	n;

	if (!U32(&n))
		return false;
	if (n > static_cast<size_t>(end_ - p_))
		return Fail("truncated host value");
	/* most objects are small: their keys and values on the stack */
	constexpr uint32_t kSmall = 8;
	std::pair<const char *, uint32_t> small_keys[kSmall];
	Local<v8::Value> small_values[kSmall];
	std::vector<std::pair<const char *, uint32_t>> big_keys;
	std::vector<Local<v8::Value>> big_values;
	std::pair<const char *, uint32_t> *keys = small_keys;
	Local<v8::Value> *values = small_values;

	if (n > kSmall)
	{
		big_keys.resize(n);
		big_values.resize(n);
		keys = big_keys.data();
		values = big_values.data();
	}

	uint64_t	hash = kFnvOffset;

	for (uint32_t i = 0; i < n; i++)
	{
		if (!Bytes(&keys[i].first, &keys[i].second) || !Value(&values[i], depth + 1))
			return false;
		hash = Fnv(hash, reinterpret_cast<const char *>(&keys[i].second), sizeof(uint32_t));
		hash = Fnv(hash, keys[i].first, keys[i].second);
	}
	Local<Function> fn;

	if (shapes_ && n > 0 && n <= kMaxShapeFields && RecentShape(hash, keys, n, &fn))
	{
		Local<v8::Value> obj;

		if (!fn->Call(ctx_, Undefined(iso_), static_cast<int>(n), values).ToLocal(&obj))
			return Fail("could not build an object of a host value");
		*out = obj;
		return true;
	}
	Local<v8::Object> obj = v8::Object::New(iso_);

	for (uint32_t i = 0; i < n; i++)
	{
		Local<String> key;

		if (!NewString(keys[i].first, keys[i].second, NewStringType::kInternalized, &key))
			return false;
		if (!obj->CreateDataProperty(ctx_, key, values[i]).FromMaybe(false))
			return Fail("could not set a field of a host value");
	}
	*out = obj;
	return true;
}

}								/* namespace */

bool
HostValuesToV8(Isolate *iso, Local<Context> ctx, ObjectShapes *shapes, const char *data, size_t len,
			   Local<Value> *out, std::string *error)
{
	Reader		r(iso, ctx, shapes, data, len);

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

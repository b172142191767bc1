/*
 * plain_values.cc -- a function's plain result written as host values.
 *
 * udf_invoke stores a function's result as jsonb. The package's way there is
 * convexToJson (a copy of the value, keys sorted), JSON.stringify, and
 * PostgreSQL's JSON parser -- three walks and two copies for a value that,
 * most of the time, is already its own Convex JSON: plain objects, arrays,
 * strings, finite numbers, booleans and null. This walks such a value once
 * into host values, which the host turns into jsonb (hostjsonb.c).
 *
 * Only what convexToJson would copy unchanged is written. The walk gives up
 * (kNotPlain, nothing kept) on everything else -- bigint, ArrayBuffer, NaN,
 * the infinities and -0 (Convex encodes those), Map, Set, class instances,
 * proxies, functions, undefined in an array, a field name Convex refuses,
 * lone surrogates and NUL characters (jsonb refuses both), nesting past 64, or more than the
 * budget -- and the runtime takes the package's path, which encodes the
 * value or throws the package's own error. So the result, and every error,
 * is what it was. Fields whose value is undefined are left out, as
 * convexToJson leaves them; properties are read with their getters, as
 * Object.entries reads them, and a getter's throw is the caller's to see.
 *
 * The budget: JSON text is never more than six times its host values (a
 * control character escaped as \u0000 is the worst case), so a walk kept
 * within a sixth of udf.max_result_size can never make a result the limit
 * would refuse; a larger one takes the JSON path, where the limit is checked
 * on the text as before.
 */
#include "plain_values.h"

#include <string.h>

#include <cmath>

#include <vector>

#include "udf_v8.h"

using namespace v8;

namespace
{

constexpr int kMaxPlainDepth = 64;
constexpr int kMaxFieldNameLength = 1024;	/* convexToJson's MAX_IDENTIFIER_LEN */

class PlainWriter
{
  public:
	PlainWriter(Isolate *iso, Local<Context> ctx, Local<Value> object_prototype, size_t budget,
				std::string *out)
		: iso_(iso), ctx_(ctx), object_prototype_(object_prototype), budget_(budget), out_(out) {}

	PlainOutcome Value(Local<v8::Value> v, int depth);

  private:
	void U32(uint32_t n) { out_->append(reinterpret_cast<const char *>(&n), sizeof(n)); }
	bool String(Local<v8::String> s);
	bool FieldName(Local<v8::String> s);
	PlainOutcome Array(Local<v8::Array> a, int depth);
	PlainOutcome Object(Local<v8::Object> o, int depth);
	bool OverBudget() const { return out_->size() > budget_; }

	Isolate    *iso_;
	Local<Context> ctx_;
	Local<v8::Value> object_prototype_;
	size_t		budget_;
	std::string *out_;
	std::vector<uint16_t> utf16_;	/* a two-byte string, checked for lone surrogates */
};

/* A string as 's' and its UTF-8; false if it holds a lone surrogate. */
bool
PlainWriter::String(Local<v8::String> s)
{
	int			len = s->Length();

	if (!s->IsOneByte())
	{
		utf16_.resize(len);
		s->Write(iso_, utf16_.data(), 0, len, v8::String::NO_NULL_TERMINATION);
		for (int i = 0; i < len; i++)
		{
			uint16_t	u = utf16_[i];

			if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len && utf16_[i + 1] >= 0xDC00 && utf16_[i + 1] <= 0xDFFF)
				i++;
			else if (u >= 0xD800 && u <= 0xDFFF)
				return false;
		}
	}
	int			bytes = s->Utf8Length(iso_);
	size_t		at;

	out_->push_back(UDF_HV_STRING);
	U32(static_cast<uint32_t>(bytes));
	at = out_->size();
	out_->resize(at + bytes);
	s->WriteUtf8(iso_, &(*out_)[at], bytes, nullptr, v8::String::NO_NULL_TERMINATION);
	/* JSON's \u0000, which jsonb refuses: the JSON path says so */
	return memchr(out_->data() + at, '\0', bytes) == nullptr;
}

/* A field name as its length and bytes; false if Convex refuses it (validateObjectField). */
bool
PlainWriter::FieldName(Local<v8::String> s)
{
	int			len = s->Length();
	char		buf[kMaxFieldNameLength];

	if (len > kMaxFieldNameLength || !s->IsOneByte())
		return false;
	s->WriteOneByte(iso_, reinterpret_cast<uint8_t *>(buf), 0, len, v8::String::NO_NULL_TERMINATION);
	if (len > 0 && buf[0] == '$')
		return false;
	for (int i = 0; i < len; i++)
		if (static_cast<unsigned char>(buf[i]) < 32 || static_cast<unsigned char>(buf[i]) >= 127)
			return false;
	U32(static_cast<uint32_t>(len));
	out_->append(buf, len);
	return true;
}

/* An array's elements in order; undefined (a hole too) is not plain. */
PlainOutcome
PlainWriter::Array(Local<v8::Array> a, int depth)
{
	uint32_t	n = a->Length();

	out_->push_back(UDF_HV_ARRAY);
	U32(n);
	for (uint32_t i = 0; i < n; i++)
	{
		Local<v8::Value> e;

		if (!a->Get(ctx_, i).ToLocal(&e))
			return PlainOutcome::kThrew;
		PlainOutcome r = Value(e, depth + 1);

		if (r != PlainOutcome::kWritten)
			return r;
	}
	return PlainOutcome::kWritten;
}

/* A plain object's own enumerable string-keyed fields, undefined ones left out. */
PlainOutcome
PlainWriter::Object(Local<v8::Object> o, int depth)
{
	Local<v8::Value> proto = o->GetPrototype();

	if (!proto->IsNull() && !proto->StrictEquals(object_prototype_))
		return PlainOutcome::kNotPlain;
	Local<v8::Array> keys;

	if (!o->GetOwnPropertyNames(ctx_, static_cast<PropertyFilter>(ONLY_ENUMERABLE | SKIP_SYMBOLS),
								KeyConversionMode::kConvertToString).ToLocal(&keys))
		return PlainOutcome::kThrew;
	uint32_t	n = keys->Length();
	size_t		count_at;
	uint32_t	written = 0;

	out_->push_back(UDF_HV_OBJECT);
	count_at = out_->size();
	U32(0);
	for (uint32_t i = 0; i < n; i++)
	{
		Local<v8::Value> key;
		Local<v8::Value> field;

		if (!keys->Get(ctx_, i).ToLocal(&key) || !o->Get(ctx_, key).ToLocal(&field))
			return PlainOutcome::kThrew;
		if (field->IsUndefined())
			continue;
		if (!key->IsString() || !FieldName(key.As<v8::String>()))
			return PlainOutcome::kNotPlain;
		PlainOutcome r = Value(field, depth + 1);

		if (r != PlainOutcome::kWritten)
			return r;
		written++;
	}
	memcpy(&(*out_)[count_at], &written, sizeof(written));
	return PlainOutcome::kWritten;
}

/* One value: written, not plain, or a getter threw. */
PlainOutcome
PlainWriter::Value(Local<v8::Value> v, int depth)
{
	if (depth > kMaxPlainDepth || OverBudget())
		return PlainOutcome::kNotPlain;
	if (v->IsNull())
		out_->push_back(UDF_HV_NULL);
	else if (v->IsTrue())
		out_->push_back(UDF_HV_TRUE);
	else if (v->IsFalse())
		out_->push_back(UDF_HV_FALSE);
	else if (v->IsNumber())
	{
		double		d = v.As<Number>()->Value();

		/* NaN, the infinities and -0 are Convex's {$float} */
		if (!std::isfinite(d) || (d == 0 && std::signbit(d)))
			return PlainOutcome::kNotPlain;
		out_->push_back(UDF_HV_NUMBER);
		out_->append(reinterpret_cast<const char *>(&d), sizeof(d));
	}
	else if (v->IsString())
	{
		if (!String(v.As<v8::String>()))
			return PlainOutcome::kNotPlain;
	}
	else if (v->IsArray())
		return Array(v.As<v8::Array>(), depth);
	else if (v->IsObject() && !v->IsProxy() && !v->IsFunction() && !v->IsArrayBuffer() &&
			 !v->IsArrayBufferView())
		return Object(v.As<v8::Object>(), depth);
	else
		return PlainOutcome::kNotPlain;
	return PlainOutcome::kWritten;
}

} /* namespace */

PlainOutcome
PlainToHostValues(Isolate *iso, Local<Context> ctx, Local<Value> object_prototype, Local<Value> v,
				  size_t budget, std::string *out)
{
	PlainWriter w(iso, ctx, object_prototype, budget, out);
	PlainOutcome r;

	out->clear();
	r = w.Value(v, 0);
	if (r == PlainOutcome::kWritten && out->size() > budget)
		r = PlainOutcome::kNotPlain;
	if (r != PlainOutcome::kWritten)
		out->clear();
	return r;
}

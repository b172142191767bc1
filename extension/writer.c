/*
 * writer.c -- Convex values written as JSON text or as binary host values.
 *
 * The binary form (tags in udf_v8.h) is what the shim decodes straight into
 * V8 values: strings are not internalised the way JSON.parse does with short
 * ones (a large part of reading a row), and jsonb is walked, not printed and
 * re-parsed. Objects and arrays carry their element count up front; it is
 * patched in when they end.
 */
#include "udf.h"

#include "writer.h"

#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

void
WriterInit(ValueWriter *w, bool binary)
{
	initStringInfo(&w->buf);
	w->binary = binary;
	w->tagged = false;
	w->check_names = false;
	w->odd_names = false;
	w->depth = 0;
}

static void
PutTag(ValueWriter *w, char tag)
{
	appendStringInfoCharMacro(&w->buf, tag);
}

static void
PutU32(ValueWriter *w, uint32 v)
{
	appendBinaryStringInfo(&w->buf, (const char *) &v, sizeof(v));
}

static void
PutBytes(ValueWriter *w, const char *s, int len)
{
	PutU32(w, (uint32) len);
	appendBinaryStringInfo(&w->buf, s, len);
}

/* Every value but an object's field value starts here: count it, separate it. */
static void
BeginValue(ValueWriter *w)
{
	WriterLevel *l;

	if (w->depth == 0)
		return;
	l = &w->level[w->depth - 1];
	if (l->is_object)
		return;					/* counted by its key */
	if (!w->binary && l->count > 0)
		appendStringInfoCharMacro(&w->buf, ',');
	l->count++;
}

void
WriterNull(ValueWriter *w)
{
	BeginValue(w);
	if (w->binary)
		PutTag(w, UDF_HV_NULL);
	else
		appendStringInfoString(&w->buf, "null");
}

void
WriterBool(ValueWriter *w, bool b)
{
	BeginValue(w);
	if (w->binary)
		PutTag(w, b ? UDF_HV_TRUE : UDF_HV_FALSE);
	else
		appendStringInfoString(&w->buf, b ? "true" : "false");
}

void
WriterInt(ValueWriter *w, int32 v)
{
	BeginValue(w);
	if (w->binary)
	{
		double		d = v;

		PutTag(w, UDF_HV_NUMBER);
		appendBinaryStringInfo(&w->buf, (const char *) &d, sizeof(d));
	}
	else
		appendStringInfo(&w->buf, "%d", v);
}

void
WriterFloat(ValueWriter *w, double d)
{
	BeginValue(w);
	if (w->binary)
	{
		PutTag(w, UDF_HV_NUMBER);
		appendBinaryStringInfo(&w->buf, (const char *) &d, sizeof(d));
	}
	else
		appendStringInfo(&w->buf, "%.17g", d);
}

void
WriterString(ValueWriter *w, const char *s, int len)
{
	BeginValue(w);
	if (w->binary)
	{
		PutTag(w, UDF_HV_STRING);
		PutBytes(w, s, len);
	}
	else
		escape_json(&w->buf, pnstrdup(s, len));
}

void
WriterCString(ValueWriter *w, const char *s)
{
	if (w->binary)
		WriterString(w, s, strlen(s));
	else
	{
		BeginValue(w);
		escape_json(&w->buf, s);
	}
}

/* Bytes that become an ArrayBuffer (binary output only: JSON text has no bytes). */
void
WriterBytes(ValueWriter *w, const char *data, size_t len)
{
	Assert(w->binary);
	BeginValue(w);
	PutTag(w, UDF_HV_BYTES);
	PutBytes(w, data, len);
}

/* A value given as JSON text (json columns, arrays): the shim parses it. */
void
WriterJsonText(ValueWriter *w, const char *json)
{
	BeginValue(w);
	w->tagged = true;			/* unseen text may hold anything */
	if (w->binary)
	{
		PutTag(w, UDF_HV_JSON);
		PutBytes(w, json, strlen(json));
	}
	else
		appendStringInfoString(&w->buf, json);
}

static void
WriterJsonbScalar(ValueWriter *w, JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			WriterNull(w);
			break;
		case jbvBool:
			WriterBool(w, v->val.boolean);
			break;
		case jbvString:
			WriterString(w, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			/* what JSON.parse makes of the number's text: overflow is Infinity */
			WriterFloat(w, DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
															  NumericGetDatum(v->val.numeric))));
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
}

/* A jsonb value, walked: no text form in between. */
void
WriterJsonb(ValueWriter *w, JsonbContainer *container)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	bool		raw_scalar = false;
	int			start_len;
	int			start_depth;
	uint32		parent_count = 0;

	if (!w->binary)
	{
		WriterJsonText(w, JsonbToCString(NULL, container, -1));
		return;
	}
	start_len = w->buf.len;
	start_depth = w->depth;
	if (start_depth > 0)
		parent_count = w->level[start_depth - 1].count;
	it = JsonbIteratorInit(container);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (w->depth - start_depth > WRITER_JSONB_WALK_DEPTH)
		{
			/* very deep: undo the walk, send the text (V8's parser has no depth limit) */
			w->buf.len = start_len;
			w->buf.data[start_len] = '\0';
			w->depth = start_depth;
			if (start_depth > 0)
				w->level[start_depth - 1].count = parent_count;
			WriterJsonText(w, JsonbToCString(NULL, container, -1));
			return;
		}
		switch (tok)
		{
			case WJB_BEGIN_OBJECT:
				WriterObjectBegin(w);
				break;
			case WJB_END_OBJECT:
				WriterObjectEnd(w);
				break;
			case WJB_BEGIN_ARRAY:
				if (v.val.array.rawScalar)
					raw_scalar = true;
				else
					WriterArrayBegin(w);
				break;
			case WJB_END_ARRAY:
				if (!raw_scalar)
					WriterArrayEnd(w);
				break;
			case WJB_KEY:
				WriterKey(w, pnstrdup(v.val.string.val, v.val.string.len));
				break;
			case WJB_VALUE:
			case WJB_ELEM:
				WriterJsonbScalar(w, &v);
				break;
			default:
				break;
		}
	}
}

static void
BeginContainer(ValueWriter *w, bool is_object)
{
	WriterLevel *l;

	BeginValue(w);
	if (w->depth >= WRITER_MAX_DEPTH)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value is nested more than %d levels deep", WRITER_MAX_DEPTH)));
	l = &w->level[w->depth++];
	l->is_object = is_object;
	l->count = 0;
	if (w->binary)
	{
		PutTag(w, is_object ? UDF_HV_OBJECT : UDF_HV_ARRAY);
		l->count_at = w->buf.len;
		PutU32(w, 0);
	}
	else
		appendStringInfoCharMacro(&w->buf, is_object ? '{' : '[');
}

static void
EndContainer(ValueWriter *w)
{
	WriterLevel *l = &w->level[--w->depth];

	if (w->binary)
		memcpy(w->buf.data + l->count_at, &l->count, sizeof(l->count));
	else
		appendStringInfoCharMacro(&w->buf, l->is_object ? '}' : ']');
}

void
WriterObjectBegin(ValueWriter *w)
{
	BeginContainer(w, true);
}

void
WriterKey(ValueWriter *w, const char *key)
{
	WriterLevel *l = &w->level[w->depth - 1];

	Assert(w->depth > 0 && l->is_object);
	if (key[0] == '$')
		w->tagged = true;
	if (w->check_names && !w->odd_names)
	{
		const unsigned char *k = (const unsigned char *) key;

		for (; *k; k++)
			if (*k < 32 || *k >= 127)
				break;
		/* what jsonToConvex would refuse: the runtime must decode, and so refuse, it */
		w->odd_names = *k != '\0' || (k - (const unsigned char *) key) > 1024;
	}
	if (w->binary)
		PutBytes(w, key, strlen(key));
	else
	{
		if (l->count > 0)
			appendStringInfoCharMacro(&w->buf, ',');
		escape_json(&w->buf, key);
		appendStringInfoCharMacro(&w->buf, ':');
	}
	l->count++;
}

void
WriterObjectEnd(ValueWriter *w)
{
	EndContainer(w);
}

void
WriterArrayBegin(ValueWriter *w)
{
	BeginContainer(w, false);
}

void
WriterArrayEnd(ValueWriter *w)
{
	EndContainer(w);
}

/*
 * Append nfields fields another binary writer wrote inside an object (the
 * bytes after its object's header) to the open object: a part of a value
 * that does not change from call to call, written once. The caller answers
 * for them being plain (no "$" key, no name Convex refuses).
 */
void
WriterFields(ValueWriter *w, const char *bytes, int len, uint32 nfields)
{
	Assert(w->binary && w->depth > 0 && w->level[w->depth - 1].is_object);
	appendBinaryStringInfo(&w->buf, bytes, len);
	w->level[w->depth - 1].count += nfields;
}

/* Note where the writer is, inside the open container, to drop what follows. */
void
WriterMarkHere(ValueWriter *w, WriterMark *mark)
{
	mark->len = w->buf.len;
	mark->count = w->depth > 0 ? w->level[w->depth - 1].count : 0;
}

/* Drop what was written since mark (complete values of the same container). */
void
WriterRewind(ValueWriter *w, const WriterMark *mark)
{
	w->buf.len = mark->len;
	w->buf.data[mark->len] = '\0';
	if (w->depth > 0)
		w->level[w->depth - 1].count = mark->count;
}

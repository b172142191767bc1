/*
 * writer.h -- one writer for Convex values, two outputs (writer.c).
 *
 * Values read from the database reach JavaScript either as Convex JSON text
 * or, on the hot paths (db.get, query rows, pages), in the shim's binary
 * host-value form (udf_v8.h), which it turns into V8 values without a JSON
 * parse. Code that produces values writes them once, through this API.
 */
#ifndef UDF_WRITER_H
#define UDF_WRITER_H

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* Containers open at once; jsonb deeper than WRITER_JSONB_WALK_DEPTH goes as text. */
#define WRITER_MAX_DEPTH 128
#define WRITER_JSONB_WALK_DEPTH 100

typedef struct WriterLevel
{
	int			count_at;		/* binary: where the element count goes */
	uint32		count;			/* elements (or fields) so far */
	bool		is_object;
} WriterLevel;

typedef struct ValueWriter
{
	StringInfoData buf;
	bool		binary;
	bool		tagged;			/* wrote a "$..." key or JSON text: needs Convex decoding */
	bool		check_names;	/* note keys Convex refuses as field names (set by the caller) */
	bool		odd_names;		/* ... and one was written (non-ASCII, control, > 1024 bytes) */
	int			depth;
	WriterLevel level[WRITER_MAX_DEPTH];
} ValueWriter;

/* A place in a writer's output, to go back to (WriterRewind). */
typedef struct WriterMark
{
	int			len;
	uint32		count;
} WriterMark;

extern void WriterInit(ValueWriter *w, bool binary);
extern void WriterNull(ValueWriter *w);
extern void WriterBool(ValueWriter *w, bool b);
extern void WriterInt(ValueWriter *w, int32 v);
extern void WriterFloat(ValueWriter *w, double d);	/* plain number, finite */
extern void WriterString(ValueWriter *w, const char *s, int len);
extern void WriterCString(ValueWriter *w, const char *s);
extern void WriterJsonText(ValueWriter *w, const char *json);
extern void WriterBytes(ValueWriter *w, const char *data, size_t len);	/* binary only: an ArrayBuffer */
extern void WriterJsonb(ValueWriter *w, JsonbContainer *container);
extern void WriterObjectBegin(ValueWriter *w);
extern void WriterKey(ValueWriter *w, const char *key);
extern void WriterObjectEnd(ValueWriter *w);
extern void WriterArrayBegin(ValueWriter *w);
extern void WriterArrayEnd(ValueWriter *w);
extern void WriterFields(ValueWriter *w, const char *bytes, int len, uint32 nfields);
extern void WriterMarkHere(ValueWriter *w, WriterMark *mark);
extern void WriterRewind(ValueWriter *w, const WriterMark *mark);

#endif							/* UDF_WRITER_H */

/*
 * jansson_pg.h -- jansson for files that also need a few of PostgreSQL's
 * builtins. utils/builtins.h cannot be included beside jansson.h (both
 * declare json_object), so the builtins needed are declared here, and
 * json_object() must never be called: the postgres binary exports a function
 * of that name, which wins at run time. json_pack("{}") makes an object.
 */
#ifndef UDF_JANSSON_PG_H
#define UDF_JANSSON_PG_H

#include <jansson.h>

extern const char *quote_identifier(const char *ident);
extern char *quote_qualified_identifier(const char *qualifier, const char *ident);
extern char *quote_literal_cstr(const char *rawstr);
extern char *text_to_cstring(const struct varlena *t);
extern char *format_type_be(Oid type_oid);
extern struct varlena *cstring_to_text(const char *s);
extern struct varlena *cstring_to_text_with_len(const char *s, int len);

#define CStringGetTextDatum(s) PointerGetDatum(cstring_to_text(s))

#endif							/* UDF_JANSSON_PG_H */

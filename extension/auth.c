/*
 * auth.c -- who the SQL caller is, for ctx.auth.getUserIdentity(): the
 * setting udf.identity, or PostgREST's request.jwt.claims.
 *
 * Convex derives a user's identity from a verified JWT. A call from SQL has
 * no token, so udf takes the identity from the session: udf.identity, a
 * JSON object of Convex's UserIdentity fields, when it is set; otherwise
 * the claims PostgREST (and Supabase) put in request.jwt.claims for each
 * request after verifying the JWT. The runtime maps claims to Convex's
 * field names (auth.js); here both settings are only read.
 *
 * Trust: like request.jwt.claims, udf.identity is a session setting that
 * any role running SQL can set for itself. It tells functions who the
 * application says the user is; deciding what a role may do stays with
 * PostgreSQL (GRANTs, row-level security).
 */
#include "udf.h"

#include "writer.h"

#include "utils/guc.h"

static char *udf_identity = NULL;

/* Register udf.identity. */
void
AuthInit(void)
{
	DefineCustomStringVariable("udf.identity",
							   "The caller's identity for ctx.auth.getUserIdentity(), as a JSON object.",
							   "Convex's UserIdentity fields: subject and issuer are required, tokenIdentifier "
							   "defaults to issuer|subject. Empty: PostgREST's request.jwt.claims, if set.",
							   &udf_identity,
							   "",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);
}

/*
 * Typed op auth/identity() -> {identity, claims}: the text of udf.identity
 * and of request.jwt.claims, each null when unset or empty.
 */
void
AuthIdentity(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	ValueWriter w;

	WriterInit(&w, true);
	WriterObjectBegin(&w);
	WriterKey(&w, "identity");
	if (udf_identity && *udf_identity)
		WriterCString(&w, udf_identity);
	else
		WriterNull(&w);
	WriterKey(&w, "claims");
	if (claims && *claims)
		WriterCString(&w, claims);
	else
		WriterNull(&w);
	WriterObjectEnd(&w);
	out->result = w.buf.data;
	out->result_len = w.buf.len;
	out->result_is_values = true;
}

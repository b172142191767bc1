/*
 * storage.c -- file storage: the bytes and metadata of ctx.storage's files,
 * kept in PostgreSQL and transactional with the caller.
 *
 * Where the bytes live. Each file is one large object; its metadata (id,
 * creation time, SHA-256, size, content type, the object's oid) is a row
 * of udf_storage, and the `_storage` view shows that row as Convex's system
 * document (`sha256` in base64, as recent Convex versions answer). Large
 * objects, not bytea, because files are written and read in pieces: an
 * upload arrives as a stream and is appended with lo_put chunk by chunk, a
 * range request reads only its range with lo_get, and a file may exceed
 * bytea's 1 GB (large objects reach 4 TB); no piece of code ever needs the
 * whole file in one palloc. Both are WAL-logged and transactional, so a
 * rolled-back store leaves neither row nor bytes, and a delete (lo_unlink
 * with the row) frees the bytes at commit.
 *
 * Who may touch them. Rows and objects belong to the extension owner: every
 * statement here runs through RunAsExtensionOwner (elevated.c: pinned
 * search_path, schema-qualified SQL, restricted operation), so a caller
 * sees files only through udf's functions and the read-only `_storage`
 * view, never the large objects themselves.
 *
 * Ids are Convex ids of the `_storage` view's table number (ids.c). An id
 * of another table, or not an id at all, names no file: lookups answer
 * NULL, never another file.
 *
 * Upload tokens (generateUploadUrl) are "nonce.expiry.mac": a random nonce,
 * the expiry in Unix seconds and an HMAC-SHA256 of both under the
 * database's secret (the one that signs pagination cursors, with a domain
 * prefix of its own). Using one records its nonce in udf_upload_token, in
 * the upload's transaction, so a token works once; expired nonces are
 * purged then.
 *
 * Every function here needs SPI connected and may raise; callers from JS
 * run them inside their subtransaction (storagesys.c), so nothing here
 * reaches V8.
 */
#include "udf.h"

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#define UPLOAD_TOKEN_LIFETIME_S 3600
#define UPLOAD_MAC_BYTES SECRET_MAC_BYTES

/* One elevated statement and its answer. */
typedef struct StorageStatement
{
	const char *sql;
	int			nargs;
	Oid		   *types;
	Datum	   *values;
	const char *nulls;
	bool		read_only;
	int			rc;
} StorageStatement;

static void ExecuteStatement(void *arg);
static int	StorageExecute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
						   bool read_only);
static Oid	StorageViewRelid(void);
static void UploadMac(const char *payload, char *hex_out);

static char *http_public_url = NULL;

PG_FUNCTION_INFO_V1(udf_storage_put);
PG_FUNCTION_INFO_V1(udf_storage_get);
PG_FUNCTION_INFO_V1(udf_storage_delete);

/* Register storage's settings. */
void
StorageInit(void)
{
	DefineCustomStringVariable("udf.http_public_url",
							   "The base URL that file and upload URLs are built on.",
							   "getUrl() and generateUploadUrl() answer URLs under it, e.g. "
							   "https://files.example.com. Empty: http://<udf.http_listen_address>:<udf.http_port>.",
							   &http_public_url,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
}

/* Execute one statement as the extension owner. */
static void
ExecuteStatement(void *arg)
{
	StorageStatement *st = arg;

	st->rc = SPI_execute_with_args(st->sql, st->nargs, st->types, st->values, st->nulls, st->read_only, 0);
}

/* Run a statement on storage's tables as their owner (elevated.c); returns SPI's code. */
static int
StorageExecute(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls, bool read_only)
{
	StorageStatement st = {sql, nargs, types, values, nulls, read_only, 0};

	RunAsExtensionOwner(ExecuteStatement, &st);
	if (st.rc < 0)
		elog(ERROR, "storage statement failed: %s", SPI_result_code_string(st.rc));
	return st.rc;
}

/* The relid of the `_storage` view, whose table number storage ids carry. */
static Oid
StorageViewRelid(void)
{
	Oid			relid = get_relname_relid("_storage", ExtensionSchema());

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("udf's view _storage is missing"),
				 errhint("DROP EXTENSION udf; CREATE EXTENSION udf; to reinstall it.")));
	return relid;
}

/* Is id a storage id (an id of the _storage table)? Never registers a table number. */
bool
StorageIdValid(const char *id)
{
	uint32		number;

	if (id == NULL || !IdDecode(id, &number))
		return false;
	return TableForNumber(number) == StorageViewRelid();
}

/* The base of file and upload URLs: udf.http_public_url, or the endpoint's own address. */
const char *
StoragePublicUrl(void)
{
	const char *port;
	const char *addr;
	size_t		len;

	if (http_public_url && *http_public_url)
	{
		len = strlen(http_public_url);
		return len > 0 && http_public_url[len - 1] == '/' ? pnstrdup(http_public_url, len - 1) : http_public_url;
	}
	port = GetConfigOption("udf.http_port", true, false);
	addr = GetConfigOption("udf.http_listen_address", true, false);
	if (addr == NULL || *addr == '\0' || strcmp(addr, "*") == 0 || strcmp(addr, "0.0.0.0") == 0)
		addr = "127.0.0.1";
	return psprintf("http://%s:%s", addr, port && strcmp(port, "0") != 0 ? port : "3211");
}

/* The URL getUrl() answers for a file id. */
char *
StorageFileUrl(const char *id)
{
	return psprintf("%s/api/storage/%s", StoragePublicUrl(), id);
}

/* ------------------------------------------------------------------ writing */

/* Start a new file: an empty large object, and a hash of the bytes to come. */
void
StorageWriterBegin(StorageWriter *w)
{
	bool		isnull;

	memset(w, 0, sizeof(*w));
	StorageExecute("SELECT pg_catalog.lo_create(0)", 0, NULL, NULL, NULL, false);
	w->lo = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	w->sha = pg_cryptohash_create(PG_SHA256);
	if (w->sha == NULL || pg_cryptohash_init(w->sha) < 0)
		elog(ERROR, "could not start a SHA-256 hash");
}

/* Append len bytes to the file being written. */
void
StorageWriterAppend(StorageWriter *w, const char *data, size_t len)
{
	bytea	   *chunk;
	Oid			types[3] = {OIDOID, INT8OID, BYTEAOID};
	Datum		values[3];

	if (len == 0)
		return;
	if (pg_cryptohash_update(w->sha, (const uint8 *) data, len) < 0)
		elog(ERROR, "could not hash a file");
	chunk = palloc(VARHDRSZ + len);
	SET_VARSIZE(chunk, VARHDRSZ + len);
	memcpy(VARDATA(chunk), data, len);
	values[0] = ObjectIdGetDatum(w->lo);
	values[1] = Int64GetDatum(w->size);
	values[2] = PointerGetDatum(chunk);
	StorageExecute("SELECT pg_catalog.lo_put($1, $2, $3)", 3, types, values, NULL, false);
	w->size += len;
	pfree(chunk);
}

/*
 * Finish the file: its metadata row, under a new id. want_sha256 (base64),
 * if given, must be the SHA-256 of the bytes written (store's option).
 */
char *
StorageWriterFinish(StorageWriter *w, const char *content_type, const char *want_sha256)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	bytea	   *sha;
	char	   *id;
	Oid			types[6] = {TEXTOID, FLOAT8OID, BYTEAOID, INT8OID, TEXTOID, OIDOID};
	Datum		values[6];
	char		nulls[7] = "      ";

	if (pg_cryptohash_final(w->sha, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not hash a file");
	pg_cryptohash_free(w->sha);
	w->sha = NULL;
	if (want_sha256)
	{
		char	   *got = StorageSha256Base64(digest);

		if (strcmp(got, want_sha256) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("Uploaded file's SHA-256 %s does not match the given sha256 %s", got, want_sha256)));
	}
	sha = palloc(VARHDRSZ + sizeof(digest));
	SET_VARSIZE(sha, VARHDRSZ + sizeof(digest));
	memcpy(VARDATA(sha), digest, sizeof(digest));
	id = IdNew(TableNumberFor(StorageViewRelid()));
	values[0] = CStringGetTextDatum(id);
	values[1] = Float8GetDatum(ClockNextCreationTime());
	values[2] = PointerGetDatum(sha);
	values[3] = Int64GetDatum(w->size);
	if (content_type && *content_type)
		values[4] = CStringGetTextDatum(content_type);
	else
		nulls[4] = 'n';
	values[5] = ObjectIdGetDatum(w->lo);
	StorageExecute(psprintf("INSERT INTO %s (id, creation_time, sha256, size, content_type, lo) "
							"VALUES ($1, $2, $3, $4, $5, $6)", ExtensionTableName("udf_storage")),
				   6, types, values, nulls, false);
	return id;
}

/* Store a file whole; returns its id. */
char *
StoragePut(const char *data, size_t len, const char *content_type, const char *want_sha256)
{
	StorageWriter w;

	StorageWriterBegin(&w);
	StorageWriterAppend(&w, data, len);
	return StorageWriterFinish(&w, content_type, want_sha256);
}

/* ------------------------------------------------------------------ reading */

/* The metadata of file id into f; false if there is no such file. */
bool
StorageLookup(const char *id, StorageFile *f)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	bytea	   *sha;

	if (!StorageIdValid(id))
		return false;
	values[0] = CStringGetTextDatum(id);
	/* not read-only: a file this statement stored is seen */
	StorageExecute(psprintf("SELECT creation_time, sha256, size, content_type, lo FROM %s "
							"WHERE id OPERATOR(pg_catalog.=) $1", ExtensionTableName("udf_storage")),
				   1, types, values, NULL, false);
	if (SPI_processed != 1)
		return false;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	memset(f, 0, sizeof(*f));
	f->id = pstrdup(id);
	f->creation_time = DatumGetFloat8(SPI_getbinval(tup, desc, 1, &isnull));
	sha = DatumGetByteaPP(SPI_getbinval(tup, desc, 2, &isnull));
	if (VARSIZE_ANY_EXHDR(sha) == PG_SHA256_DIGEST_LENGTH)
		memcpy(f->sha256, VARDATA_ANY(sha), PG_SHA256_DIGEST_LENGTH);
	f->size = DatumGetInt64(SPI_getbinval(tup, desc, 3, &isnull));
	f->content_type = SPI_getvalue(tup, desc, 4);
	f->lo = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
	return true;
}

/* len bytes of a file from offset (fewer at its end), in the current memory context. */
bytea *
StorageRead(const StorageFile *f, int64 offset, int32 len)
{
	Oid			types[3] = {OIDOID, INT8OID, INT4OID};
	Datum		values[3] = {ObjectIdGetDatum(f->lo), Int64GetDatum(offset), Int32GetDatum(len)};
	bool		isnull;
	Datum		d;

	/* not read-only: the snapshot must see an object this statement made */
	StorageExecute("SELECT pg_catalog.lo_get($1, $2, $3)", 3, types, values, NULL, false);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "large object %u of file %s is missing", f->lo, f->id);
	return DatumGetByteaPCopy(d);
}

/* Delete file id and its bytes; false if there was no such file. */
bool
StorageDelete(const char *id)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;
	Oid			lo;

	if (!StorageIdValid(id))
		return false;
	values[0] = CStringGetTextDatum(id);
	StorageExecute(psprintf("DELETE FROM %s WHERE id OPERATOR(pg_catalog.=) $1 RETURNING lo",
							ExtensionTableName("udf_storage")),
				   1, types, values, NULL, false);
	if (SPI_processed != 1)
		return false;
	lo = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	types[0] = OIDOID;
	values[0] = ObjectIdGetDatum(lo);
	StorageExecute("SELECT pg_catalog.lo_unlink($1)", 1, types, values, NULL, false);
	return true;
}

/* Base64 of a SHA-256 digest (44 characters), as _storage shows it. */
char *
StorageSha256Base64(const uint8 *digest)
{
	int			enclen = pg_b64_enc_len(PG_SHA256_DIGEST_LENGTH);
	char	   *out = palloc(enclen + 1);
	int			n = pg_b64_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, out, enclen);

	if (n < 0)
		elog(ERROR, "could not encode a SHA-256 digest");
	out[n] = '\0';
	return out;
}

/* Hex of a SHA-256 digest (64 characters), as getMetadata answers it. */
char *
StorageSha256Hex(const uint8 *digest)
{
	char	   *out = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, out);
	out[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return out;
}

/* ------------------------------------------------------------------ upload tokens */

/* Hex of the signature of "upload:" payload under the database's secret (ids.c). */
static void
UploadMac(const char *payload, char *hex_out)
{
	strlcpy(hex_out, SecretMac(psprintf("upload:%s", payload)), UPLOAD_MAC_BYTES * 2 + 1);
}

/* A new signed upload token, valid for one hour and one upload. */
char *
StorageUploadToken(void)
{
	uint8		nonce[16];
	char		nonce_hex[33];
	char		mac[UPLOAD_MAC_BYTES * 2 + 1];
	char	   *payload;

	if (!pg_strong_random(nonce, sizeof(nonce)))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate an upload token")));
	hex_encode((const char *) nonce, sizeof(nonce), nonce_hex);
	nonce_hex[32] = '\0';
	payload = psprintf("%s.%ld", nonce_hex, (long) (time(NULL) + UPLOAD_TOKEN_LIFETIME_S));
	UploadMac(payload, mac);
	return psprintf("%s.%s", payload, mac);
}

/* The upload URL generateUploadUrl() answers. */
char *
StorageUploadUrl(void)
{
	return psprintf("%s/api/storage/upload?token=%s", StoragePublicUrl(), StorageUploadToken());
}

/*
 * Check an upload token and use it up (in the current transaction). NULL if
 * it is good; else why not, in a short sentence for the client.
 */
const char *
StorageConsumeUploadToken(const char *token)
{
	const char *dot2;
	char		mac[UPLOAD_MAC_BYTES * 2 + 1];
	char	   *payload;
	long		expiry;
	char	   *end;
	Oid			types[2] = {TEXTOID, TIMESTAMPTZOID};
	Datum		values[2];

	if (token == NULL || strlen(token) != 32 + 1 + 10 + 1 + UPLOAD_MAC_BYTES * 2)
		return "malformed upload token";
	dot2 = strrchr(token, '.');
	if (dot2 == NULL || token[32] != '.' || dot2 != token + 43)
		return "malformed upload token";
	payload = pnstrdup(token, dot2 - token);
	UploadMac(payload, mac);
	/* constant time: the MAC is secret until it is right */
	{
		int			diff = 0;

		for (int i = 0; i < UPLOAD_MAC_BYTES * 2; i++)
			diff |= mac[i] ^ dot2[1 + i];
		if (diff != 0)
			return "invalid upload token";
	}
	errno = 0;
	expiry = strtol(payload + 33, &end, 10);
	if (errno != 0 || *end != '\0')
		return "malformed upload token";
	if (expiry < (long) time(NULL))
		return "upload token expired";
	StorageExecute(psprintf("DELETE FROM %s WHERE expires_at OPERATOR(pg_catalog.<) pg_catalog.now()",
							ExtensionTableName("udf_upload_token")),
				   0, NULL, NULL, NULL, false);
	values[0] = CStringGetTextDatum(pnstrdup(token, 32));
	values[1] = TimestampTzGetDatum(time_t_to_timestamptz((pg_time_t) expiry));
	StorageExecute(psprintf("INSERT INTO %s (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
							ExtensionTableName("udf_upload_token")),
				   2, types, values, NULL, false);
	if (SPI_processed != 1)
		return "upload token already used";
	return NULL;
}

/* ------------------------------------------------------------------ SQL functions */

/* udf_storage_put(data bytea, content_type text) -> the new file's id */
Datum
udf_storage_put(PG_FUNCTION_ARGS)
{
	bytea	   *data;
	char	   *content_type = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *id;
	MemoryContext cxt = CurrentMemoryContext;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("udf_storage_put needs the file's bytes")));
	data = PG_GETARG_BYTEA_PP(0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	id = StoragePut(VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), content_type, NULL);
	id = MemoryContextStrdup(cxt, id);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text(id));
}

/* udf_storage_get(id text) -> the file's bytes, or NULL */
Datum
udf_storage_get(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	StorageFile f;
	bytea	   *result = NULL;
	MemoryContext cxt = CurrentMemoryContext;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (StorageLookup(id, &f))
	{
		if (f.size > MaxAllocSize - VARHDRSZ)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("file %s is too large for bytea (%lld bytes)", id, (long long) f.size)));
		result = StorageRead(&f, 0, (int32) f.size);
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			result = DatumGetByteaPCopy(PointerGetDatum(result));
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(result);
}

/* udf_storage_delete(id text) -> whether there was such a file */
Datum
udf_storage_delete(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool		found;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	found = StorageDelete(id);
	SPI_finish();
	PG_RETURN_BOOL(found);
}

/*
 * storagesys.c -- ctx.storage: the `1.0/storage*` syscalls over storage.c.
 *
 * The convex package's storage reader (getUrl, getMetadata) works in every
 * kind of function; its writer adds generateUploadUrl and delete
 * (mutations and actions); store and get move bytes and, as in Convex,
 * only actions may call them (the package's action writer reaches them
 * through the runtime's storage/storeBlob and storage/getBlob js-syscalls,
 * 05_convex.js, which call 1.0/storageStore and 1.0/storageGet here with
 * the bytes in base64). The kind is checked here too, so a runtime bug
 * cannot write from a query.
 *
 * Each syscall runs as a db op does: in an internal subtransaction
 * (subxact.c) with its own SPI connection, so an error reaches JS as an
 * exception it may catch and the caller's transaction stays usable; the
 * answer is built in SPI's memory and copied out before SPI_finish. A
 * store is part of the caller's transaction: rolled back with it, nothing
 * stays. Arguments are JSON (jansson, freed on every path).
 */
#include "udf.h"

#include "common/base64.h"
#include "executor/spi.h"
#include "jansson_pg.h"
#include "utils/memutils.h"

/* One syscall to run: its JSON arguments and its work. */
typedef struct StorageCall
{
	const char *args;
	size_t		len;
	const char *method;			/* ctx.storage's method, for errors */
	int			allowed;		/* STORAGE_IN_* bits */
	char	   *(*work) (json_t *root);
} StorageCall;

#define STORAGE_IN_QUERY	1
#define STORAGE_IN_MUTATION	2
#define STORAGE_IN_ACTION	4

static bool RunStorageCall(void *arg, UdfV8HostResult *out);
static const char *StorageIdArg(json_t *root, const char *method);
static char *JsonText(json_t *value);
static void CheckKind(const StorageCall *call);
static char *DoGetUrl(json_t *root);
static char *DoGetMetadata(json_t *root);
static char *DoGenerateUploadUrl(json_t *root);
static char *DoDelete(json_t *root);
static char *DoStore(json_t *root);
static char *DoGet(json_t *root);

/* A string member of obj, or NULL when absent or not a string. */
static inline const char *
OptJsonString(json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The storageId argument, which must be a string. */
static const char *
StorageIdArg(json_t *root, const char *method)
{
	json_t	   *id = json_object_get(root, "storageId");

	if (!json_is_string(id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Invalid argument `storageId` for `storage.%s`, expected a string", method)));
	return json_string_value(id);
}

/* A JSON value's text, palloc'd; takes the reference. */
static char *
JsonText(json_t *value)
{
	char	   *s = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
	char	   *result;

	json_decref(value);
	if (s == NULL)
		elog(ERROR, "could not encode a storage answer");
	result = pstrdup(s);
	free(s);
	return result;
}

/* ERROR unless the running function's kind may call this method. */
static void
CheckKind(const StorageCall *call)
{
	const char *kind = CallStackKind();
	int			bit = kind == NULL ? 0 :
		strcmp(kind, "query") == 0 ? STORAGE_IN_QUERY :
		strcmp(kind, "mutation") == 0 ? STORAGE_IN_MUTATION :
		strcmp(kind, "action") == 0 ? STORAGE_IN_ACTION : 0;

	if ((call->allowed & bit) != 0)
		return;
	if (call->allowed == STORAGE_IN_ACTION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Can't use storage.%s() in queries and mutations. Please consider using an action.",
						call->method)));
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("Can't use storage.%s() in a %s.", call->method, kind ? kind : "call outside a function")));
}

/* Subtransaction work of every storage syscall: check, parse, connect, run. */
static bool
RunStorageCall(void *arg, UdfV8HostResult *out)
{
	StorageCall *call = arg;
	json_error_t jerr;
	json_t	   *root;

	CheckKind(call);
	root = json_loadb(call->args, call->len, 0, &jerr);
	if (root == NULL || !json_is_object(root))
	{
		if (root)
			json_decref(root);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid arguments for storage.%s", call->method)));
	}
	PG_TRY();
	{
		char	   *result;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		result = call->work(root);
		out->result = strcpy(SPI_palloc(strlen(result) + 1), result);
		SPI_finish();
	}
	PG_FINALLY();
	{
		json_decref(root);
	}
	PG_END_TRY();
	return false;
}

/* 1.0/storageGetUrl {storageId} -> URL string, or null if there is no such file */
static char *
DoGetUrl(json_t *root)
{
	const char *id = StorageIdArg(root, "getUrl");
	StorageFile f;

	if (!StorageLookup(id, &f))
		return "null";
	return JsonText(json_string(StorageFileUrl(id)));
}

/* 1.0/storageGetMetadata {storageId} -> {storageId, sha256 (hex), size, contentType} or null */
static char *
DoGetMetadata(json_t *root)
{
	const char *id = StorageIdArg(root, "getMetadata");
	StorageFile f;

	if (!StorageLookup(id, &f))
		return "null";
	return JsonText(json_pack("{s:s, s:s, s:I, s:s?}", "storageId", id, "sha256", StorageSha256Hex(f.sha256),
							  "size", (json_int_t) f.size, "contentType", f.content_type));
}

/* 1.0/storageGenerateUploadUrl {} -> a signed, single-use upload URL */
static char *
DoGenerateUploadUrl(json_t *root)
{
	return JsonText(json_string(StorageUploadUrl()));
}

/* 1.0/storageDelete {storageId} -> null; the bytes go with the row */
static char *
DoDelete(json_t *root)
{
	const char *id = StorageIdArg(root, "delete");

	if (!StorageIdValid(id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Invalid storage ID: \"%s\" is not an id of the _storage table", id)));
	(void) StorageDelete(id);
	return "null";
}

/* 1.0/storageStore {blob (base64), contentType, sha256?} -> the new file's id */
static char *
DoStore(json_t *root)
{
	json_t	   *blob = json_object_get(root, "blob");
	const char *b64;
	size_t		b64len;
	char	   *bytes;
	int			n;

	if (!json_is_string(blob))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("storage.store() expects a Blob")));
	b64 = json_string_value(blob);
	b64len = json_string_length(blob);
	if (b64len > (size_t) MaxAllocSize / 4 * 3)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("file too large for storage.store()")));
	bytes = palloc(pg_b64_dec_len((int) b64len) + 1);
	n = pg_b64_decode(b64, (int) b64len, bytes, pg_b64_dec_len((int) b64len));
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("storage.store(): the blob is not valid base64")));
	return JsonText(json_string(StoragePut(bytes, n, OptJsonString(root, "contentType"),
										   OptJsonString(root, "sha256"))));
}

/* 1.0/storageGet {storageId} -> {blob (base64), contentType} or null */
static char *
DoGet(json_t *root)
{
	const char *id = StorageIdArg(root, "get");
	StorageFile f;
	struct varlena *data;
	int			enclen;
	char	   *b64;
	int			n;

	if (!StorageLookup(id, &f))
		return "null";
	if (f.size > (int64) (MaxAllocSize / 4) * 3 - 16)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("file %s is too large for storage.get() (%lld bytes)", id, (long long) f.size),
				 errhint("Serve it by its URL (storage.getUrl) instead.")));
	data = StorageRead(&f, 0, (int32) f.size);
	enclen = pg_b64_enc_len(VARSIZE_ANY_EXHDR(data));
	b64 = palloc(enclen + 1);
	n = pg_b64_encode(VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), b64, enclen);
	if (n < 0)
		elog(ERROR, "could not encode file %s", id);
	b64[n] = '\0';
	return JsonText(json_pack("{s:s, s:s?}", "blob", b64, "contentType", f.content_type));
}

/* ------------------------------------------------------------------ entry points */

/* An exported syscall: its work run by RunStorageCall in an internal subtransaction. */
#define STORAGE_SYSCALL(fn_name, method_name, kinds, fn_work) \
void \
fn_name(const char *args, size_t len, UdfV8HostResult *out) \
{ \
	StorageCall call = {args, len, method_name, kinds, fn_work}; \
	RunInSubtransaction(RunStorageCall, &call, out); \
}

STORAGE_SYSCALL(StorageGetUrl, "getUrl", STORAGE_IN_QUERY | STORAGE_IN_MUTATION | STORAGE_IN_ACTION, DoGetUrl)
STORAGE_SYSCALL(StorageGetMetadata, "getMetadata", STORAGE_IN_QUERY | STORAGE_IN_MUTATION | STORAGE_IN_ACTION,
				DoGetMetadata)
STORAGE_SYSCALL(StorageGenerateUploadUrl, "generateUploadUrl", STORAGE_IN_MUTATION | STORAGE_IN_ACTION,
				DoGenerateUploadUrl)
STORAGE_SYSCALL(StorageDeleteSyscall, "delete", STORAGE_IN_MUTATION | STORAGE_IN_ACTION, DoDelete)
STORAGE_SYSCALL(StorageStore, "store", STORAGE_IN_ACTION, DoStore)
STORAGE_SYSCALL(StorageGet, "get", STORAGE_IN_ACTION, DoGet)

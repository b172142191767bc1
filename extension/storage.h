/*
 * storage.h -- file storage (storage.c) and its syscalls (storagesys.c).
 */
#ifndef UDF_STORAGE_H
#define UDF_STORAGE_H

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "v8shim/udf_v8.h"

/* A stored file's metadata. */
typedef struct StorageFile
{
	char	   *id;
	double		creation_time;
	uint8		sha256[PG_SHA256_DIGEST_LENGTH];
	int64		size;
	char	   *content_type;	/* NULL when none was given */
	Oid			lo;				/* its large object */
} StorageFile;

/* A file being written, chunk by chunk. */
typedef struct StorageWriter
{
	Oid			lo;
	int64		size;
	pg_cryptohash_ctx *sha;
} StorageWriter;

extern void StorageInit(void);
extern bool StorageIdValid(const char *id);
extern const char *StoragePublicUrl(void);
extern char *StorageFileUrl(const char *id);
extern void StorageWriterBegin(StorageWriter *w);
extern void StorageWriterAppend(StorageWriter *w, const char *data, size_t len);
extern char *StorageWriterFinish(StorageWriter *w, const char *content_type, const char *want_sha256);
extern char *StoragePut(const char *data, size_t len, const char *content_type, const char *want_sha256);
extern bool StorageLookup(const char *id, StorageFile *f);
extern struct varlena *StorageRead(const StorageFile *f, int64 offset, int32 len);
extern bool StorageDelete(const char *id);
extern char *StorageSha256Base64(const uint8 *digest);
extern char *StorageSha256Hex(const uint8 *digest);
extern char *StorageUploadToken(void);
extern char *StorageUploadUrl(void);
extern const char *StorageConsumeUploadToken(const char *token);

/* storagesys.c: the 1.0/storage* syscalls */
extern void StorageGetUrl(const char *args, size_t len, UdfV8HostResult *out);
extern void StorageGetMetadata(const char *args, size_t len, UdfV8HostResult *out);
extern void StorageGenerateUploadUrl(const char *args, size_t len, UdfV8HostResult *out);
extern void StorageDeleteSyscall(const char *args, size_t len, UdfV8HostResult *out);
extern void StorageStore(const char *args, size_t len, UdfV8HostResult *out);
extern void StorageGet(const char *args, size_t len, UdfV8HostResult *out);

#endif							/* UDF_STORAGE_H */

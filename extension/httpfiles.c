/*
 * httpfiles.c -- the endpoint's files: POST <upload URL> stores the body as
 * a file, GET or HEAD <file URL> serves one (httpd.c routes them here).
 *
 * Both run in the worker's loop, never inside a libmicrohttpd callback,
 * each as one transaction of its own (RunRequestWork): an upload uses its
 * signed token (storage.c) and writes the buffered body into a large object
 * in FILE_CHUNK pieces in the same transaction, so a failed upload leaves
 * neither the file nor a used token; a download looks the file up, answers
 * 304 for a matching If-None-Match, one byte range (206, or 416) or the
 * whole file, read in FILE_CHUNK pieces into the malloc'd answer (files
 * larger than one allocation are served by ranges). What the client asked
 * is read from the (suspended) connection's headers.
 */
#include "udf.h"

#include "pgstat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "httpconn.h"

#define FILE_CHUNK (1024 * 1024)

static void UploadInTransaction(void *arg, HttpResponse *r);
static void FileInTransaction(void *arg, HttpResponse *r);
static bool ParseRange(const char *range, int64 size, int64 *from, int64 *to);

/* An upload's database work. */
typedef struct UploadWork
{
	const char *token;
	const char *content_type;
	HttpRequest *req;
} UploadWork;

/* Use the upload token and store the body; the answer is {"storageId": id}. */
static void
UploadInTransaction(void *arg, HttpResponse *r)
{
	UploadWork *u = arg;
	const char *why = StorageConsumeUploadToken(u->token);
	StorageWriter w;
	char	   *id;
	char	   *json;

	if (why)
	{
		HttpResponseText(r, 403, why);
		return;
	}
	StorageWriterBegin(&w);
	for (size_t off = 0; off < u->req->len; off += FILE_CHUNK)
	{
		CHECK_FOR_INTERRUPTS();
		StorageWriterAppend(&w, u->req->body + off, Min(FILE_CHUNK, u->req->len - off));
	}
	id = StorageWriterFinish(&w, u->content_type, NULL);
	json = psprintf("{\"storageId\":\"%s\"}", id);	/* ids are base32: nothing to escape */
	HttpResponseText(r, 200, json);
	r->content_type = "application/json";
}

/* POST <upload URL>: the body becomes a file. */
void
HttpServeUpload(HttpRequest *req, HttpResponse *r)
{
	UploadWork	u;

	u.token = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "token");
	u.content_type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	u.req = req;
	if (u.token == NULL)
	{
		HttpResponseText(r, 400, "missing upload token");
		return;
	}
	pgstat_report_activity(STATE_RUNNING, "udf http: upload");
	RunRequestWork(UploadInTransaction, &u, r);
}

/* A download's database work. */
typedef struct FileWork
{
	const char *id;
	const char *range;
	const char *if_none_match;
	bool		head;
} FileWork;

/* Look the file up and answer it, whole or the requested range. */
static void
FileInTransaction(void *arg, HttpResponse *r)
{
	FileWork   *fw = arg;
	StorageFile f;
	char	   *etag;
	int64		from = 0;
	int64		to;
	struct varlena *data;

	if (!StorageLookup(fw->id, &f))
	{
		HttpResponseText(r, 404, "Not Found");
		return;
	}
	etag = psprintf("\"%s\"", StorageSha256Base64(f.sha256));
	to = f.size - 1;
	if (fw->if_none_match && strcmp(fw->if_none_match, etag) == 0)
	{
		HttpResponseText(r, 304, "");
		r->len = 0;
		HttpResponseHeader(r, MHD_HTTP_HEADER_ETAG, etag);
		return;
	}
	if (fw->range && !ParseRange(fw->range, f.size, &from, &to))
	{
		HttpResponseText(r, 416, "Range Not Satisfiable");
		HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_RANGE, psprintf("bytes */" INT64_FORMAT, f.size));
		return;
	}
	if (to - from + 1 > (int64) MaxAllocSize - VARHDRSZ)
	{
		HttpResponseText(r, 413, "file too large to serve in one response; ask for a range");
		return;
	}
	HttpResponseFree(r);
	r->status = fw->range ? 206 : 200;
	r->content_type = NULL;
	HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_TYPE, f.content_type ? f.content_type : "application/octet-stream");
	HttpResponseHeader(r, MHD_HTTP_HEADER_ETAG, etag);
	HttpResponseHeader(r, "Digest", psprintf("sha-256=%s", StorageSha256Base64(f.sha256)));
	HttpResponseHeader(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	if (fw->range)
		HttpResponseHeader(r, MHD_HTTP_HEADER_CONTENT_RANGE,
						   psprintf("bytes " INT64_FORMAT "-" INT64_FORMAT "/" INT64_FORMAT, from, to, f.size));
	r->len = (size_t) (to - from + 1);
	r->body = malloc(Max(r->len, 1));
	if (r->body == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory serving file %s", fw->id)));
	if (fw->head)
		return;					/* libmicrohttpd sends the headers (and Content-Length) only */
	for (int64 off = from; off <= to; off += FILE_CHUNK)
	{
		int32		n = (int32) Min(FILE_CHUNK, to - off + 1);

		CHECK_FOR_INTERRUPTS();
		data = StorageRead(&f, off, n);
		if (VARSIZE_ANY_EXHDR(data) != n)
			elog(ERROR, "file %s is shorter than its size", fw->id);
		memcpy(r->body + (off - from), VARDATA_ANY(data), n);
		pfree(data);
	}
}

/* GET or HEAD <file URL>: the file, with its type, length, ETag and ranges. */
void
HttpServeFile(HttpRequest *req, const char *id, bool head, HttpResponse *r)
{
	FileWork	fw;

	fw.id = id;
	fw.head = head;
	fw.range = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
	fw.if_none_match = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	pgstat_report_activity(STATE_RUNNING, "udf http: file");
	RunRequestWork(FileInTransaction, &fw, r);
}

/*
 * One byte range of a file of size bytes ("bytes=a-b", "bytes=a-",
 * "bytes=-n"); false if it cannot be satisfied or is not one range.
 */
static bool
ParseRange(const char *range, int64 size, int64 *from, int64 *to)
{
	const char *p;
	char	   *end;
	long long	a = -1;
	long long	b = -1;

	if (strncmp(range, "bytes=", 6) != 0 || strchr(range, ',') != NULL)
		return false;
	p = range + 6;
	if (*p != '-')
	{
		if (*p < '0' || *p > '9')
			return false;
		a = strtoll(p, &end, 10);
		p = end;
	}
	if (*p++ != '-')
		return false;
	if (*p)
	{
		if (*p < '0' || *p > '9')
			return false;
		b = strtoll(p, &end, 10);
		if (*end)
			return false;
	}
	if (a < 0)
	{
		/* the last b bytes */
		if (b <= 0 || size == 0)
			return false;
		*from = Max(0, size - b);
		*to = size - 1;
		return true;
	}
	if (a >= size || (b >= 0 && b < a))
		return false;
	*from = a;
	*to = b < 0 || b >= size ? size - 1 : b;
	return true;
}

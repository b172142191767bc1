/*
 * jobwriter.c -- what an action schedules or cancels commits at once, as in
 * Convex, through a background worker that writes it in a transaction of
 * its own.
 *
 * Why a worker: PostgreSQL has no autonomous transactions, and an action
 * always runs inside one (the calling statement's, or the scheduler's or
 * the HTTP worker's). Convex's actions are not transactional: a job an
 * action schedules exists from that moment, runs while the action goes on,
 * and stays when the action throws or its caller rolls back. So the first
 * schedule or cancel of an action starts a "udf job writer", a dynamic
 * background worker connected to the same database, and hands it each row
 * over a shared-memory queue; the worker inserts it (or cancels the job) as
 * the extension owner, commits, and answers. Its commit wakes the scheduler
 * workers as any scheduling commit does. Starting a worker costs a few
 * milliseconds, so a writer serves its backend across transactions (an HTTP
 * worker's requests, a scheduler worker's jobs) and exits after
 * JOBWRITER_IDLE_MS without a request, or when its backend exits, giving
 * its worker slot back.
 *
 * Lifecycle, caller side: JobWriterStart creates a DSM segment (pinned to
 * the session, so no resource owner of a subtransaction detaches it) with
 * two queues, registers the worker, and keeps the handles in TopMemoryContext.
 * Each request is one message and one answer; an error in between (a
 * cancel) drops the writer, so no answer is ever read for the wrong
 * request. A writer that exited idle just as a request was sent never read
 * it (it answers every request it reads before it looks at the clock), so
 * the request goes to a new writer. Without a free worker slot (max_worker_processes) the
 * caller writes in its own transaction, as before, and warns once.
 *
 * Writer side: connects as the bootstrap superuser, like udf's other
 * workers, and runs only udf's own INSERT/UPDATE on udf_job (jobtable.c),
 * elevated to the extension owner; the job's role is the caller's, carried
 * in the message. lock_timeout bounds a wait on a row the caller itself has
 * locked (a cancel of a job the caller's transaction canceled or updated),
 * which would otherwise be a deadlock no detector sees. What may raise: the
 * SQL, caught per request and answered as an error message.
 */
#include "udf.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"


#define JOBWRITER_MAGIC 0x75646a77
#define JOBWRITER_QUEUE_BYTES (64 * 1024)
#define JOBWRITER_LOCK_TIMEOUT "2s"
#define JOBWRITER_IDLE_MS 2000

enum
{
	TOC_HEADER = 1,
	TOC_REQUESTS,
	TOC_ANSWERS
};

/* What the caller tells the writer before it connects. */
typedef struct JobWriterHeader
{
	Oid			database;
} JobWriterHeader;

/* The caller's side of a running writer. */
typedef struct JobWriter
{
	dsm_segment *segment;
	shm_mq_handle *requests;
	shm_mq_handle *answers;
	BackgroundWorkerHandle *handle;
} JobWriter;

static JobWriter *writer;
static bool warned_no_slot;

static bool JobWriterStart(void);
static void JobWriterStop(void);
static char *JobWriterAsk(StringInfo request);
static bool JobWriterReady(void);
static bool JobWriterRequest(StringInfo request, char **answer);
static void PutText(StringInfo buf, const char *text);
static char *GetText(StringInfo msg);
static char *WriterApply(StringInfo msg);

PGDLLEXPORT void udf_job_writer_main(Datum main_arg);

/* Start a writer for this backend; false when no worker slot is free. */
static bool
JobWriterStart(void)
{
	shm_toc_estimator e;
	Size		size;
	dsm_segment *seg;
	shm_toc    *toc;
	JobWriterHeader *header;
	shm_mq	   *requests;
	shm_mq	   *answers;
	BackgroundWorker worker = {0};
	BackgroundWorkerHandle *handle;
	MemoryContext old;

	shm_toc_initialize_estimator(&e);
	shm_toc_estimate_chunk(&e, sizeof(JobWriterHeader));
	shm_toc_estimate_chunk(&e, JOBWRITER_QUEUE_BYTES);
	shm_toc_estimate_chunk(&e, JOBWRITER_QUEUE_BYTES);
	shm_toc_estimate_keys(&e, 3);
	size = shm_toc_estimate(&e);

	seg = dsm_create(size, 0);
	dsm_pin_mapping(seg);
	toc = shm_toc_create(JOBWRITER_MAGIC, dsm_segment_address(seg), size);
	header = shm_toc_allocate(toc, sizeof(JobWriterHeader));
	header->database = MyDatabaseId;
	shm_toc_insert(toc, TOC_HEADER, header);
	requests = shm_mq_create(shm_toc_allocate(toc, JOBWRITER_QUEUE_BYTES), JOBWRITER_QUEUE_BYTES);
	shm_toc_insert(toc, TOC_REQUESTS, requests);
	shm_mq_set_sender(requests, MyProc);
	answers = shm_mq_create(shm_toc_allocate(toc, JOBWRITER_QUEUE_BYTES), JOBWRITER_QUEUE_BYTES);
	shm_toc_insert(toc, TOC_ANSWERS, answers);
	shm_mq_set_receiver(answers, MyProc);

	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "udf");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "udf_job_writer_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "udf job writer for PID %d", MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "udf job writer");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	old = MemoryContextSwitchTo(TopMemoryContext);
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
	{
		MemoryContextSwitchTo(old);
		dsm_detach(seg);
		return false;
	}
	writer = palloc0(sizeof(JobWriter));
	writer->segment = seg;
	writer->handle = handle;
	writer->requests = shm_mq_attach(requests, seg, handle);
	writer->answers = shm_mq_attach(answers, seg, handle);
	MemoryContextSwitchTo(old);
	return true;
}

/* Detach from the writer, which then exits. */
static void
JobWriterStop(void)
{
	JobWriter  *w = writer;

	if (w == NULL)
		return;
	writer = NULL;
	dsm_detach(w->segment);
	pfree(w->handle);
	pfree(w);
}

/*
 * Send one request and wait for its answer (writer running): "" when done,
 * else the writer's answer; NULL when the writer had exited without reading it.
 */
static char *
JobWriterAsk(StringInfo request)
{
	char	   *answer = NULL;

	PG_TRY();
	{
		Size		nbytes;
		void	   *data;

		if (shm_mq_send(writer->requests, request->len, request->data, false, true) == SHM_MQ_SUCCESS &&
			shm_mq_receive(writer->answers, &nbytes, &data, false) == SHM_MQ_SUCCESS)
			answer = pnstrdup(data, nbytes);
		else
			JobWriterStop();
	}
	PG_CATCH();
	{
		/* a half-finished exchange must not answer the next request */
		JobWriterStop();
		PG_RE_THROW();
	}
	PG_END_TRY();
	return answer;
}

/* Send a request to the writer, starting one when needed; false when no slot is free. */
static bool
JobWriterRequest(StringInfo request, char **answer)
{
	if (!JobWriterReady())
		return false;
	*answer = JobWriterAsk(request);
	if (*answer == NULL && JobWriterReady())
		*answer = JobWriterAsk(request);
	if (*answer == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the udf job writer ended before it answered"),
				 errhint("The server log says why.")));
	return true;
}

/* Whether the writer can be used; starts it, warning once when no slot is free. */
static bool
JobWriterReady(void)
{
	if (writer != NULL || JobWriterStart())
		return true;
	if (!warned_no_slot)
	{
		warned_no_slot = true;
		ereport(WARNING,
				(errmsg("what this action schedules commits with the calling transaction, not at once"),
				 errdetail("No background worker slot is free for the udf job writer."),
				 errhint("Raise max_worker_processes (it needs a server restart).")));
	}
	return false;
}

/* Append a length-prefixed text (no encoding conversion: both ends share the database). */
static void
PutText(StringInfo buf, const char *text)
{
	int			len = text ? (int) strlen(text) : -1;

	pq_sendint32(buf, len);
	if (len > 0)
		pq_sendbytes(buf, text, len);
}

/* Read a text PutText wrote (NULL for NULL). */
static char *
GetText(StringInfo msg)
{
	int			len = pq_getmsgint(msg, 4);

	if (len < 0)
		return NULL;
	return pnstrdup(pq_getmsgbytes(msg, len), len);
}

/* Commit the job row at once in the writer; false when there is no writer (write it yourself). */
bool
JobWriterInsert(const JobRow *row)
{
	StringInfoData request;
	char	   *error;

	initStringInfo(&request);
	pq_sendbyte(&request, 'I');
	PutText(&request, row->id);
	pq_sendfloat8(&request, row->creation_time);
	PutText(&request, row->name);
	PutText(&request, row->args);
	PutText(&request, row->kind);
	pq_sendfloat8(&request, row->scheduled_time);
	pq_sendint32(&request, row->owner);
	PutText(&request, row->cron);
	pq_sendbyte(&request, row->canceled ? 1 : 0);
	if (!JobWriterRequest(&request, &error))
		return false;
	if (*error)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not schedule %s: %s", row->name, error)));
	return true;
}

/* Cancel a job at once in the writer; false when there is no writer. *canceled: it was pending or running. */
bool
JobWriterCancel(const char *id, Oid caller, double now_ms, bool *canceled)
{
	StringInfoData request;
	char	   *answer;

	initStringInfo(&request);
	pq_sendbyte(&request, 'C');
	PutText(&request, id);
	pq_sendint32(&request, caller);
	pq_sendfloat8(&request, now_ms);
	if (!JobWriterRequest(&request, &answer))
		return false;
	/* the answer to a cancel is "t" or "f", or an error longer than that */
	if (strcmp(answer, "t") != 0 && strcmp(answer, "f") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not cancel job %s: %s", id, answer)));
	*canceled = strcmp(answer, "t") == 0;
	return true;
}

/* In the writer: apply one request in a transaction of its own; the answer to send. */
static char *
WriterApply(StringInfo msg)
{
	MemoryContext cxt = CurrentMemoryContext;
	char	   *volatile answer = "";

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	PG_TRY();
	{
		char		op = pq_getmsgbyte(msg);

		(void) PinCatalogSearchPath();
		if (op == 'I')
		{
			JobRow row;

			row.id = GetText(msg);
			row.creation_time = pq_getmsgfloat8(msg);
			row.name = GetText(msg);
			row.args = GetText(msg);
			row.kind = GetText(msg);
			row.scheduled_time = pq_getmsgfloat8(msg);
			row.owner = (Oid) pq_getmsgint(msg, 4);
			row.cron = GetText(msg);
			row.canceled = pq_getmsgbyte(msg) != 0;
			pgstat_report_activity(STATE_RUNNING, row.name);
			JobTableInsert(&row);
		}
		else if (op == 'C')
		{
			char	   *id = GetText(msg);
			Oid			caller = (Oid) pq_getmsgint(msg, 4);
			double		now_ms = pq_getmsgfloat8(msg);

			pgstat_report_activity(STATE_RUNNING, id);
			answer = JobTableCancel(id, caller, now_ms) ? "t" : "f";
		}
		else
			elog(ERROR, "unknown udf job writer request '%c'", op);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		answer = edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE
			? psprintf("the job is locked by another transaction, perhaps the calling one (%s)", edata->message)
			: edata->message;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	return answer;
}

/* Background worker entry: serve the caller's requests until it detaches or JOBWRITER_IDLE_MS pass without one. */
void
udf_job_writer_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	JobWriterHeader *header;
	shm_mq	   *requests;
	shm_mq	   *answers;
	shm_mq_handle *in;
	shm_mq_handle *out;
	MemoryContext cxt;
	TimestampTz idle_since;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	CurrentResourceOwner = ResourceOwnerCreate(NULL, "udf job writer");
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		proc_exit(0);			/* the caller has gone already */
	dsm_pin_mapping(seg);
	toc = shm_toc_attach(JOBWRITER_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		elog(FATAL, "udf job writer: bad shared memory segment");
	header = shm_toc_lookup(toc, TOC_HEADER, false);
	requests = shm_toc_lookup(toc, TOC_REQUESTS, false);
	answers = shm_toc_lookup(toc, TOC_ANSWERS, false);
	shm_mq_set_receiver(requests, MyProc);
	shm_mq_set_sender(answers, MyProc);
	in = shm_mq_attach(requests, seg, NULL);
	out = shm_mq_attach(answers, seg, NULL);

	BackgroundWorkerInitializeConnectionByOid(header->database, InvalidOid, 0);
	SetConfigOption("lock_timeout", JOBWRITER_LOCK_TIMEOUT, PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("application_name", "udf job writer", PGC_USERSET, PGC_S_OVERRIDE);
	cxt = AllocSetContextCreate(TopMemoryContext, "udf job writer", ALLOCSET_DEFAULT_SIZES);

	idle_since = GetCurrentTimestamp();
	for (;;)
	{
		Size		nbytes;
		void	   *data;
		StringInfoData msg;
		char	   *answer;
		shm_mq_result res = shm_mq_receive(in, &nbytes, &data, true);

		if (res == SHM_MQ_WOULD_BLOCK)
		{
			long		idle_ms = TimestampDifferenceMilliseconds(idle_since, GetCurrentTimestamp());

			if (idle_ms >= JOBWRITER_IDLE_MS)
				break;
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 JOBWRITER_IDLE_MS - idle_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		if (res != SHM_MQ_SUCCESS)
			break;				/* the caller has exited */
		MemoryContextReset(cxt);
		MemoryContextSwitchTo(cxt);
		msg.data = data;
		msg.len = (int) nbytes;
		msg.maxlen = (int) nbytes;
		msg.cursor = 0;
		answer = WriterApply(&msg);
		if (shm_mq_send(out, strlen(answer), answer, false, true) != SHM_MQ_SUCCESS)
			break;
		idle_since = GetCurrentTimestamp();
	}
	proc_exit(0);
}

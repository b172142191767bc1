/*
 * ids.c -- Convex document ids and the table-number registry.
 *
 * An id is Convex's v6 format: VInt(table number) + 16 random bytes + a
 * 2-byte footer (fletcher16 of the prefix with wrapping byte sums, little
 * endian), written in base32 with the alphabet 0-9a-z minus i, l, o, u,
 * most significant bits first, no padding. The id encodes a table number,
 * not a name, so udf keeps a registry (the table udf_table) mapping numbers
 * to tables; numbers are never reused.
 *
 * Registry reads and writes run through SPI as the extension's owner, like
 * store.c (RunAsExtensionOwner: fixed search_path, qualified operators); a
 * number is assigned the first time a table is used by ctx.db.
 *
 * The registry only grows and a row never changes, so each backend keeps
 * what it looked up (relation <-> number) in a small cache and asks SQL
 * only once per table, not on every insert. What a transaction learnt is
 * trusted only once it commits: a number assigned by a (sub)transaction
 * that rolls back is dropped with it (transaction callbacks).
 */
#include "udf.h"

#include "access/xact.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

static const char base32_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

#define ID_RANDOM_BYTES 16
#define ID_MAX_BYTES (5 + ID_RANDOM_BYTES + 2)

/* fletcher16 with wrapping u8 sums, as Convex's id footer. */
static uint16
Fletcher16(const uint8 *data, int len)
{
	uint8		c0 = 0;
	uint8		c1 = 0;

	for (int i = 0; i < len; i++)
	{
		c0 = (uint8) (c0 + data[i]);
		c1 = (uint8) (c1 + c0);
	}
	return (uint16) ((c1 << 8) | c0);
}

/* Encode bytes as base32, most significant bits first, no padding. */
static char *
Base32Encode(const uint8 *data, int len)
{
	StringInfoData out;
	uint32		buffer = 0;
	int			bits = 0;

	initStringInfo(&out);
	for (int i = 0; i < len; i++)
	{
		buffer = (buffer << 8) | data[i];
		bits += 8;
		while (bits >= 5)
		{
			appendStringInfoChar(&out, base32_alphabet[(buffer >> (bits - 5)) & 31]);
			bits -= 5;
		}
	}
	if (bits > 0)
		appendStringInfoChar(&out, base32_alphabet[(buffer << (5 - bits)) & 31]);
	return out.data;
}

/* Decode base32; returns byte count or -1 on a character outside the alphabet. */
static int
Base32Decode(const char *text, uint8 *out, int max)
{
	uint32		buffer = 0;
	int			bits = 0;
	int			n = 0;

	for (const char *p = text; *p; p++)
	{
		const char *pos = strchr(base32_alphabet, *p);

		if (pos == NULL || *p == '\0')
			return -1;
		buffer = (buffer << 5) | (uint32) (pos - base32_alphabet);
		bits += 5;
		if (bits >= 8)
		{
			if (n >= max)
				return -1;
			out[n++] = (uint8) (buffer >> (bits - 8));
			bits -= 8;
		}
	}
	return n;
}

/* A new id for a document of table number `table_number`. */
char *
IdEncode(uint32 table_number, const uint8 *random16)
{
	uint8		bytes[ID_MAX_BYTES];
	int			n = 0;
	uint32		v = table_number;
	uint16		footer;

	do
	{
		uint8		b = v & 0x7f;

		v >>= 7;
		bytes[n++] = v ? (b | 0x80) : b;
	} while (v);
	memcpy(bytes + n, random16, ID_RANDOM_BYTES);
	n += ID_RANDOM_BYTES;
	footer = Fletcher16(bytes, n);
	bytes[n++] = footer & 0xff;
	bytes[n++] = footer >> 8;
	return Base32Encode(bytes, n);
}

/* Decode an id's table number; false if the string is not a valid id. */
bool
IdDecode(const char *id, uint32 *table_number)
{
	uint8		bytes[ID_MAX_BYTES + 4];
	size_t		len = strlen(id);
	int			n;
	int			vlen = 0;
	uint32		v = 0;
	uint16		footer;

	if (len < 31 || len > 37)
		return false;
	n = Base32Decode(id, bytes, sizeof(bytes));
	if (n < 1 + ID_RANDOM_BYTES + 2)
		return false;
	while (vlen < 5 && vlen < n)
	{
		v |= (uint32) (bytes[vlen] & 0x7f) << (7 * vlen);
		if ((bytes[vlen++] & 0x80) == 0)
			break;
	}
	if (n != vlen + ID_RANDOM_BYTES + 2 || v == 0)
		return false;
	footer = Fletcher16(bytes, vlen + ID_RANDOM_BYTES);
	if (bytes[n - 2] != (footer & 0xff) || bytes[n - 1] != (footer >> 8))
		return false;
	*table_number = v;
	return true;
}

/* A fresh id for table_number, from the per-backend PRNG. */
char *
IdNew(uint32 table_number)
{
	uint8		random16[ID_RANDOM_BYTES];

	PrngBytes(random16, sizeof(random16));
	return IdEncode(table_number, random16);
}

/* A registry statement and its answer. */
typedef struct RegistryStatement
{
	const char *sql;
	int			nargs;
	Oid		   *types;
	Datum	   *values;
	bool		read_only;
	int			rc;
} RegistryStatement;

/* Execute one registry statement; runs as the extension owner. */
static void
ExecuteRegistryStatement(void *arg)
{
	RegistryStatement *st = arg;

	st->rc = SPI_execute_with_args(st->sql, st->nargs, st->types, st->values, NULL, st->read_only, 0);
}

/* Run a registry statement as the extension owner (elevated.c). */
static int
RegistryExecute(const char *sql, int nargs, Oid *types, Datum *values, bool read_only)
{
	RegistryStatement st = {sql, nargs, types, values, read_only, 0};

	RunAsExtensionOwner(ExecuteRegistryStatement, &st);
	return st.rc;
}

/* One registry row this backend knows: committed, or learnt in subtransaction learnt_in. */
typedef struct RegistryEntry
{
	Oid			relid;
	uint32		number;
	bool		committed;
	SubTransactionId learnt_in;
} RegistryEntry;

#define REGISTRY_CACHE_SIZE 256

static RegistryEntry registry_cache[REGISTRY_CACHE_SIZE];
static int	registry_cached = 0;
static bool registry_callbacks = false;

/* Transaction end: what it learnt is committed, or forgotten. */
static void
RegistryAtXactEnd(XactEvent event, void *arg)
{
	bool		commit = event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT;

	if (!commit && event != XACT_EVENT_ABORT && event != XACT_EVENT_PARALLEL_ABORT)
		return;
	for (int i = registry_cached - 1; i >= 0; i--)
	{
		if (registry_cache[i].committed)
			continue;
		if (commit)
			registry_cache[i].committed = true;
		else
			registry_cache[i] = registry_cache[--registry_cached];
	}
}

/* Subtransaction end: its rows pass to its parent, or go with it. */
static void
RegistryAtSubXactEnd(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid, void *arg)
{
	for (int i = registry_cached - 1; i >= 0; i--)
	{
		RegistryEntry *e = &registry_cache[i];

		if (e->committed || e->learnt_in != mySubid)
			continue;
		if (event == SUBXACT_EVENT_COMMIT_SUB)
			e->learnt_in = parentSubid;
		else if (event == SUBXACT_EVENT_ABORT_SUB)
			registry_cache[i] = registry_cache[--registry_cached];
	}
}

/* Remember a registry row this transaction saw (the cache starts over when full). */
static void
RegistryRemember(Oid relid, uint32 number)
{
	if (!registry_callbacks)
	{
		RegisterXactCallback(RegistryAtXactEnd, NULL);
		RegisterSubXactCallback(RegistryAtSubXactEnd, NULL);
		registry_callbacks = true;
	}
	if (registry_cached == REGISTRY_CACHE_SIZE)
		registry_cached = 0;
	registry_cache[registry_cached].relid = relid;
	registry_cache[registry_cached].number = number;
	registry_cache[registry_cached].committed = false;
	registry_cache[registry_cached].learnt_in = GetCurrentSubTransactionId();
	registry_cached++;
}

/* The cached row of relid (by_number false) or of number, or NULL. */
static RegistryEntry *
RegistryCached(Oid relid, uint32 number, bool by_number)
{
	for (int i = 0; i < registry_cached; i++)
		if (by_number ? registry_cache[i].number == number : registry_cache[i].relid == relid)
			return &registry_cache[i];
	return NULL;
}

/* The table number of relid, assigned on first use. Needs SPI connected. */
uint32
TableNumberFor(Oid relid)
{
	char	   *table;
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	bool		isnull;
	RegistryEntry *cached = RegistryCached(relid, 0, false);
	uint32		number;

	if (cached)
		return cached->number;
	table = ExtensionTableName("udf_table");
	if (RegistryExecute(psprintf("SELECT number FROM %s WHERE relation OPERATOR(pg_catalog.=) $1", table),
						1, types, values, true) == SPI_OK_SELECT && SPI_processed == 1)
		number = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	else
	{
		if (RegistryExecute(psprintf("INSERT INTO %s (relation) VALUES ($1) "
									 "ON CONFLICT (relation) DO UPDATE SET relation = EXCLUDED.relation RETURNING number",
									 table),
							1, types, values, false) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "could not register table %u", relid);
		number = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	RegistryRemember(relid, number);
	return number;
}

/* The table registered under number, or InvalidOid. Needs SPI connected. */
Oid
TableForNumber(uint32 number)
{
	char	   *table;
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum((int32) number)};
	bool		isnull;
	RegistryEntry *cached = RegistryCached(InvalidOid, number, true);

	if (cached)
		return cached->relid;
	table = ExtensionTableName("udf_table");
	/* not read-only: a table created by an earlier op of this statement is registered (dbschemaless.c) */
	if (RegistryExecute(psprintf("SELECT relation FROM %s WHERE number OPERATOR(pg_catalog.=) $1", table),
						1, types, values, false) == SPI_OK_SELECT && SPI_processed == 1)
	{
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

		RegistryRemember(relid, number);
		return relid;
	}
	return InvalidOid;
}

/*
 * The secret that signs pagination cursors: made on first use, kept in
 * udf_secret so cursors stay valid across sessions. Needs SPI connected.
 */
const char *
CursorSecret(void)
{
	static char *secret = NULL;
	char	   *table;
	char		hex[65];

	if (secret)
		return secret;
	table = ExtensionTableName("udf_secret");
	if (RegistryExecute(psprintf("SELECT key FROM %s LIMIT 1", table), 0, NULL, NULL, true) == SPI_OK_SELECT &&
		SPI_processed == 1)
	{
		secret = MemoryContextStrdup(TopMemoryContext, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
		return secret;
	}
	{
		uint8		bytes[32];
		Oid			types[1] = {TEXTOID};
		Datum		values[1];

		if (!pg_strong_random(bytes, sizeof(bytes)))
			elog(ERROR, "could not generate the cursor secret");
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
		values[0] = CStringGetTextDatum(hex);
		if (RegistryExecute(psprintf("INSERT INTO %s (key) SELECT $1 WHERE NOT EXISTS (SELECT FROM %s) RETURNING key", table, table),
							1, types, values, false) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		{
			/* someone else made it first */
			RegistryExecute(psprintf("SELECT key FROM %s LIMIT 1", table), 0, NULL, NULL, true);
		}
		secret = MemoryContextStrdup(TopMemoryContext, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	}
	return secret;
}

/* Hex of the first SECRET_MAC_BYTES of HMAC-SHA256(cursor secret, payload): what signs cursors and upload tokens. */
char *
SecretMac(const char *payload)
{
	const char *secret = CursorSecret();
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);
	uint8		mac[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(2 * SECRET_MAC_BYTES + 1);

	if (ctx == NULL || pg_hmac_init(ctx, (const uint8 *) secret, strlen(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) payload, strlen(payload)) < 0 ||
		pg_hmac_final(ctx, mac, sizeof(mac)) < 0)
		elog(ERROR, "could not compute a signature");
	pg_hmac_free(ctx);
	for (int k = 0; k < SECRET_MAC_BYTES; k++)
		snprintf(hex + 2 * k, 3, "%02x", mac[k]);
	return hex;
}

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
 */
#include "udf.h"

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

/* The table number of relid, assigned on first use. Needs SPI connected. */
uint32
TableNumberFor(Oid relid)
{
	char	   *table = ExtensionTableName("udf_table");
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	bool		isnull;

	if (RegistryExecute(psprintf("SELECT number FROM %s WHERE relation OPERATOR(pg_catalog.=) $1", table),
						1, types, values, true) == SPI_OK_SELECT && SPI_processed == 1)
		return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (RegistryExecute(psprintf("INSERT INTO %s (relation) VALUES ($1) "
								 "ON CONFLICT (relation) DO UPDATE SET relation = EXCLUDED.relation RETURNING number",
								 table),
						1, types, values, false) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not register table %u", relid);
	return DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* The table registered under number, or InvalidOid. Needs SPI connected. */
Oid
TableForNumber(uint32 number)
{
	char	   *table = ExtensionTableName("udf_table");
	Oid			types[1] = {INT4OID};
	Datum		values[1] = {Int32GetDatum((int32) number)};
	bool		isnull;

	/* not read-only: a table created by an earlier op of this statement is registered (dbschemaless.c) */
	if (RegistryExecute(psprintf("SELECT relation FROM %s WHERE number OPERATOR(pg_catalog.=) $1", table),
						1, types, values, false) == SPI_OK_SELECT && SPI_processed == 1)
		return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
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

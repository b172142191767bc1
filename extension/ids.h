/*
 * ids.h -- Convex document ids and the table-number registry (ids.c).
 */
#ifndef UDF_IDS_H
#define UDF_IDS_H

extern char *IdEncode(uint32 table_number, const uint8 *random16);
extern bool IdDecode(const char *id, uint32 *table_number);
extern char *IdNew(uint32 table_number);
extern uint32 TableNumberFor(Oid relid);
extern Oid	TableForNumber(uint32 number);
/* Bytes of a signature made with the cursor secret (hex: twice as many characters). */
#define SECRET_MAC_BYTES 16

extern const char *CursorSecret(void);
extern char *SecretMac(const char *payload);

#endif							/* UDF_IDS_H */

// sql/query_batches.sql: a managed table whose rows need Convex decoding (int64, bytes, nested)
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  qb_rows: defineTable({ k: v.number(), big: v.int64(), raw: v.bytes(), doc: v.object({ nested: v.string() }) }),
});

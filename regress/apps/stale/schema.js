// runQuery with useStaleSnapshot (sql/stale_snapshot.sql)
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  st_items: defineTable({ name: v.string(), n: v.number() }).index('by_name', ['name']),
});

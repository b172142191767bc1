// db_any_order.sql: indexes on any-typed fields sort in Convex's total order
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  anyvals: defineTable({ label: v.string(), v: v.optional(v.any()) }).index('by_v', ['v']),
  mixed: defineTable({ label: v.string(), group: v.string(), u: v.optional(v.union(v.string(), v.int64(), v.array(v.any()))) })
    .index('by_group_u', ['group', 'u']),
});

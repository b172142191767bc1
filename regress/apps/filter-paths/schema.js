// db_filter_paths.sql: a managed table with an optional object field and an any-typed field
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  notes: defineTable({
    title: v.string(),
    meta: v.optional(
      v.object({
        color: v.optional(v.string()),
        size: v.optional(v.number()),
        dims: v.optional(v.object({ w: v.number() })),
      }),
    ),
    extra: v.optional(v.any()),
  }),
});

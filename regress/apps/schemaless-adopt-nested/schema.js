// db_schemaless.sql: a schema whose nested validator a stored document of things2 does not match (k.deep)
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  things2: defineTable({
    n: v.number(),
    k: v.optional(v.union(v.number(), v.string(), v.int64(), v.null(), v.object({ deep: v.string() }))),
  }),
});

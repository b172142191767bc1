// db_schemaless.sql: a schema that declares users and a union-typed events table; other tables stay writable without one
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  users: defineTable({ name: v.string() }),
  events: defineTable(
    v.union(v.object({ kind: v.literal('click'), x: v.number() }), v.object({ kind: v.literal('key'), key: v.string() })),
  ),
});

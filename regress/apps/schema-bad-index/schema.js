// db_schema.sql (over regress/apps/example): an index on a nested path, refused
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({ author: v.string(), body: v.string() }).index('bad', ['nested.path']),
});

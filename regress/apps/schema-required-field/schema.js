// db_schema.sql (over regress/apps/example): a destructive change, a new required field mood
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({ author: v.string(), body: v.string(), mood: v.string() }),
});

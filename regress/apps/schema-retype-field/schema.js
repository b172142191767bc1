// db_schema.sql (over regress/apps/example): a destructive change, author becomes a number
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ messages: defineTable({ author: v.number(), body: v.string() }) });

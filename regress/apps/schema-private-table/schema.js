// db_schema.sql (over regress/apps/example): a table name starting with an underscore, refused
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ _private: defineTable({ a: v.string() }) });

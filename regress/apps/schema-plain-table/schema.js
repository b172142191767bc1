// db_schema.sql (over regress/apps/example): a managed table whose name an ordinary table already has
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ plain_table: defineTable({ a: v.string() }) });

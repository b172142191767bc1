// db_schemaless.sql: a schema that the stored documents of things2 do not match
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ things2: defineTable({ n: v.number(), k: v.optional(v.number()) }) });

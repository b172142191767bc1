// db_schemaless.sql: a schema that declares only users; other tables stay writable without one
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ users: defineTable({ name: v.string() }) });

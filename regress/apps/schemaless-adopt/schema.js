// db_schemaless.sql: a later schema declares chat, which was made by its first insert
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  users: defineTable({ name: v.string() }),
  chat: defineTable({ author: v.string(), body: v.string(), likes: v.optional(v.number()) }).index('by_author', ['author']),
});

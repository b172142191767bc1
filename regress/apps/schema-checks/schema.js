// db_schema.sql (over regress/apps/example): the example schema with the fields the checks write
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.string(),
    score: v.optional(v.number()),
    likes: v.optional(v.int64()),
    tags: v.optional(v.array(v.string())),
  })
    .index('by_author', ['author'])
    .index('by_author_score', ['author', 'score']),
  deep: defineTable({ data: v.any() }),
});

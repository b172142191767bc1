// db_schema.sql (over regress/apps/example): an additive migration, a new optional field edited and its index
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.string(),
    score: v.optional(v.number()),
    likes: v.optional(v.int64()),
    tags: v.optional(v.array(v.string())),
    edited: v.optional(v.boolean()),
  })
    .index('by_author', ['author'])
    .index('by_author_score', ['author', 'score'])
    .index('by_edited', ['edited']),
});

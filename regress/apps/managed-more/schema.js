// db_managed.sql (over regress/apps/example): the example schema plus a flex table with an optional nullable field
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
  flex: defineTable({ v: v.optional(v.union(v.null(), v.string())) }),
});

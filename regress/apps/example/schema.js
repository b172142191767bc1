import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// Managed tables: udf creates them at deploy, with _id and _creationTime,
// one column per field and one btree per index.
export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.string(),
    score: v.optional(v.number()),
    likes: v.optional(v.int64()),
    tags: v.optional(v.array(v.string())),
  })
    .index("by_author", ["author"])
    .index("by_author_score", ["author", "score"]),
});

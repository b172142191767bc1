// search_vector.sql: a vector index of 3 dimensions with a filter field;
// "plain" holds vectors as jsonb until a later deploy adds an index.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  foods: defineTable({
    description: v.string(),
    cuisine: v.string(),
    rating: v.optional(v.number()),
    embedding: v.optional(v.array(v.float64())),
  }).vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["cuisine", "rating"] }),
  plain: defineTable({ vec: v.array(v.float64()) }),
});

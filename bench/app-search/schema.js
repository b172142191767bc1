// bench/search.sh: 100k documents with a search index, 10k 1536-dimension vectors.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  posts: defineTable({ body: v.string(), channel: v.string() })
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }),
  embeddings: defineTable({ kind: v.string(), embedding: v.array(v.float64()) })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536, filterFields: ["kind"] }),
});

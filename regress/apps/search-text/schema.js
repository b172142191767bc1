// search_text.sql: a search index with two filter fields, one of them
// a union that may hold null or be missing.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  notes: defineTable({
    body: v.string(),
    channel: v.string(),
    tag: v.optional(v.union(v.string(), v.null())),
    n: v.optional(v.number()),
  }).searchIndex("search_body", { searchField: "body", filterFields: ["channel", "tag"] }),
});

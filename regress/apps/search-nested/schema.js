// search_nested.sql: search and vector indexes on dotted paths into nested
// objects, on a typed table ("posts": meta is a jsonb column), on a table
// whose documents are v.any() ("docs", kept whole in _doc) and on one whose
// documents are a union of shapes ("shapes").
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  posts: defineTable({
    title: v.string(),
    meta: v.optional(
      v.object({
        body: v.optional(v.string()),
        channel: v.optional(v.string()),
        embedding: v.optional(v.array(v.float64())),
        inner: v.optional(v.object({ text: v.string() })),
      }),
    ),
  })
    .searchIndex("by_body", { searchField: "meta.body", filterFields: ["meta.channel"] })
    .searchIndex("by_inner", { searchField: "meta.inner.text" })
    .searchIndex("by_title", { searchField: "title" })
    .vectorIndex("by_embedding", { vectorField: "meta.embedding", dimensions: 3, filterFields: ["meta.channel"] }),
  docs: defineTable(v.any())
    .searchIndex("by_body", { searchField: "meta.body", filterFields: ["meta.channel", "kind"] })
    .searchIndex("by_title", { searchField: "title" })
    .vectorIndex("by_vec", { vectorField: "meta.vec", dimensions: 2, filterFields: ["kind"] }),
  shapes: defineTable(
    v.union(v.object({ kind: v.literal("note"), text: v.string() }), v.object({ kind: v.literal("count"), n: v.number() })),
  ).searchIndex("by_text", { searchField: "text", filterFields: ["kind"] }),
});

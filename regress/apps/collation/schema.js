// db_collation.sql: strings sort by their UTF-8 bytes, as in Convex, in a
// database whose default collation is linguistic.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  words: defineTable({
    w: v.string(),
    ref: v.optional(v.id("words")),
    note: v.optional(v.string()),
    any: v.optional(v.any()),
  })
    .index("by_w", ["w"])
    .index("by_any", ["any"])
    .searchIndex("search_w", { searchField: "w" }),
});

import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  notes: defineTable({ body: v.string(), n: v.number() }).index("by_n", ["n"]),
});

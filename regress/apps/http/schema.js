import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  http_notes: defineTable({ body: v.string() }),
});

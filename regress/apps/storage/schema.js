import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  st_notes: defineTable({ body: v.string() }),
});

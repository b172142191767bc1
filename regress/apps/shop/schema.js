import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The audit log is a managed table; orders and stock are ordinary SQL
// tables the shop's SQL owns (see sql/example_shop.sql).
export default defineSchema({
  audit: defineTable({
    op: v.string(),
    orderId: v.optional(v.string()),
    item: v.optional(v.string()),
    qty: v.optional(v.number()),
    note: v.optional(v.string()),
  }).index("by_order", ["orderId"]),
});

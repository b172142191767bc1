// actions calling functions (sql/action_calls.sql)
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  ac_items: defineTable({ name: v.string() }),
});

// schema.js -- the tables bench.js uses once ctx.db exists. They mirror the SQL
// tables of bench/pl-baselines.sh: kv(k, v) with an index on k, ins_t(k, v), big(k, v).
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  kv: defineTable({ k: v.number(), v: v.string() }).index("by_k", ["k"]),
  ins_t: defineTable({ k: v.number(), v: v.string() }),
  big: defineTable({ k: v.number(), v: v.string() }).index("by_k", ["k"]),
});

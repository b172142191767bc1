import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({ sa_things: defineTable({ name: v.string() }), sa_log: defineTable({ n: v.number() }) });

// A schema whose field name holds a NUL character (sql/reliability.sql).
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({ nul: defineTable({ ["a\u0000b"]: v.string() }) });

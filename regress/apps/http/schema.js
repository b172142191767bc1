import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  http_notes: defineTable({ body: v.string() }),
  webhook_events: defineTable({ eventId: v.string(), type: v.string() }),
});

import { query, mutation } from "./_generated/server";
import { v } from "convex/values";

export const add = mutation({ args: { body: v.string() }, handler: async (ctx, { body }) => ctx.db.insert("http_notes", { body }) });
export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("http_notes").collect()).length });
export const recordEvent = mutation({
  args: { eventId: v.string(), type: v.string() },
  handler: async (ctx, args) => ctx.db.insert("webhook_events", args),
});

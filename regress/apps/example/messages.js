import { v } from "convex/values";
import { query, mutation } from "./_generated/server";

// messages:send {author, body} -> the new message's id
export const send = mutation({
  args: { author: v.string(), body: v.string(), score: v.optional(v.number()) },
  handler: async (ctx, message) => await ctx.db.insert("messages", message),
});

// messages:list -> every message, oldest first
export const list = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("messages").collect(),
});

// messages:latest {n} -> the n newest bodies
export const latest = query({
  args: { n: v.number() },
  handler: async (ctx, { n }) =>
    (await ctx.db.query("messages").order("desc").take(n)).map((m) => m.body),
});

// messages:byAuthor {author} -> that author's bodies, through the index
export const byAuthor = query({
  args: { author: v.string() },
  handler: async (ctx, { author }) =>
    (await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", author)).collect())
      .map((m) => m.body),
});

// messages:edit {id, body} -> patches one field, returns the document
export const edit = mutation({
  args: { id: v.id("messages"), body: v.string() },
  handler: async (ctx, { id, body }) => {
    await ctx.db.patch(id, { body });
    return await ctx.db.get(id);
  },
});

// messages:shout {id} -> read-modify-write: appends "!" to the body
export const shout = mutation({
  args: { id: v.id("messages") },
  handler: async (ctx, { id }) => {
    const message = await ctx.db.get(id);
    await ctx.db.patch(id, { body: message.body + "!" });
  },
});

// messages:remove {id}
export const remove = mutation({
  args: { id: v.id("messages") },
  handler: async (ctx, { id }) => await ctx.db.delete(id),
});

// messages:count
export const count = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").count() });

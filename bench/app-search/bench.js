// bench/search.sh: one search per call; each returns only a count so the
// figures are the search, not the shipping of results.
import { v } from "convex/values";
import { query, action } from "./_generated/server";

export const search = query({
  args: { text: v.string(), take: v.number(), channel: v.optional(v.string()) },
  handler: async (ctx, { text, take, channel }) =>
    (
      await ctx.db
        .query("posts")
        .withSearchIndex("search_body", (q) => (channel ? q.search("body", text).eq("channel", channel) : q.search("body", text)))
        .take(take)
    ).length,
});

export const page = query({
  args: { text: v.string() },
  handler: async (ctx, { text }) =>
    (await ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", text)).paginate({ numItems: 20, cursor: null })).page.length,
});

export const similar = action({
  args: { vector: v.array(v.float64()), limit: v.number(), kind: v.optional(v.string()) },
  handler: async (ctx, { vector, limit, kind }) =>
    (await ctx.vectorSearch("embeddings", "by_embedding", { vector, limit, filter: kind ? (q) => q.eq("kind", kind) : undefined })).length,
});

// db_collation.sql: order(), withIndex ranges, filters and pages on strings.
import { v } from "convex/values";
import { query, mutation } from "./_generated/server";

export const add = mutation({
  args: { w: v.string() },
  handler: (ctx, { w }) => ctx.db.insert("words", { w, note: w, any: w }),
});

// the words in an index's order, both ways
export const ordered = query({
  args: { index: v.string(), desc: v.optional(v.boolean()) },
  handler: async (ctx, { index, desc }) =>
    (await ctx.db.query("words").withIndex(index).order(desc ? "desc" : "asc").collect()).map((d) => d.w),
});

// withIndex("by_w", q => q.gt("w", lo).lt("w", hi))
export const between = query({
  args: { lo: v.string(), hi: v.string() },
  handler: async (ctx, { lo, hi }) =>
    (await ctx.db.query("words").withIndex("by_w", (q) => q.gt("w", lo).lt("w", hi)).collect()).map((d) => d.w),
});

// filter(q => q.lt(q.field(field), s)) over the whole table
export const below = query({
  args: { field: v.string(), s: v.string() },
  handler: async (ctx, { field, s }) =>
    (await ctx.db.query("words").filter((q) => q.lt(q.field(field), s)).collect()).map((d) => d.w).sort(),
});

// a page of 2 through the index
export const page = query({
  args: { cursor: v.union(v.string(), v.null()) },
  handler: async (ctx, { cursor }) => {
    const r = await ctx.db.query("words").withIndex("by_w").paginate({ numItems: 2, cursor });
    return { words: r.page.map((d) => d.w), isDone: r.isDone, cursor: r.continueCursor };
  },
});

export const search = query({
  args: { text: v.string() },
  handler: async (ctx, { text }) =>
    (await ctx.db.query("words").withSearchIndex("search_w", (q) => q.search("w", text)).collect()).map((d) => d.w),
});

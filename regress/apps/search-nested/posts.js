// search_nested.sql: withSearchIndex and ctx.vectorSearch on nested paths.
import { v } from "convex/values";
import { query, mutation, action } from "./_generated/server";

export const add = mutation({
  args: { table: v.string(), doc: v.any() },
  handler: (ctx, { table, doc }) => ctx.db.insert(table, doc),
});

export const patch = mutation({
  args: { id: v.string(), fields: v.any() },
  handler: (ctx, { id, fields }) => ctx.db.patch(id, fields),
});

// the titles found: search field and text, eq filters as [[path, value]] ("$undefined" for undefined)
export const find = query({
  args: { table: v.string(), index: v.string(), field: v.string(), text: v.string(), eqs: v.optional(v.array(v.array(v.any()))) },
  handler: async (ctx, { table, index, field, text, eqs }) => {
    const docs = await ctx.db
      .query(table)
      .withSearchIndex(index, (q) => {
        let s = q.search(field, text);
        for (const [path, value] of eqs ?? []) s = s.eq(path, value === "$undefined" ? undefined : value);
        return s;
      })
      .collect();
    return docs.map((d) => d.title ?? d.text);
  },
});

export const page = query({
  args: { text: v.string(), numItems: v.number(), cursor: v.union(v.string(), v.null()) },
  handler: async (ctx, { text, numItems, cursor }) => {
    const r = await ctx.db
      .query("posts")
      .withSearchIndex("by_body", (q) => q.search("meta.body", text))
      .paginate({ numItems, cursor });
    return { titles: r.page.map((d) => d.title), isDone: r.isDone, cursor: r.continueCursor };
  },
});

// the titles of the vector search's results, with their scores
export const similar = action({
  args: { table: v.string(), index: v.string(), vector: v.array(v.float64()), eq: v.optional(v.array(v.any())), limit: v.optional(v.number()) },
  handler: async (ctx, { table, index, vector, eq, limit }) => {
    const results = await ctx.vectorSearch(table, index, {
      vector,
      limit,
      filter: eq === undefined ? undefined : (q) => q.eq(eq[0], eq[1]),
    });
    const titles = await ctx.runQuery("posts:titles", { ids: results.map((r) => r._id) });
    return results.map((r, i) => [titles[i], Math.round(r._score * 1e6) / 1e6]);
  },
});

export const titles = query({
  args: { ids: v.array(v.string()) },
  handler: async (ctx, { ids }) => Promise.all(ids.map(async (id) => (await ctx.db.get(id))?.title)),
});

export const keys = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) => (await ctx.db.query(table).first()) && Object.keys(await ctx.db.query(table).first()).sort(),
});

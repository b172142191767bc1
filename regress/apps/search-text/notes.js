// search_text.sql: withSearchIndex with Convex's semantics (terms, prefix,
// relevance order, eq filters, .filter(), 1024 candidates, paginate).
import { v } from "convex/values";
import { query, mutation } from "./_generated/server";

export const add = mutation({
  args: { body: v.string(), channel: v.string(), tag: v.optional(v.union(v.string(), v.null())), n: v.optional(v.number()) },
  handler: (ctx, doc) => ctx.db.insert("notes", doc),
});

export const addMany = mutation({
  args: { body: v.string(), count: v.number() },
  handler: async (ctx, { body, count }) => {
    for (let i = 0; i < count; i++) await ctx.db.insert("notes", { body, channel: "bulk", n: i });
  },
});

// the bodies found for text, narrowed by channel and tag ("missing" for q.eq("tag", undefined))
export const find = query({
  args: { text: v.string(), channel: v.optional(v.string()), tag: v.optional(v.union(v.string(), v.null())) },
  handler: async (ctx, { text, channel, tag }) => {
    const docs = await ctx.db
      .query("notes")
      .withSearchIndex("search_body", (q) => {
        let s = q.search("body", text);
        if (channel !== undefined) s = s.eq("channel", channel);
        if (tag === "missing") s = s.eq("tag", undefined);
        else if (tag !== undefined) s = s.eq("tag", tag);
        return s;
      })
      .collect();
    return docs.map((d) => d.body);
  },
});

// documents carry their fields only: the search column stays hidden
export const firstDoc = query({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    const d = await ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", text)).first();
    return d && Object.keys(d).sort();
  },
});

// .filter() applies to the candidates; take(n) stops early
export const findWhere = query({
  args: { text: v.string(), minN: v.number(), take: v.number() },
  handler: async (ctx, { text, minN, take }) => {
    const docs = await ctx.db
      .query("notes")
      .withSearchIndex("search_body", (q) => q.search("body", text))
      .filter((q) => q.gte(q.field("n"), minN))
      .take(take);
    return docs.map((d) => d.n);
  },
});

export const count = query({
  args: { text: v.string(), take: v.optional(v.number()) },
  handler: async (ctx, { text, take }) => {
    const q = ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", text));
    return (take === undefined ? await q.collect() : await q.take(take)).length;
  },
});

export const page = query({
  args: { text: v.string(), numItems: v.number(), cursor: v.union(v.string(), v.null()), endCursor: v.optional(v.string()) },
  handler: async (ctx, { text, numItems, cursor, endCursor }) => {
    const r = await ctx.db
      .query("notes")
      .withSearchIndex("search_body", (q) => q.search("body", text))
      .paginate({ numItems, cursor, endCursor });
    return { bodies: r.page.map((d) => d.body), isDone: r.isDone, cursor: r.continueCursor };
  },
});

// a mutation's search sees its own writes
export const addAndFind = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    await ctx.db.insert("notes", { body, channel: "own" });
    const docs = await ctx.db
      .query("notes")
      .withSearchIndex("search_body", (q) => q.search("body", body).eq("channel", "own"))
      .collect();
    return docs.map((d) => d.body);
  },
});

// bad inputs
export const wrongField = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("channel", "x")).collect());
export const twoSearches = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", "x").search("body", "y")).collect());
export const notAFilterField = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", "x").eq("n", 1)).collect());
export const tooManyEqs = query(async (ctx) =>
  ctx.db
    .query("notes")
    .withSearchIndex("search_body", (q) => {
      let s = q.search("body", "x");
      for (let i = 0; i < 9; i++) s = s.eq("channel", "a");
      return s;
    })
    .collect());
export const noSuchIndex = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_nope", (q) => q.search("body", "x")).collect());
export const ordered = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", "x")).order("desc").collect());
export const noSearch = query(async (ctx) =>
  ctx.db.query("notes").withSearchIndex("search_body", (q) => q.eq("channel", "a")).collect());
export const twoPages = query(async (ctx) => {
  await ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", "x")).paginate({ numItems: 1, cursor: null });
  return ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", "x")).paginate({ numItems: 1, cursor: null });
});

// patch, replace and delete keep the search column current within the mutation
export const rewrite = mutation(async (ctx) => {
  const find = async (text) =>
    (await ctx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", text)).collect()).map((d) => d.body);
  const id = await ctx.db.insert("notes", { body: "first draft", channel: "rw" });
  await ctx.db.patch(id, { body: "patched draft" });
  const patched = await find("patched");
  await ctx.db.replace(id, { body: "replaced copy", channel: "rw" });
  const replaced = [await find("replaced"), await find("patched")];
  await ctx.db.delete(id);
  return { patched, replaced, deleted: await find("replaced") };
});

// db_paginate.sql (over regress/apps/example): paginate() with a filter and an index, twice in one call, numItems 0
import { v } from 'convex/values';
import { paginationOptsValidator } from 'convex/server';
import { query, mutation } from './_generated/server';
export const page = query({
  args: { paginationOpts: paginationOptsValidator, author: v.optional(v.string()) },
  handler: async (ctx, { paginationOpts, author }) => {
    const q =
      author === undefined
        ? ctx.db.query('messages')
        : ctx.db.query('messages').withIndex('by_author_score', (r) => r.eq('author', author));
    const r = await q.filter((f) => f.neq(f.field('body'), 'skip me')).paginate(paginationOpts);
    return {
      bodies: r.page.map((m) => m.body),
      isDone: r.isDone,
      cursor: r.continueCursor,
      pageStatus: r.pageStatus ?? null,
      split: typeof r.splitCursor,
    };
  },
});
export const twice = query(async (ctx) => {
  await ctx.db.query('messages').paginate({ numItems: 1, cursor: null });
  return ctx.db.query('messages').paginate({ numItems: 1, cursor: null });
});
export const zero = query(async (ctx) =>
  ctx.db.query('messages').paginate({ numItems: 0, cursor: null }),
);
export const removeBody = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    for (const m of await ctx.db
      .query('messages')
      .filter((f) => f.eq(f.field('body'), body))
      .collect())
      await ctx.db.delete(m._id);
  },
});

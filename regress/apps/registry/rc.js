// sql/registry_cache.sql: table numbers a rolled-back (sub)transaction assigned are not remembered
import { v } from 'convex/values';
import { mutation, query, internalMutation } from './_generated/server';
import { internal } from './_generated/api';
export const add = mutation({ args: { t: v.string() }, handler: (ctx, { t }) => ctx.db.insert(t, { n: 1 }) });
export const get = query({ args: { id: v.string() }, handler: async (ctx, { id }) => (await ctx.db.get(id))?.n ?? 'missing' });
export const addThenThrow = internalMutation({
  args: { t: v.string() },
  handler: async (ctx, { t }) => {
    await ctx.db.insert(t, { n: 1 });
    throw new Error('undo');
  },
});
// a nested mutation makes (and numbers) a table, then fails; the caller makes it again
export const afterUndone = mutation({
  args: { t: v.string() },
  handler: async (ctx, { t }) => {
    try {
      await ctx.runMutation(internal.rc.addThenThrow, { t });
    } catch {}
    const id = await ctx.db.insert(t, { n: 2 });
    return (await ctx.db.get(id))?.n;
  },
});

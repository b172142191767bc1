// db_transactions.sql (over regress/apps/example): nested mutations as savepoints, read-only and serializable transactions, SQL errors
import { v } from 'convex/values';
import { query, mutation, internalMutation } from './_generated/server';
import { api, internal } from './_generated/api';
export const add = internalMutation({
  args: { body: v.string(), fail: v.optional(v.boolean()) },
  handler: async (ctx, { body, fail }) => {
    await ctx.db.insert('messages', { author: 'tx', body });
    if (fail) throw new Error('child ' + body + ' failed');
  },
});
export const bodies = query(async (ctx) =>
  (
    await ctx.db
      .query('messages')
      .withIndex('by_author', (q) => q.eq('author', 'tx'))
      .collect()
  ).map((m) => m.body),
);
// #11: a child that throws is rolled back alone; the parent goes on
export const childRollback = mutation(async (ctx) => {
  await ctx.db.insert('messages', { author: 'tx', body: 'A' });
  try {
    await ctx.runMutation(internal.tx.add, { body: 'B', fail: true });
  } catch (e) {}
  await ctx.db.insert('messages', { author: 'tx', body: 'C' });
  return await ctx.runQuery(api.tx.bodies, {});
});
// #12: the parent throws after a child committed into it: nothing persists
export const parentThrows = mutation(async (ctx) => {
  await ctx.runMutation(internal.tx.add, { body: 'D' });
  await ctx.runMutation(internal.tx.add, { body: 'E', fail: true });
});
// #13: a child sees the parent's pending writes
export const childSees = mutation(async (ctx) => {
  await ctx.db.insert('messages', { author: 'tx', body: 'F' });
  return await ctx.runQuery(api.tx.bodies, {});
});
export const clear = mutation(async (ctx) => {
  for (const m of await ctx.db
    .query('messages')
    .withIndex('by_author', (q) => q.eq('author', 'tx'))
    .collect())
    await ctx.db.delete(m._id);
});
export const sqlError = mutation(async (ctx) => {
  try {
    await ctx.db.insert('messages', { author: 'tx', body: 'x'.repeat(10), score: 1e400 });
    return 'no error';
  } catch (e) {
    return { message: e.message, code: e.code ?? null, hasDetail: typeof e.detail };
  }
});
export const uniqueViolation = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    try {
      await ctx.db.insert('kv_unique', { k: 1 });
      await ctx.db.insert('kv_unique', { k: 1 });
    } catch (e) {
      return { message: e.message, code: e.code, detail: e.detail };
    }
  },
});
export const uncaughtUnique = mutation(async (ctx) => {
  await ctx.db.insert('kv_unique', { k: 2 });
  await ctx.db.insert('kv_unique', { k: 2 });
});

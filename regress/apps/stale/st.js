// runQuery(..., {useStaleSnapshot: true}) sees the database as the mutation found it (sql/stale_snapshot.sql)
import { v } from 'convex/values';
import { query, mutation, internalMutation } from './_generated/server';
import { api, internal } from './_generated/api';

export const names = query({ args: {}, handler: async (ctx) => (await ctx.db.query('st_items').collect()).map((d) => `${d.name}=${d.n}`).sort() });
export const byName = query({ args: { name: v.string() }, handler: async (ctx, { name }) => (await ctx.db.query('st_items').withIndex('by_name', (q) => q.eq('name', name)).first())?.n ?? null });
export const seed = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert('st_items', { name: 'a', n: 1 }); await ctx.db.insert('st_items', { name: 'b', n: 1 }); } });

// insert, patch and delete, then read both ways
export const change = mutation({
  args: {},
  handler: async (ctx) => {
    const a = await ctx.db.query('st_items').withIndex('by_name', (q) => q.eq('name', 'a')).unique();
    const b = await ctx.db.query('st_items').withIndex('by_name', (q) => q.eq('name', 'b')).unique();
    await ctx.db.insert('st_items', { name: 'c', n: 1 });
    await ctx.db.patch(a._id, { n: 2 });
    await ctx.db.delete(b._id);
    await ctx.runMutation(internal.st.nestedInsert, {});
    return {
      fresh: await ctx.runQuery(api.st.names, {}),
      stale: await ctx.runQuery(api.st.names, {}, { useStaleSnapshot: true }),
      staleIndexed: await ctx.runQuery(api.st.byName, { name: 'a' }, { useStaleSnapshot: true }),
      freshAgain: await ctx.runQuery(api.st.byName, { name: 'a' }),
      fromNested: await ctx.runMutation(internal.st.staleFromNested, {}),
    };
  },
});
export const nestedInsert = internalMutation({ args: {}, handler: (ctx) => ctx.db.insert('st_items', { name: 'd', n: 1 }) });
// a nested mutation's stale read also hides what the outer mutation wrote
export const staleFromNested = internalMutation({ args: {}, handler: (ctx) => ctx.runQuery(api.st.names, {}, { useStaleSnapshot: true }) });
// queries have no stale snapshot
export const fromQuery = query({ args: {}, handler: (ctx) => ctx.runQuery(api.st.names, {}, { useStaleSnapshot: true }) });
export const fromQueryRaw = query({
  args: {},
  handler: () => Convex.asyncSyscall('1.0/runUdf', JSON.stringify({ udfType: 'snapshotQuery', name: 'st:names', args: {} })),
});

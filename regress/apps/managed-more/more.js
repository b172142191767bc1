// db_managed.sql (over regress/apps/example): built-in indexes, id-only get on an ordinary table, null versus missing
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';
export const builtin = query(async (ctx) => {
  const all = await ctx.db.query('messages').withIndex('by_creation_time').collect();
  const t = all[1]._creationTime;
  return {
    upToSecond: (
      await ctx.db
        .query('messages')
        .withIndex('by_creation_time', (q) => q.lte('_creationTime', t))
        .collect()
    ).length,
    byId: (
      await ctx.db
        .query('messages')
        .withIndex('by_id', (q) => q.eq('_id', all[0]._id))
        .collect()
    ).length,
    idInCreationIndex: await ctx.db
      .query('messages')
      .withIndex('by_creation_time', (q) => q.eq('_id', all[0]._id))
      .collect()
      .then(
        () => 'no error',
        (e) => e.message.split(':')[0],
      ),
  };
});
export const idOnlyOrdinary = query(async (ctx) => ctx.db.get('1'));
export const nulls = mutation(async (ctx) => {
  const a = await ctx.db.insert('flex', { v: null });
  const b = await ctx.db.insert('flex', {});
  const [da, db] = [await ctx.db.get(a), await ctx.db.get(b)];
  return {
    explicitNull: 'v' in da && da.v === null,
    missing: !('v' in db),
    eqNull: (
      await ctx.db
        .query('flex')
        .filter((q) => q.eq(q.field('v'), null))
        .collect()
    ).length,
    eqUndefined: (
      await ctx.db
        .query('flex')
        .filter((q) => q.eq(q.field('v'), undefined))
        .collect()
    ).length,
  };
});

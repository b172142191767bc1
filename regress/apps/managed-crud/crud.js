// db_managed.sql (over regress/apps/example): get, replace, patch, delete and insert semantics on a managed table
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';
export const replace = mutation({
  args: { id: v.id('messages') },
  handler: async (ctx, { id }) => {
    const before = await ctx.db.get(id);
    await ctx.db.replace(id, { author: 'michal', body: 'hi' });
    const after = await ctx.db.get(id);
    return {
      fields: Object.keys(after).sort(),
      sameId: after._id === before._id,
      sameTime: after._creationTime === before._creationTime,
    };
  },
});
export const patchUndefined = mutation({
  args: { id: v.id('messages') },
  handler: async (ctx, { id }) => {
    await ctx.db.patch(id, { score: 5 });
    const a = (await ctx.db.get(id)).score;
    await ctx.db.patch(id, { score: undefined });
    const b = await ctx.db.get(id);
    return { before: a, after: b.score === undefined, has: 'score' in b };
  },
});
export const patchSameId = mutation({
  args: { id: v.id('messages') },
  handler: async (ctx, { id }) => {
    await ctx.db.patch(id, { _id: id });
    return 'ok';
  },
});
export const patchOtherId = mutation({
  args: { id: v.id('messages') },
  handler: async (ctx, { id }) => {
    try {
      await ctx.db.patch(id, { _id: 'nonsense' });
      return 'no error';
    } catch (e) {
      return e.message.replace(id, '<id>');
    }
  },
});
export const insertThenPatchThenQuery = mutation(async (ctx) => {
  const id = await ctx.db.insert('messages', { author: 'x', body: 'a' });
  await ctx.db.patch(id, { body: 'patched' });
  return (
    await ctx.db
      .query('messages')
      .filter((q) => q.eq(q.field('_id'), id))
      .first()
  ).body;
});
export const deleteVisible = mutation(async (ctx) => {
  const id = await ctx.db.insert('messages', { author: 'ghost', body: 'boo' });
  await ctx.db.delete(id);
  return {
    get: await ctx.db.get(id),
    first: await ctx.db
      .query('messages')
      .withIndex('by_author', (q) => q.eq('author', 'ghost'))
      .first(),
  };
});
export const throws = mutation(async (ctx) => {
  await ctx.db.insert('messages', { author: 'tx', body: 'never' });
  throw new Error('I changed my mind');
});
export const creationOrder = mutation(async (ctx) => {
  const ids = [];
  for (let i = 0; i < 3; i++)
    ids.push(await ctx.db.insert('messages', { author: 'order', body: String(i) }));
  const docs = await Promise.all(ids.map((id) => ctx.db.get(id)));
  return docs.every((d, i) => i === 0 || d._creationTime > docs[i - 1]._creationTime);
});
export const wrongTable = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.db.get('orders_elsewhere', id),
});
export const normalize = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => [
    ctx.db.normalizeId('messages', id),
    ctx.db.normalizeId('messages', 'Not an ID'),
  ],
});
export const badType = mutation(async (ctx) =>
  ctx.db.insert('messages', { author: false, body: 'x' }),
);
export const extraField = mutation(async (ctx) =>
  ctx.db.insert('messages', { author: 'a', body: 'b', colour: 'red' }),
);
export const underscore = mutation(async (ctx) =>
  ctx.db.insert('messages', { author: 'a', body: 'b', _secret: 1 }),
);
export const ranges = query(async (ctx) => ({
  gt: (
    await ctx.db
      .query('messages')
      .withIndex('by_author_score', (q) => q.eq('author', 's').gt('score', 1))
      .collect()
  ).map((m) => m.score),
  lte: (
    await ctx.db
      .query('messages')
      .withIndex('by_author_score', (q) => q.eq('author', 's').lte('score', 2))
      .collect()
  ).map((m) => m.score ?? 'missing'),
  eqUndefined: (
    await ctx.db
      .query('messages')
      .withIndex('by_author_score', (q) => q.eq('author', 's').eq('score', undefined))
      .collect()
  ).length,
  desc: (
    await ctx.db
      .query('messages')
      .withIndex('by_author_score', (q) => q.eq('author', 's'))
      .order('desc')
      .collect()
  ).map((m) => m.score ?? 'missing'),
  eqOrder: (
    await ctx.db
      .query('messages')
      .withIndex('by_author_score', (q) => q.eq('score', 3).eq('author', 's'))
      .collect()
  ).length,
}));
export const rangeErrors = query(async (ctx) => {
  const errs = [];
  for (const f of [
    (q) => q.eq('body', 'x'),
    (q) => q.gt('score', 1),
    (q) => q.eq('author', 's').gt('score', 1).gt('score', 2),
  ]) {
    try {
      await ctx.db.query('messages').withIndex('by_author_score', f).collect();
      errs.push('no error');
    } catch (e) {
      errs.push(e.message.split(':')[0]);
    }
  }
  return errs;
});
export const filters = query(async (ctx) => {
  const bodies = async (f) =>
    (
      await ctx.db
        .query('messages')
        .withIndex('by_author', (q) => q.eq('author', 's'))
        .filter(f)
        .collect()
    ).map((m) => m.score ?? 'missing');
  return {
    lt2: await bodies((q) => q.lt(q.field('score'), 2)),
    eqUndefined: await bodies((q) => q.eq(q.field('score'), undefined)),
    orNot: await bodies((q) => q.or(q.eq(q.field('score'), 1), q.not(q.gte(q.field('score'), 2)))),
    arith: await bodies((q) => q.eq(q.mod(q.mul(q.field('score'), 2), 4), 2)),
    typeOrder: await bodies((q) => q.lt(q.field('score'), 'a string')),
    int64VsFloat: await bodies((q) => q.eq(q.field('score'), 1n)),
  };
});

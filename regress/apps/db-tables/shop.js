// db_tables.sql: ctx.db on a plain table: reads, indexes, filters, writes, and refused misuse
import { query, mutation } from './_generated/server';
import { v } from 'convex/values';
export const all = query(async (ctx) => ctx.db.query('orders').collect());
export const get = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.db.get('orders', id),
});
export const apples = query(async (ctx) =>
  (
    await ctx.db
      .query('orders')
      .withIndex('orders_item', (q) => q.eq('item', 'apple').gt('qty', 2))
      .collect()
  ).map((o) => o.id),
);
export const desc = query(async (ctx) =>
  (await ctx.db.query('orders').order('desc').take(2)).map((o) => o.id),
);
export const cheap = query(async (ctx) =>
  (
    await ctx.db
      .query('orders')
      .filter((q) => q.and(q.lt(q.field('price'), 2), q.neq(q.field('item'), 'pear')))
      .collect()
  ).map((o) => o.id),
);
export const count = query(async (ctx) => ctx.db.query('orders').count());
export const add = mutation({
  args: { item: v.string(), qty: v.number() },
  handler: async (ctx, a) => ctx.db.insert('orders', a),
});
export const bump = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const o = await ctx.db.get('orders', id);
    await ctx.db.patch('orders', id, { qty: o.qty + 1 });
    return (await ctx.db.get('orders', id)).qty;
  },
});
export const del = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    await ctx.db.delete('orders', id);
    return await ctx.db.get('orders', id);
  },
});
export const replace = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    await ctx.db.replace('orders', id, { item: 'plum' });
    return ctx.db.get('orders', id);
  },
});
export const badWrite = query(async (ctx) => ctx.db.insert('orders', { item: 'x' }));
export const dup = mutation(async (ctx) => {
  try {
    await ctx.db.insert('orders', { id: 1, item: 'dup' });
  } catch (e) {
    return 'caught: ' + e.message;
  }
  return 'no error';
});
export const afterCatch = mutation(async (ctx) => {
  try {
    await ctx.db.insert('orders', { id: 1, item: 'dup' });
  } catch (e) {}
  return ctx.db.insert('orders', { item: 'after catch', qty: 1 });
});
export const first = query(async (ctx) => {
  for await (const o of ctx.db.query('orders')) return o.item;
  return null;
});
export const uniq = query(async (ctx) =>
  ctx.db
    .query('orders')
    .withIndex('orders_item', (q) => q.eq('item', 'apple'))
    .unique(),
);
export const missing = query(async (ctx) => ctx.db.get('orders', '999'));
export const noTable = query(async (ctx) => ctx.db.query('nope').collect());
export const noColumn = mutation(async (ctx) =>
  ctx.db.insert('orders', { item: 'x', colour: 'red' }),
);
export const wrongType = mutation(async (ctx) =>
  ctx.db.insert('orders', { item: 'x', qty: 'many' }),
);
export const badIndex = query(async (ctx) =>
  ctx.db
    .query('orders')
    .withIndex('orders_item', (q) => q.eq('qty', 1))
    .collect(),
);
export const noIndex = query(async (ctx) => ctx.db.query('orders').withIndex('nope').collect());
export const patchMissing = mutation(async (ctx) => ctx.db.patch('orders', '12345', { qty: 1 }));
export const injection = query(
  async (ctx) =>
    (
      await ctx.db
        .query('orders')
        .filter((q) => q.eq(q.field('item'), "x' OR '1'='1"))
        .collect()
    ).length,
);
export const sneakyWrite = query(async (ctx) =>
  Convex.asyncSyscall('1.0/insert', JSON.stringify({ table: 'orders', value: { item: 'sneaky' } })),
);
export const injectTable = query(async (ctx) =>
  ctx.db.query('orders; DROP TABLE orders').collect(),
);

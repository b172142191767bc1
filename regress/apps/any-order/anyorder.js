// db_any_order.sql: withIndex order and ranges on any-typed fields, and paginate over them
import { v } from 'convex/values';
import { paginationOptsValidator } from 'convex/server';
import { query, mutation } from './_generated/server';

// convex-test's "type ordering" values, and more within each type
export const seed = mutation({
  args: {},
  handler: async (ctx) => {
    const values = [
      ['object', { a: 1 }], ['array', ['a']], ['bytes', new Uint8Array([1, 2]).buffer], ['xFactor', 'xFactor'],
      ['stringValue', 'stringValue'], ['true', true], ['false', false], ['35', 35], ['34', 34], ['34n', 34n],
      ['null', null], ['missing', undefined],
      ['-5n', -5n], ['-Infinity', -Infinity], ['-0', -0], ['0', 0], ['NaN', NaN], ['ab', 'ab'], ['b', 'b'],
      ['[1]', [1]], ['[1,1n]', [1, 1n]], ['[1,2]', [1, 2]], ['{a:1,b:0}', { a: 1, b: 0 }], ['{b:0}', { b: 0 }],
    ];
    for (const [label, value] of values) await ctx.db.insert('anyvals', value === undefined ? { label } : { label, v: value });
    for (const [label, u] of [['s', 'str'], ['i', 7n], ['arr', [2]], ['none', undefined], ['i2', -1n]])
      await ctx.db.insert('mixed', u === undefined ? { label, group: 'g' } : { label, group: 'g', u });
  },
});

export const order = query({
  args: { dir: v.string() },
  handler: async (ctx, { dir }) =>
    (await ctx.db.query('anyvals').withIndex('by_v').order(dir).collect()).map((d) => d.label).join(' '),
});

// a range on the any-typed field: lower op lo, upper op hi (either may be left out)
export const range = query({
  args: { lower: v.optional(v.string()), lo: v.optional(v.any()), upper: v.optional(v.string()), hi: v.optional(v.any()) },
  handler: async (ctx, { lower, lo, upper, hi }) =>
    (
      await ctx.db
        .query('anyvals')
        .withIndex('by_v', (q) => {
          let r = q;
          if (lower) r = r[lower]('v', lo);
          if (upper) r = r[upper]('v', hi);
          return r;
        })
        .collect()
    )
      .map((d) => d.label)
      .join(' '),
});
export const eqUndefined = query({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.query('anyvals').withIndex('by_v', (q) => q.eq('v', undefined)).collect()).map((d) => d.label),
});
export const union = query({
  args: { dir: v.string() },
  handler: async (ctx, { dir }) =>
    (await ctx.db.query('mixed').withIndex('by_group_u', (q) => q.eq('group', 'g')).order(dir).collect()).map((d) => d.label).join(' '),
});
export const page = query({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) => {
    const r = await ctx.db.query('anyvals').withIndex('by_v').order('desc').paginate(paginationOpts);
    return { labels: r.page.map((d) => d.label).join(' '), isDone: r.isDone, cursor: r.continueCursor };
  },
});
// bad: a range on a field the index does not have; two lower bounds
export const notInIndex = query({
  args: {},
  handler: async (ctx) => ctx.db.query('anyvals').withIndex('by_v', (q) => q.eq('label', 'x')).collect(),
});
export const twoLower = query({
  args: {},
  handler: async (ctx) => ctx.db.query('anyvals').withIndex('by_v', (q) => q.gt('v', 1).gte('v', 2)).collect(),
});

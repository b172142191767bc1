// db_filter_paths.sql: filters on dotted field paths, in every comparison
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';

// the same documents for every table: meta missing, empty, partial, nested; extra of every type
const docs = [
  { title: 'a', meta: { color: 'red', size: 3, dims: { w: 1 } }, extra: { k: 1 } },
  { title: 'b', meta: { color: 'blue', size: 10 }, extra: { k: 'x' } },
  { title: 'c', meta: {}, extra: { k: 2n } },
  { title: 'd', extra: { k: null } },
  { title: 'e', meta: { color: 'red', size: 3.5 }, extra: 'scalar' },
  { title: 'f', meta: { size: 5 }, extra: [{ k: 1 }] },
];

export const seed = mutation({
  args: { table: v.string() },
  handler: async (ctx, { table }) => {
    for (const d of docs) await ctx.db.insert(table, d);
  },
});

// titles of the documents where `path op value` holds (undef: compare with undefined)
export const where = query({
  args: { table: v.string(), op: v.string(), path: v.string(), value: v.optional(v.any()), undef: v.optional(v.boolean()) },
  handler: async (ctx, { table, op, path, value, undef }) => {
    const rows = await ctx.db
      .query(table)
      .filter((q) => q[op](q.field(path), undef ? undefined : value))
      .collect();
    return rows.map((d) => d.title).join('');
  },
});

// the literal on the left: 5 > meta.size is meta.size < 5
export const literalFirst = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) =>
    (await ctx.db.query(table).filter((q) => q.gt(5, q.field('meta.size'))).collect()).map((d) => d.title).join(''),
});

// a dotted path combined with and/or/not
export const combined = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) =>
    (
      await ctx.db
        .query(table)
        .filter((q) =>
          q.or(q.and(q.eq(q.field('meta.color'), 'red'), q.not(q.eq(q.field('meta.dims.w'), 1))), q.gte(q.field('meta.size'), 10)),
        )
        .collect()
    )
      .map((d) => d.title)
      .join(''),
});

// arithmetic on a nested number: meta.size + 1 > 4 (rows without a number there do not match)
export const nestedArithmetic = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) =>
    (
      await ctx.db
        .query(table)
        .filter((q) => q.gt(q.add(q.field('meta.size'), 1), 4))
        .collect()
    )
      .map((d) => d.title)
      .join(''),
});

// bad: a dotted path used as a boolean; arithmetic on a string field
export const pathAsBoolean = query({
  args: {},
  handler: async (ctx) => ctx.db.query('notes').filter((q) => q.field('meta.color')).collect(),
});
export const stringArithmetic = query({
  args: {},
  handler: async (ctx) =>
    ctx.db
      .query('notes')
      .filter((q) => q.gt(q.add(q.field('title'), 1), 4))
      .collect(),
});

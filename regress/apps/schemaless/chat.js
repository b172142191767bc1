// db_schemaless.sql: an app without schema.js; its tables exist once a document is inserted
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';

export const list = query({
  args: { table: v.optional(v.string()) },
  handler: async (ctx, { table }) => ctx.db.query(table ?? 'chat').collect(),
});
export const count = query({ args: {}, handler: async (ctx) => ctx.db.query('chat').count() });
export const get = query({
  args: { table: v.string(), id: v.string() },
  handler: async (ctx, { table, id }) => ctx.db.get(table, id),
});
export const normalize = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.db.normalizeId('chat', id),
});
export const byCreation = query({
  args: {},
  handler: async (ctx) => ctx.db.query('chat').withIndex('by_creation_time').order('desc').take(5),
});
export const byAuthor = query({
  args: {},
  handler: async (ctx) => ctx.db.query('chat').withIndex('by_author', (q) => q.eq('author', 'x')).collect(),
});
export const page = query({
  args: {},
  handler: async (ctx) => ctx.db.query('chat').paginate({ numItems: 2, cursor: null }),
});
export const send = mutation({
  args: { author: v.string(), body: v.string(), table: v.optional(v.string()) },
  handler: async (ctx, { author, body, table }) => ctx.db.insert(table ?? 'chat', { author, body }),
});
// every Convex value round-trips through a table without a schema
export const allTypes = mutation({
  args: {},
  handler: async (ctx) => {
    const doc = {
      nul: null, big: 9007199254740993n, neg: -0, nan: NaN, inf: -Infinity, num: 1.5, t: true,
      s: 'ünïcödé', bytes: new Uint8Array([0, 1, 255]).buffer, arr: [1n, 'two', [3]], obj: { a: { b: null } },
    };
    const id = await ctx.db.insert('things', doc);
    const got = await ctx.db.get(id);
    const same = (a, b) =>
      typeof a === 'bigint' || typeof b === 'bigint' ? a === b
      : a instanceof ArrayBuffer ? [...new Uint8Array(a)].join() === [...new Uint8Array(b)].join()
      : typeof a === 'number' ? Object.is(a, b)
      : a !== null && typeof a === 'object' ? Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => same(a[k], b[k]))
      : a === b;
    return Object.keys(doc).filter((k) => !same(doc[k], got[k])).concat(typeof got._creationTime === 'number' && got._id === id ? [] : ['system']);
  },
});
// patch merges and removes, replace sets the whole document, delete removes
export const edits = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.db.insert('edits', { a: 1, b: 2, c: { d: 3 } });
    await ctx.db.patch(id, { b: undefined, c: { e: 4 }, f: 'new' });
    const patched = await ctx.db.get(id);
    await ctx.db.replace(id, { z: 26 });
    const replaced = await ctx.db.get(id);
    await ctx.db.delete(id);
    const { _id, _creationTime, ...p } = patched;
    const { _id: i2, _creationTime: c2, ...r } = replaced;
    return { patched: p, replaced: r, deleted: await ctx.db.get(id), sameCreation: _creationTime === c2 };
  },
});
// filters and order on fields of a table without a schema: Convex's total order
export const filtered = query({
  args: { op: v.string(), path: v.string(), value: v.any() },
  handler: async (ctx, { op, path, value }) =>
    (await ctx.db.query('things2').filter((q) => q[op](q.field(path), value)).collect()).map((d) => d.n),
});
export const seedThings2 = mutation({
  args: {},
  handler: async (ctx) => {
    for (const x of [{ n: 1, k: 5 }, { n: 2, k: 'five' }, { n: 3 }, { n: 4, k: 5n }, { n: 5, k: { deep: 1 } }, { n: 6, k: null }])
      await ctx.db.insert('things2', x);
  },
});
// bad: a system-field, a '$' field, an underscore field, a name that cannot be a table
export const badSystem = mutation({ args: {}, handler: async (ctx) => ctx.db.insert('bad1', { _id: 'x' }) });
export const badDollar = mutation({ args: {}, handler: async (ctx) => ctx.db.insert('bad2', { $a: 1 }) });
export const badUnderscore = mutation({ args: {}, handler: async (ctx) => ctx.db.insert('bad3', { _a: 1 }) });
export const badName = mutation({ args: {}, handler: async (ctx) => ctx.db.insert('no-dashes', { a: 1 }) });
export const insertThenThrow = mutation({
  args: {},
  handler: async (ctx) => {
    await ctx.db.insert('phantom', { a: 1 });
    throw new Error('after the insert');
  },
});
export const patchMissing = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    try {
      await ctx.db.patch('nowhere', id, { a: 1 });
      return 'patched';
    } catch (e) {
      return e.message.replace(id, '<id>');
    }
  },
});
// any document into any table
export const put = mutation({
  args: { table: v.string(), doc: v.any() },
  handler: async (ctx, { table, doc }) => {
    const id = await ctx.db.insert(table, doc);
    const { _id, _creationTime, ...fields } = await ctx.db.get(id);
    return fields;
  },
});

// db_types.sql: how each PostgreSQL column type reads into and writes from JavaScript
import { query, mutation } from './_generated/server';
import { v } from 'convex/values';
const describe = (x) =>
  x === null
    ? 'null'
    : x instanceof ArrayBuffer
      ? 'bytes:' + new Uint8Array(x).join(',')
      : typeof x === 'number'
        ? 'number:' + (Number.isNaN(x) ? 'NaN' : x)
        : typeof x === 'bigint'
          ? 'bigint:' + x
          : Array.isArray(x)
            ? 'array:' + JSON.stringify(x)
            : typeof x === 'object'
              ? 'object:' + JSON.stringify(x)
              : typeof x + ':' + x;
export const read = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const row = await ctx.db.get('typed', id);
    return Object.fromEntries(Object.entries(row).map(([k, x]) => [k, describe(x)]));
  },
});
export const write = mutation(async (ctx) =>
  ctx.db.insert('typed', {
    id: 3,
    b: false,
    i2: -2,
    i4: 2147483647,
    i8: 9007199254740993n,
    f4: 0.5,
    f8: -0,
    n: 0.1,
    t: 'héllo',
    vc: 'short',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12',
    d: '2000-01-01',
    ts: 0,
    tstz: 86400000,
    by: new Uint8Array([1, 2, 3]).buffer,
    j: { nested: [true] },
    jb: [1, 'two', null],
    ai: [4, 5],
    at: ['p', 'q'],
  }),
);
export const overflow = mutation(async (ctx) => ctx.db.insert('typed', { id: 4, i2: 70000 }));
export const badUuid = mutation(async (ctx) => ctx.db.insert('typed', { id: 5, u: 'not-a-uuid' }));
export const fraction = mutation(async (ctx) => ctx.db.insert('typed', { id: 6, i4: 1.5 }));

// a row of any table by id: the _id text of its key column, and its fields described
export const readFrom = query({
  args: { table: v.string(), id: v.string() },
  handler: async (ctx, { table, id }) => {
    const row = await ctx.db.get(table, id);
    return row && Object.fromEntries(Object.entries(row).map(([k, x]) => [k, describe(x)]));
  },
});

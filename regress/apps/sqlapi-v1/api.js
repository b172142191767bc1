// typed SQL functions from validators (sql/sql_api.sql), first deploy
import { v } from 'convex/values';
import { query, mutation, action, internalQuery } from './_generated/server';
export const greet = query({
  args: { name: v.string(), times: v.optional(v.number()), loud: v.optional(v.boolean()) },
  returns: v.string(),
  handler: (_ctx, { name, times, loud }) => {
    const s = `hello ${name}`.repeat(times ?? 1);
    return loud ? s.toUpperCase() : s;
  },
});
export const add = query({ args: { a: v.number(), b: v.number() }, returns: v.number(), handler: (_ctx, { a, b }) => a + b });
export const kinds = query({
  args: { i: v.int64(), raw: v.bytes(), doc: v.object({ x: v.array(v.number()) }), any: v.any(), id: v.id('sa_plain'), lit: v.literal('on'), maybe: v.optional(v.union(v.string(), v.null())) },
  handler: (_ctx, a) => ({ i: a.i + 1n, rawLen: a.raw.byteLength, sum: a.doc.x.reduce((p, c) => p + c, 0), any: a.any, id: a.id, lit: a.lit, maybe: a.maybe === undefined ? 'missing' : a.maybe }),
});
export const isEven = query({ args: { n: v.number() }, returns: v.boolean(), handler: (_ctx, { n }) => n % 2 === 0 });
export const none = query({ args: {}, handler: () => 'no args' });
export const noValidator = query((_ctx, a) => a);
export const hidden = internalQuery({ args: { x: v.number() }, handler: () => 1 });
export const write = mutation({ args: { n: v.number() }, handler: async (ctx, { n }) => { await ctx.db.insert('sa_log', { n }); return n; } });
export const act = action({ args: { s: v.string() }, returns: v.string(), handler: async (_ctx, { s }) => s + '!' });
export const gone = query({ args: { x: v.number() }, handler: () => 'still here' });

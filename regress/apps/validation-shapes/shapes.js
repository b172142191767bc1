// validation.sql: union, literal and record validators, no args validator, infinity, returns
import { query } from './_generated/server';
import { v } from 'convex/values';
export const u = query({
  args: { x: v.union(v.number(), v.string()) },
  handler: (ctx, { x }) => typeof x,
});
export const lit = query({
  args: { mode: v.union(v.literal('a'), v.literal(2n)) },
  handler: (ctx, { mode }) => String(mode),
});
export const rec = query({
  args: { r: v.record(v.string(), v.number()) },
  handler: (ctx, { r }) => Object.keys(r).length,
});
export const anything = query({ handler: (ctx, args) => Object.keys(args) });
export const inf = query({ args: { n: v.number() }, handler: (ctx, { n }) => n });
export const ret = query({
  args: {},
  returns: v.object({ a: v.optional(v.string()) }),
  handler: () => ({ a: undefined }),
});

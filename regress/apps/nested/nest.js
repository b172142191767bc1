// nested.sql: ctx.runQuery / ctx.runMutation by reference and by name, errors and logs across calls
import { query, mutation, internalQuery, internalMutation } from './_generated/server';
import { api, internal } from './_generated/api';
import { v, ConvexError } from 'convex/values';
export const secret = internalQuery({
  args: { x: v.number() },
  handler: (ctx, { x }) => ({ doubled: x * 2, t: Date.now() }),
});
export const outer = query(async (ctx) => {
  const r = await ctx.runQuery(internal.nest.secret, { x: 21 });
  return { doubled: r.doubled, sameClock: r.t === Date.now() };
});
export const byName = query(async (ctx) =>
  ctx.runQuery('nest:secret', { x: 1 }).then((r) => r.doubled),
);
export const recurse = query({
  args: { n: v.number() },
  handler: async (ctx, { n }) =>
    n === 0 ? 0 : 1 + (await ctx.runQuery(api.nest.recurse, { n: n - 1 })),
});
export const fails = query(() => {
  throw new ConvexError({ why: 'inner', code: 7n });
});
export const catches = query(async (ctx) => {
  try {
    await ctx.runQuery(api.nest.fails, {});
  } catch (e) {
    return { name: e.name, isConvexError: e instanceof ConvexError, data: e.data };
  }
});
export const propagates = query(async (ctx) => ctx.runQuery(api.nest.fails, {}));
export const plainFail = query(() => {
  throw new Error('plain inner');
});
export const catchesPlain = query(async (ctx) => {
  try {
    await ctx.runQuery(api.nest.plainFail, {});
  } catch (e) {
    return { name: e.name, message: e.message };
  }
});
export const badArgs = query(async (ctx) => ctx.runQuery(internal.nest.secret, { x: 'no' }));
export const wrongKind = mutation(async (ctx) => ctx.runMutation(internal.nest.secret, { x: 1 }));
export const missing = query(async (ctx) => ctx.runQuery('nest:nothere', {}));
export const missingModule = query(async (ctx) => ctx.runQuery('elsewhere:fn', {}));
export const logs = query(async (ctx) => {
  console.log('outer');
  await ctx.runQuery(api.nest.inner, {});
  console.log('outer again');
  return null;
});
export const inner = query(() => {
  console.log('inner');
  return Math.random() < 1;
});
export const stale = mutation(async (ctx) =>
  ctx.runQuery(api.nest.inner, {}, { useStaleSnapshot: true }),
);
export const bump = internalMutation({
  args: { by: v.number() },
  handler: (ctx, { by }) => by + 1,
});
export const viaMutation = mutation(async (ctx) => ctx.runMutation(internal.nest.bump, { by: 41 }));
export const randoms = query(async (ctx) => {
  const a = await ctx.runQuery(api.nest.rand, {});
  const b = await ctx.runQuery(api.nest.rand, {});
  return a !== b;
});
export const rand = query(() => Math.random());

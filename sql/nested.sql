-- ctx.runQuery / ctx.runMutation inside queries and mutations: same
-- transaction and context, internal functions allowed, ConvexError data
-- preserved, nesting bounded by udf.max_call_depth.
SELECT udf_deploy($${"nest.js": "import { query, mutation, internalQuery, internalMutation } from './_generated/server';\nimport { api, internal } from './_generated/api';\nimport { v, ConvexError } from 'convex/values';\nexport const secret = internalQuery({ args: { x: v.number() }, handler: (ctx, { x }) => ({ doubled: x * 2, t: Date.now() }) });\nexport const outer = query(async (ctx) => { const r = await ctx.runQuery(internal.nest.secret, { x: 21 }); return { doubled: r.doubled, sameClock: r.t === Date.now() }; });\nexport const byName = query(async (ctx) => ctx.runQuery('nest:secret', { x: 1 }).then((r) => r.doubled));\nexport const recurse = query({ args: { n: v.number() }, handler: async (ctx, { n }) => n === 0 ? 0 : 1 + await ctx.runQuery(api.nest.recurse, { n: n - 1 }) });\nexport const fails = query(() => { throw new ConvexError({ why: 'inner', code: 7n }); });\nexport const catches = query(async (ctx) => { try { await ctx.runQuery(api.nest.fails, {}); } catch (e) { return { name: e.name, isConvexError: e instanceof ConvexError, data: e.data }; } });\nexport const propagates = query(async (ctx) => ctx.runQuery(api.nest.fails, {}));\nexport const plainFail = query(() => { throw new Error('plain inner'); });\nexport const catchesPlain = query(async (ctx) => { try { await ctx.runQuery(api.nest.plainFail, {}); } catch (e) { return { name: e.name, message: e.message }; } });\nexport const badArgs = query(async (ctx) => ctx.runQuery(internal.nest.secret, { x: 'no' }));\nexport const wrongKind = mutation(async (ctx) => ctx.runMutation(internal.nest.secret, { x: 1 }));\nexport const missing = query(async (ctx) => ctx.runQuery('nest:nothere', {}));\nexport const missingModule = query(async (ctx) => ctx.runQuery('elsewhere:fn', {}));\nexport const logs = query(async (ctx) => { console.log('outer'); await ctx.runQuery(api.nest.inner, {}); console.log('outer again'); return null; });\nexport const inner = query(() => { console.log('inner'); return Math.random() < 1; });\nexport const stale = mutation(async (ctx) => ctx.runQuery(api.nest.inner, {}, { useStaleSnapshot: true }));\nexport const bump = internalMutation({ args: { by: v.number() }, handler: (ctx, { by }) => by + 1 });\nexport const viaMutation = mutation(async (ctx) => ctx.runMutation(internal.nest.bump, { by: 41 }));\nexport const randoms = query(async (ctx) => { const a = await ctx.runQuery(api.nest.rand, {}); const b = await ctx.runQuery(api.nest.rand, {}); return a !== b; });\nexport const rand = query(() => Math.random());"}$$)->'modules';

SELECT udf_invoke('nest:outer');
SELECT udf_invoke('nest:byName');
SELECT udf_invoke('nest:viaMutation');
-- nested calls see fresh randomness from the caller's PRNG
SELECT udf_invoke('nest:randoms');
-- console lines name the function that wrote them
SELECT udf_invoke('nest:logs');

-- errors cross the boundary: ConvexError keeps its data, others their message
SELECT udf_invoke('nest:catches');
SELECT udf_invoke('nest:catchesPlain');
SELECT udf_invoke('nest:propagates');
SELECT udf_invoke('nest:badArgs');
SELECT udf_invoke('nest:wrongKind');
SELECT udf_invoke('nest:missing');
SELECT udf_invoke('nest:missingModule');
SELECT udf_invoke('nest:stale');

-- nesting is bounded: 8 nested calls under the top-level one, then an error
SELECT udf_invoke('nest:recurse', '{"n": 8}');
SELECT udf_invoke('nest:recurse', '{"n": 9}');
SET udf.max_call_depth = 2;
SELECT udf_invoke('nest:recurse', '{"n": 2}');
SELECT udf_invoke('nest:recurse', '{"n": 3}');
RESET udf.max_call_depth;

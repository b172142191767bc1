// bench.js -- the udf side of bench/pl-baselines.sh (see bench/udf-extra.sh).
// Each function mirrors one workload of the PL baselines and uses the same ordinary SQL
// tables the other languages use (kv, docs, ins_t, big; no schema.js, so no managed
// tables): ctx.db addresses them by name, a row's _id is its primary key as text.
//   inc      (a) trivial call            {x} -> {r: x + 1}
//   incn     (a) the same through the typed SQL function deploy makes: x -> x + 1
//   kv       (b) indexed lookup per call {i} -> {v} of kv row k = i % 10000 + 1
//                (ctx.db.get by primary key; kv's primary key is k)
//   doc      (c) jsonb round trip        body object -> same object with n + 1
//   ins      (d) insert loop             {n} -> n ctx.db.insert("ins_t", {k, v}) in one
//                mutation, returns {n}
//   collect  (f) read rows               {} -> {count} of ctx.db.query("big").collect(),
//                i.e. every row (k, v) of big as JS objects
import { query, mutation } from "./_generated/server";
import { v } from "convex/values";

export const inc = query({
  args: { x: v.number() },
  handler: async (ctx, { x }) => ({ r: x + 1 }),
});

// (a) through its typed SQL function udf_api."bench:incn"(x float8) returns float8
export const incn = query({
  args: { x: v.number() },
  returns: v.number(),
  handler: async (ctx, { x }) => x + 1,
});

// no validator: the whole jsonb body is the args object
export const doc = query({
  handler: async (ctx, body) => ({ ...body, n: body.n + 1 }),
});

export const kv = query({
  args: { i: v.number() },
  handler: async (ctx, { i }) => {
    const row = await ctx.db.get("kv", String((i % 10000) + 1));
    return { v: row.v };
  },
});

export const ins = mutation({
  args: { n: v.number() },
  handler: async (ctx, { n }) => {
    for (let i = 1; i <= n; i++) await ctx.db.insert("ins_t", { k: i, v: "v" + i });
    return { n };
  },
});

export const collect = query({
  args: {},
  handler: async (ctx) => {
    const rows = await ctx.db.query("big").collect();
    return { count: rows.length };
  },
});

// bench.js -- the udf side of bench/pl-baselines.sh (see bench/udf-extra.sh).
// Each function mirrors one workload of the PL baselines:
//   inc      (a) trivial call            {x} -> {r: x + 1}
//   kv       (b) indexed lookup per call {i} -> {v} of kv row k = i % 10000 + 1
//   doc      (c) jsonb round trip        body object -> same object with n + 1
//   ins      (d) insert loop             {n} -> inserts n rows into ins_t, returns {n}
//   collect  (f) full scan               {} -> {count} of collect() over table big
//   seed, clear, count  setup and checks for the above (copy SQL rows in, empty a
//                       table, count its documents)
// Everything but inc and doc needs ctx.db; until it exists bench/udf-extra.sh probes
// them and the table shows n/a.
import { query, mutation } from "./_generated/server";
import { v } from "convex/values";

export const inc = query({
  args: { x: v.number() },
  handler: async (ctx, { x }) => ({ r: x + 1 }),
});

// no validator: the whole jsonb body is the args object
export const doc = query({
  handler: async (ctx, body) => ({ ...body, n: body.n + 1 }),
});

export const kv = query({
  args: { i: v.number() },
  handler: async (ctx, { i }) => {
    const k = (i % 10000) + 1;
    const row = await ctx.db
      .query("kv")
      .withIndex("by_k", (q) => q.eq("k", k))
      .unique();
    return { v: row === null ? null : row.v };
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

// helpers for the bench's setup and checks (they also need ctx.db)
// seed {table, rows: [{k, v}, ...]} -> {n} documents inserted
export const seed = mutation({
  args: { table: v.string(), rows: v.array(v.any()) },
  handler: async (ctx, { table, rows }) => {
    for (const row of rows) await ctx.db.insert(table, row);
    return { n: rows.length };
  },
});

// clear {table} -> {n} documents deleted
export const clear = mutation({
  args: { table: v.string() },
  handler: async (ctx, { table }) => {
    const docs = await ctx.db.query(table).collect();
    for (const d of docs) await ctx.db.delete(d._id);
    return { n: docs.length };
  },
});

// count {table} -> {count}
export const count = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) => ({ count: (await ctx.db.query(table).collect()).length }),
});

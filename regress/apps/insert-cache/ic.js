// sql/insert_cache.sql: db.insert's remembered INSERT text and its cached write target
import { mutation, internalMutation, query } from "./_generated/server";
import { v, convexToJson } from "convex/values";

// insert each document into table, in order; the ids back
export const insertAll = mutation({
  args: { table: v.string(), docs: v.array(v.any()) },
  handler: async (ctx, { table, docs }) => {
    const ids = [];
    for (const doc of docs) ids.push(await ctx.db.insert(table, doc));
    return ids;
  },
});

// a failing insert caught, then one that works: only the second stays
export const catchFailure = mutation({
  args: { table: v.string(), bad: v.any(), good: v.any() },
  handler: async (ctx, { table, bad, good }) => {
    let caught = null;
    try {
      await ctx.db.insert(table, bad);
    } catch (e) {
      caught = e.message;
    }
    await ctx.db.insert(table, good);
    return caught;
  },
});

// a query may not insert, even into a table the cache knows
export const insertInQuery = query({
  args: { table: v.string() },
  handler: async (ctx, { table }) => ctx.db.insert(table, { a: 1 }),
});

// a trigger's audit row
export const audit = internalMutation(async (ctx, { new: row }) => {
  await ctx.db.insert("ic_audit", { item: row.id });
});

// the bytes an insert counts toward udf.max_bytes_written: its document's JSON
// text, whichever form it travelled in (docs.plain as host values, docs.encoded as text)
export const bytesCounted = mutation({
  args: { table: v.string(), plain: v.any() },
  handler: async (ctx, { table, plain }) => {
    const counted = async (doc) => {
      const before = (await ctx.meta.getTransactionMetrics()).bytesWritten.used;
      await ctx.db.insert(table, doc);
      return (await ctx.meta.getTransactionMetrics()).bytesWritten.used - before;
    };
    const textOf = (doc) => new TextEncoder().encode(JSON.stringify(convexToJson(doc))).length;
    const encoded = { ...plain, k: plain.k + "-encoded", n: 12345678901234567n };
    return [
      { form: "host values", counted: await counted(plain), text: textOf(plain) },
      { form: "JSON text", counted: await counted(encoded), text: textOf(encoded) },
    ];
  },
});

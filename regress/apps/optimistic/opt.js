// sql/optimistic.sql: calls run as optimistic attempts, and re-run carefully when an op fails
import { mutation, query } from "./_generated/server";
import { api } from "./_generated/api";
import { v } from "convex/values";

// insert k, a duplicate of it (caught), then k + 1: the first and last stay
export const carryOn = mutation({
  args: { k: v.number() },
  handler: async (ctx, { k }) => {
    await ctx.db.insert("opt_t", { k, v: "first" });
    console.log("before the duplicate of", k);
    let caught = null;
    try {
      await ctx.db.insert("opt_t", { k, v: "again" });
    } catch (e) {
      caught = { message: e.message, code: e.code };
      console.log("caught", e.code);
    }
    await ctx.db.insert("opt_t", { k: k + 1, v: "after" });
    console.log("after", k + 1);
    return caught;
  },
});

// n inserts from k on, and one console line
export const many = mutation({
  args: { k: v.number(), n: v.number() },
  handler: async (ctx, { k, n }) => {
    for (let i = 0; i < n; i++) await ctx.db.insert("opt_t", { k: k + i, v: "many" });
    console.log("inserted", n);
    return n;
  },
});

// an insert, then a duplicate not caught: the call fails
export const uncaught = mutation({
  args: { k: v.number() },
  handler: async (ctx, { k }) => {
    await ctx.db.insert("opt_t", { k, v: "kept?" });
    await ctx.db.insert("opt_t", { k, v: "dup" });
  },
});

// read two rows, then a caught duplicate: the reads count once under udf.max_documents_read
export const readThenFail = mutation({
  args: { a: v.string(), b: v.string() },
  handler: async (ctx, { a, b }) => {
    const x = await ctx.db.get("opt_t", a);
    const y = await ctx.db.get("opt_t", b);
    try {
      await ctx.db.insert("opt_t", { k: Number(a), v: "dup" });
    } catch (e) {
      return { x: x.v, y: y.v, caught: e.code };
    }
    return { x: x.v, y: y.v, caught: null };
  },
});

// an insert, then a nested mutation's insert: both stay, once
export const withNested = mutation({
  args: { k: v.number() },
  handler: async (ctx, { k }) => {
    await ctx.db.insert("opt_t", { k, v: "outer" });
    console.log("outer", k);
    await ctx.runMutation(api.opt.many, { k: k + 1, n: 1 });
    return "done";
  },
});

// a query reading one row
export const read = query({
  args: { k: v.string() },
  handler: async (ctx, { k }) => (await ctx.db.get("opt_t", k))?.v ?? null,
});

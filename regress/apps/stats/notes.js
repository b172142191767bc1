// The stats app: functions whose syscalls, reads and writes are known, for
// udf_stats, udf.trace and udf_invoke_explain (sql/stats.sql, regress/t/008_stats.pl).
import { ConvexError, v } from "convex/values";
import { query, mutation } from "./_generated/server";
import { api } from "./_generated/api";

// notes:add {body, n} -> the new id: one insert
export const add = mutation({
  args: { body: v.string(), n: v.number() },
  handler: async (ctx, { body, n }) => ctx.db.insert("notes", { body, n }),
});

// notes:list {} -> every note's body, in n order: one queryStream, its batches of rows, one cleanup
export const list = query({
  args: {},
  handler: async (ctx) => (await ctx.db.query("notes").withIndex("by_n").collect()).map((d) => d.body),
});

// notes:first {} -> the first note's body: a queryStream, one batch, a cleanup
export const first = query({
  args: {},
  handler: async (ctx) => (await ctx.db.query("notes").withIndex("by_n").first())?.body ?? null,
});

// notes:count {} -> how many notes, through a nested ctx.runQuery of notes:list
export const count = query({
  args: {},
  handler: async (ctx) => (await ctx.runQuery(api.notes.list, {})).length,
});

// notes:inc {x} -> x + 1: no syscalls at all
export const inc = query({
  args: { x: v.number() },
  handler: async (ctx, { x }) => x + 1,
});

// notes:refuse {} -> a ConvexError
export const refuse = query({
  args: {},
  handler: async () => {
    throw new ConvexError({ code: "NO" });
  },
});

// notes:boom {} -> a plain Error
export const boom = query({
  args: {},
  handler: async () => {
    throw new Error("boom");
  },
});

// notes:spin {} -> never returns (a timeout or a cancel stops it)
export const spin = query({
  args: {},
  handler: async () => {
    for (;;) {}
  },
});

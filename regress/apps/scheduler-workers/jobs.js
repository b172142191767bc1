// What regress/t/009_scheduler.pl has the scheduler workers run.
import { action, mutation, internalMutation, internalAction, internalQuery } from "./_generated/server";
import { api, internal } from "./_generated/api";
import { v } from "convex/values";

const spin = (loops) => {
  let x = 0;
  for (let i = 0; i < loops; i++) x += i;
  return x;
};

export const log = internalMutation({
  args: { tag: v.string(), n: v.optional(v.number()) },
  handler: async (ctx, { tag, n }) => {
    if (tag === "boom") throw new Error("boom in a job");
    await ctx.db.insert("wlog", { tag, n: n ?? 0 });
  },
});
export const after = mutation({
  args: { delay: v.number(), tag: v.string(), n: v.optional(v.number()) },
  handler: async (ctx, { delay, tag, n }) => ctx.scheduler.runAfter(delay, internal.jobs.log, { tag, n }),
});
// scheduled before the insert, run after the commit: it sees the insert
export const beforeInsert = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.scheduler.runAfter(0, internal.jobs.countInserted, {});
    await ctx.db.insert("wlog", { tag: "inserted", n: 0 });
    return id;
  },
});
export const countInserted = internalMutation({
  args: {},
  handler: async (ctx) => {
    const rows = await ctx.db.query("wlog").filter((q) => q.eq(q.field("tag"), "inserted")).collect();
    await ctx.db.insert("wlog", { tag: "seen", n: rows.length });
  },
});
export const batch = mutation({
  args: { from: v.number(), count: v.number() },
  handler: async (ctx, { from, count }) => {
    for (let i = 0; i < count; i++) await ctx.scheduler.runAfter(0, internal.jobs.log, { tag: "batch", n: from + i });
  },
});
export const slow = internalMutation({
  args: { loops: v.number(), tag: v.string() },
  handler: async (ctx, { loops, tag }) => {
    await ctx.db.insert("wlog", { tag, n: 0 });
    return spin(loops);
  },
});
export const slowLater = mutation({
  args: { loops: v.number(), tag: v.string(), delay: v.optional(v.number()) },
  handler: async (ctx, { loops, tag, delay }) => ctx.scheduler.runAfter(delay ?? 0, internal.jobs.slow, { loops, tag }),
});
export const act = internalAction({
  args: { loops: v.number() },
  handler: async (ctx, { loops }) => spin(loops),
});
export const actLater = mutation({
  args: { loops: v.number() },
  handler: async (ctx, args) => ctx.scheduler.runAfter(0, internal.jobs.act, args),
});
// its insert fails with a serialization failure twice (a trigger in the test), then works
export const flaky = internalMutation({
  args: {},
  handler: async (ctx) => {
    await ctx.db.insert("flaky", { n: 1 });
  },
});
export const flakyLater = mutation({
  args: {},
  handler: async (ctx) => ctx.scheduler.runAfter(0, internal.jobs.flaky, {}),
});
// spins, then schedules: canceled while it spins, what it schedules never runs
export const spinThenSchedule = internalAction({
  args: { loops: v.number() },
  handler: async (ctx, { loops }) => {
    spin(loops);
    return ctx.scheduler.runAfter(0, internal.jobs.log, { tag: "from canceled action" });
  },
});
export const spinThenScheduleLater = mutation({
  args: { loops: v.number() },
  handler: async (ctx, args) => ctx.scheduler.runAfter(0, internal.jobs.spinThenSchedule, args),
});
// an action is not transactional: what it schedules runs while it goes on
// (the job has committed at once), and stays when it throws
export const jobState = internalQuery({
  args: { id: v.id("_scheduled_functions") },
  handler: async (ctx, { id }) => (await ctx.db.system.get(id))?.state.kind ?? null,
});
export const scheduleThenWait = action({
  args: { tag: v.string(), fail: v.optional(v.boolean()) },
  handler: async (ctx, { tag, fail }) => {
    const id = await ctx.scheduler.runAfter(0, internal.jobs.log, { tag });
    let state = null;
    for (let i = 0; i < 400 && state !== "success"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = await ctx.runQuery(internal.jobs.jobState, { id });
    }
    if (fail) throw new Error("failed after scheduling " + id);
    return state;
  },
});
export const scheduleThenWaitLater = mutation({
  args: { tag: v.string() },
  handler: async (ctx, args) => ctx.scheduler.runAfter(0, internal.jobs.scheduleThenWaitInternal, args),
});
export const scheduleThenWaitInternal = internalAction({
  args: { tag: v.string() },
  handler: async (ctx, { tag }) => {
    const state = await ctx.runAction(api.jobs.scheduleThenWait, { tag });
    await ctx.runMutation(internal.jobs.log, { tag: tag + ": " + state });
  },
});
export const cancelThenFail = action({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    await ctx.scheduler.cancel(id);
    throw new Error("failed after canceling");
  },
});
export const scheduleThenFail = action({
  args: { tag: v.string() },
  handler: async (ctx, { tag }) => {
    await ctx.scheduler.runAfter(0, internal.jobs.log, { tag });
    throw new Error("failed after scheduling");
  },
});

// ctx.scheduler: what the scheduler test (sql/scheduler.sql) schedules.
import { mutation, internalMutation, query, action, internalAction } from "./_generated/server";
import { api, internal } from "./_generated/api";
import { v } from "convex/values";

export const target = internalMutation({
  args: { n: v.number(), big: v.optional(v.int64()), bytes: v.optional(v.bytes()), s: v.optional(v.string()) },
  handler: async (ctx, { n }) => {
    await ctx.db.insert("sched_log", { n });
  },
});
export const aQuery = query({ args: {}, handler: async () => 1 });
export const anAction = internalAction({ args: {}, handler: async () => 1 });

export const after = mutation({
  args: { delay: v.any(), n: v.optional(v.number()) },
  handler: async (ctx, { delay, n }) => ctx.scheduler.runAfter(delay, internal.jobs.target, { n: n ?? 1 }),
});
export const at = mutation({
  args: { when: v.any(), asDate: v.optional(v.boolean()) },
  handler: async (ctx, { when, asDate }) =>
    ctx.scheduler.runAt(asDate ? new Date(when) : when, internal.jobs.target, { n: 2 }),
});
export const typed = mutation({
  args: {},
  handler: async (ctx) =>
    ctx.scheduler.runAfter(0, internal.jobs.target, { n: 3, big: 1234567890123456789n, bytes: new Uint8Array([1, 2, 255]).buffer }),
});
export const badArgs = mutation({
  args: {},
  handler: async (ctx) => ctx.scheduler.runAfter(0, internal.jobs.target, { n: "three" }),
});
export const byName = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => ctx.scheduler.runAfter(0, name, {}),
});
export const many = mutation({
  args: { count: v.number() },
  handler: async (ctx, { count }) => {
    for (let i = 0; i < count; i++) await ctx.scheduler.runAfter(1000, internal.jobs.target, { n: i });
    return count;
  },
});
export const huge = mutation({
  args: { mb: v.number(), times: v.number() },
  handler: async (ctx, { mb, times }) => {
    const s = "x".repeat(mb * 1024 * 1024);
    for (let i = 0; i < times; i++) await ctx.scheduler.runAfter(0, internal.jobs.target, { n: 1, s });
  },
});
export const thenThrow = mutation({
  args: {},
  handler: async (ctx) => {
    await ctx.scheduler.runAfter(0, internal.jobs.target, { n: 4 });
    throw new Error("changed my mind");
  },
});
export const inner = mutation({
  args: {},
  handler: async (ctx) => {
    await ctx.scheduler.runAfter(0, internal.jobs.target, { n: 5 });
    throw new Error("inner fails");
  },
});
export const outer = mutation({
  args: {},
  handler: async (ctx) => {
    try {
      await ctx.runMutation(api.jobs.inner, {});
    } catch (e) {
      // the nested mutation's schedule went with its writes
    }
    return ctx.scheduler.runAfter(0, internal.jobs.target, { n: 6 });
  },
});
export const cancel = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.scheduler.cancel(id),
});
export const scheduleThenCancel = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.scheduler.runAfter(0, internal.jobs.target, { n: 7 });
    await ctx.scheduler.cancel(id);
    return (await ctx.db.system.get(id)).state;
  },
});
export const fromQuery = query({
  args: {},
  handler: async (ctx) => ctx.scheduler.runAfter(0, internal.jobs.target, { n: 8 }),
});
export const fromAction = action({
  args: {},
  handler: async (ctx) => ctx.scheduler.runAfter(0, internal.jobs.anAction, {}),
});

// _scheduled_functions through ctx.db.system
export const getJob = query({
  args: { id: v.id("_scheduled_functions") },
  handler: async (ctx, { id }) => {
    const job = await ctx.db.system.get(id);
    return job && { name: job.name, args: job.args, state: job.state, hasTimes: typeof job.scheduledTime === "number" && typeof job._creationTime === "number" };
  },
});
export const listJobs = query({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const jobs = await ctx.db.system.query("_scheduled_functions")
      .filter((q) => q.eq(q.field("name"), name)).order("desc").collect();
    return jobs.map((j) => j.state.kind);
  },
});
export const pageJobs = query({
  args: {},
  handler: async (ctx) => {
    const page = await ctx.db.system.query("_scheduled_functions")
      .withIndex("by_creation_time").paginate({ numItems: 2, cursor: null });
    return { n: page.page.length, isDone: page.isDone };
  },
});
export const userTableOfSystem = query({
  args: {},
  handler: async (ctx) => ctx.db.query("_scheduled_functions").collect(),
});
export const otherSystem = query({
  args: {},
  handler: async (ctx) => ctx.db.system.query("_storage").collect(),
});

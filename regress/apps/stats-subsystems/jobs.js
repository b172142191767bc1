// The stats-subsystems app, jobs: scheduled functions whose runs are known,
// for udf_scheduler_stats (regress/t/010_stats_subsystems.pl).
import { v } from "convex/values";
import { mutation, internalMutation } from "./_generated/server";
import { internal } from "./_generated/api";

// jobs:work {n} -> null: a job that succeeds
export const work = internalMutation({ args: { n: v.number() }, handler: async () => null });

// jobs:boom {} -> a job that fails
export const boom = internalMutation({
  args: {},
  handler: async () => {
    throw new Error("boom in a job");
  },
});

// jobs:schedule {count, delay, fail?} -> the ids of count jobs of work (or boom), delay ms from now
export const schedule = mutation({
  args: { count: v.number(), delay: v.number(), fail: v.optional(v.boolean()) },
  handler: async (ctx, { count, delay, fail }) => {
    const ids = [];
    for (let i = 0; i < count; i++) {
      ids.push(await ctx.scheduler.runAfter(delay, fail ? internal.jobs.boom : internal.jobs.work, fail ? {} : { n: i }));
    }
    return ids;
  },
});

// jobs:scheduleThenCancel {} -> null: a job written and canceled in one call
export const scheduleThenCancel = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.scheduler.runAfter(3600 * 1000, internal.jobs.work, { n: -1 });
    await ctx.scheduler.cancel(id);
    return null;
  },
});

// jobs:uploadUrl {} -> an upload URL of the HTTP endpoint
export const uploadUrl = mutation({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() });

// jobs:flaky {} -> inserts into flaky (whose trigger fails its first tries with 40001: retried)
export const flaky = internalMutation({
  args: {},
  handler: async (ctx) => {
    await ctx.db.insert("flaky", { n: 1 });
  },
});

// jobs:spin {loops} -> a job that runs for a while (to kill its worker)
export const spin = internalMutation({
  args: { loops: v.number() },
  handler: async (ctx, { loops }) => {
    let x = 0;
    for (let i = 0; i < loops; i++) x += i;
    return x;
  },
});

// jobs:later {name, args} -> the id of a job of jobs:<name> due now
export const later = mutation({
  args: { name: v.string(), args: v.any() },
  handler: async (ctx, { name, args }) => ctx.scheduler.runAfter(0, internal.jobs[name], args),
});

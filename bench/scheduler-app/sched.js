// The scheduler benchmark (bench/scheduler.sh): a job that records when it
// started, and mutations that schedule it.
import { mutation, internalMutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "convex/values";

// the job: one row, stamped with clock_timestamp() by the table's default
export const got = internalMutation({
  args: { k: v.number() },
  handler: async (ctx, { k }) => {
    await ctx.db.insert("sched_got", { k });
  },
});
// latency: schedule the job due now, and note the scheduling transaction
export const ping = mutation({
  args: { k: v.number() },
  handler: async (ctx, { k }) => {
    await ctx.db.insert("sched_sent", { k });
    await ctx.scheduler.runAfter(0, internal.sched.got, { k });
  },
});
// drain: count jobs all due at one time
export const batch = mutation({
  args: { from: v.number(), count: v.number(), at: v.number() },
  handler: async (ctx, { from, count, at }) => {
    for (let i = 0; i < count; i++) await ctx.scheduler.runAt(at, internal.sched.got, { k: from + i });
  },
});

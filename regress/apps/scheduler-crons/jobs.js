// Targets of the crons in crons.js (sql/scheduler.sql).
import { internalMutation, query } from "./_generated/server";
import { v } from "convex/values";

export const tick = internalMutation({ args: { label: v.string() }, handler: async () => null });
export const aQuery = query({ args: {}, handler: async () => 1 });

// roles.sql: module state and globals shared by calls of one backend, whoever calls
import { mutation, query } from './_generated/server';
import { v } from 'convex/values';
let count = 0;
export const bump = mutation(() => ++count);
export const setSecret = mutation({
  args: { s: v.string() },
  handler: (ctx, { s }) => {
    globalThis.secret = s;
    return s;
  },
});
export const getSecret = query(() => globalThis.secret ?? null);

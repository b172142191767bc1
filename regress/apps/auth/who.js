// ctx.auth.getUserIdentity() from the session (sql/auth.sql)
import { query, mutation, action } from './_generated/server';
import { api } from './_generated/api';
export const whoami = query({ args: {}, handler: (ctx) => ctx.auth.getUserIdentity() });
export const fromMutation = mutation({ args: {}, handler: async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null });
export const fromAction = action({ args: {}, handler: async (ctx) => [(await ctx.auth.getUserIdentity())?.subject ?? null, (await ctx.runQuery(api.who.whoami, {}))?.subject ?? null] });
export const caught = query({
  args: {},
  handler: async (ctx) => {
    try {
      return await ctx.auth.getUserIdentity();
    } catch (e) {
      return `caught: ${e.message.slice(0, 40)}`;
    }
  },
});

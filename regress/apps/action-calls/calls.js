// ctx.runQuery / runMutation / runAction in actions (sql/action_calls.sql)
import { v, ConvexError } from 'convex/values';
import { query, mutation, action, internalMutation, internalQuery } from './_generated/server';
import { api, internal } from './_generated/api';

export const count = query({ args: {}, returns: v.number(), handler: async (ctx) => (await ctx.db.query('ac_items').collect()).length });
export const add = internalMutation({
  args: { name: v.string() },
  returns: v.id('ac_items'),
  handler: (ctx, { name }) => ctx.db.insert('ac_items', { name }),
});
export const addThenFail = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    await ctx.db.insert('ac_items', { name });
    throw new ConvexError({ code: 'nope', name });
  },
});
export const secret = internalQuery({ args: {}, handler: () => 'internal ok' });
export const double = action({ args: { x: v.number() }, returns: v.number(), handler: async (_ctx, { x }) => 2 * x });

// runs a query, two mutations (one of which fails and is caught), and an action
export const work = action({
  args: {},
  handler: async (ctx) => {
    const before = await ctx.runQuery(api.calls.count, {});
    const id = await ctx.runMutation(internal.calls.add, { name: 'kept' });
    let caught = null;
    try {
      await ctx.runMutation(api.calls.addThenFail, { name: 'undone' });
    } catch (e) {
      caught = { data: e.data, isConvexError: e instanceof ConvexError };
    }
    const after = await ctx.runQuery(api.calls.count, {});
    return {
      before, after, idIsString: typeof id === 'string', caught,
      secret: await ctx.runQuery(internal.calls.secret, {}),
      doubled: await ctx.runAction(api.calls.double, { x: 21 }),
    };
  },
});
// the callee validates its arguments
export const badArgs = action({ args: {}, handler: (ctx) => ctx.runMutation(internal.calls.add, { name: 5 }) });
// the kinds must match
export const wrongKind = action({ args: {}, handler: (ctx) => ctx.runQuery(api.calls.double, { x: 1 }) });
// a mutation cannot run an action (the raw syscall the package would make)
export const mutationRunsAction = mutation({
  args: {},
  handler: () => Convex.asyncSyscall('1.0/actions/action', JSON.stringify({ name: 'calls:double', args: { x: 1 } })),
});
// nor through runUdf
export const mutationRunsActionByRunUdf = mutation({
  args: {},
  handler: () => Convex.asyncSyscall('1.0/runUdf', JSON.stringify({ udfType: 'action', name: 'calls:double', args: { x: 1 } })),
});

// invoke.sql: functions built with convex/server's generic builders and paginationOptsValidator
import { paginationOptsValidator, queryGeneric } from 'convex/server';
import { ConvexError, v } from 'convex/values';
export const page = queryGeneric({
  args: { paginationOpts: paginationOptsValidator },
  handler: async (ctx, { paginationOpts }) => ({
    numItems: paginationOpts.numItems,
    cursor: paginationOpts.cursor,
  }),
});
export const fail = queryGeneric({
  args: {},
  handler: async () => {
    throw new ConvexError('nope');
  },
});

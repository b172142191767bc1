// db_read_limits.sql: paginate's read limits (maximumRowsRead, maximumBytesRead) over a table without a schema
import { v } from 'convex/values';
import { paginationOptsValidator } from 'convex/server';
import { query, mutation } from './_generated/server';

// ten documents n = 1..10; n = 2, 3, 7 are rejected by the filter; n = 5 is large
export const seed = mutation({
  args: {},
  handler: async (ctx) => {
    for (let n = 1; n <= 10; n++)
      await ctx.db.insert('rl_docs', { n, body: [2, 3, 7].includes(n) ? 'skip' : n === 5 ? 'x'.repeat(2000) : 'keep' });
  },
});

export const page = query({
  args: { paginationOpts: paginationOptsValidator, filtered: v.optional(v.boolean()) },
  handler: async (ctx, { paginationOpts, filtered }) => {
    const q = filtered
      ? ctx.db.query('rl_docs').filter((f) => f.neq(f.field('body'), 'skip'))
      : ctx.db.query('rl_docs');
    const r = await q.paginate(paginationOpts);
    return {
      ns: r.page.map((d) => d.n),
      isDone: r.isDone,
      pageStatus: r.pageStatus ?? null,
      splitCursor: r.splitCursor ?? null,
      continueCursor: r.continueCursor,
    };
  },
});

// db_schema.sql (over regress/apps/example): writes checked against the schema and document limits, read/write limits, metrics
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';
const attempt = async (f) => {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return e.message.split('\n')[0];
  }
};
export const writes = mutation(async (ctx) => {
  const id = await ctx.db.insert('messages', { author: 'chk', body: 'b', tags: ['t'] });
  return {
    patchWrongType: await attempt(() => ctx.db.patch(id, { author: false })),
    patchRemoveRequired: await attempt(() => ctx.db.patch(id, { body: undefined })),
    patchRemoveOptional: await attempt(() => ctx.db.patch(id, { tags: undefined })),
    replaceNull: await attempt(() => ctx.db.replace(id, { author: null, body: 'b' })),
    arrayElement: await attempt(() =>
      ctx.db.insert('messages', { author: 'chk', body: 'b', tags: ['ok', 7] }),
    ),
    int64AsNumber: await attempt(() =>
      ctx.db.insert('messages', { author: 'chk', body: 'b', likes: 5 }),
    ),
    int64: await attempt(() => ctx.db.insert('messages', { author: 'chk', body: 'b', likes: 5n })),
    tooDeep: await attempt(() =>
      ctx.db.insert('deep', { data: JSON.parse('['.repeat(20) + ']'.repeat(20)) }),
    ),
    dollarField: await attempt(() => ctx.db.insert('deep', { data: { $nope: 1 } })),
    tooLarge: await attempt(() => ctx.db.insert('deep', { data: 'x'.repeat(1100000) })),
  };
});
export const metrics = query(async (ctx) => {
  await ctx.db
    .query('messages')
    .withIndex('by_author', (q) => q.eq('author', 'chk'))
    .take(2);
  return await ctx.meta.getTransactionMetrics();
});
export const readAll = query(async (ctx) => (await ctx.db.query('messages').collect()).length);
export const writeMany = mutation({
  args: { n: v.number() },
  handler: async (ctx, { n }) => {
    for (let i = 0; i < n; i++) await ctx.db.insert('deep', { data: i });
    return (await ctx.meta.getTransactionMetrics()).documentsWritten;
  },
});

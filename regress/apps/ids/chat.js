// v.id in args, returns and the schema (sql/ids.sql)
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';
export const addChannel = mutation({
  args: { name: v.string() },
  returns: v.id('id_channels'),
  handler: (ctx, { name }) => ctx.db.insert('id_channels', { name }),
});
export const send = mutation({
  args: { channelId: v.id('id_channels'), body: v.string() },
  returns: v.id('id_messages'),
  handler: (ctx, args) => ctx.db.insert('id_messages', args),
});
export const list = query({
  args: { channelId: v.id('id_channels') },
  handler: async (ctx, { channelId }) =>
    (await ctx.db.query('id_messages').withIndex('by_channel', (q) => q.eq('channelId', channelId)).collect()).map((m) => m.body),
});
// no args validator on the id: the schema checks what is written
export const sendUnchecked = mutation({
  args: { channelId: v.string(), body: v.string() },
  handler: (ctx, args) => ctx.db.insert('id_messages', args),
});
// a returns validator that names the wrong table
export const wrongReturn = query({
  args: { id: v.string() },
  returns: v.id('id_channels'),
  handler: (_ctx, { id }) => id,
});
// an ordinary PostgreSQL table: its ids are primary keys as text, any string passes
export const plain = query({
  args: { id: v.id('ids_plain') },
  handler: async (ctx, { id }) => ctx.db.get('ids_plain', id),
});
// inside an array and a union
export const many = query({
  args: { ids: v.array(v.union(v.id('id_channels'), v.null())) },
  handler: (_ctx, { ids }) => ids.length,
});

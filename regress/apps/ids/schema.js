// v.id checks (sql/ids.sql): two managed tables that refer to each other by id
import { defineSchema, defineTable } from 'convex/server';
import { v } from 'convex/values';
export default defineSchema({
  id_channels: defineTable({ name: v.string() }),
  id_messages: defineTable({ channelId: v.id('id_channels'), body: v.string() }).index('by_channel', ['channelId']),
});

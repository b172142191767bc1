import { ConvexError, v } from "convex/values";
import { internalMutation, query } from "./_generated/server";

// BEFORE INSERT OR UPDATE ... FOR EACH ROW: clean the row up, or refuse it.
// Return an object to replace the row, null to skip it, undefined to keep it.
export const normalizeOrder = internalMutation(async (ctx, { new: order }) => {
  if (order.qty <= 0) return null; // silently skip empty orders
  const item = order.item.trim().toLowerCase();
  const stock = await ctx.db.get("shop_stock", item);
  if (stock === null) throw new ConvexError({ code: "UNKNOWN_ITEM", item });
  if (item === order.item) return undefined;
  return { item };
});

// AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW: keep stock and audit.
export const onOrderChange = internalMutation(async (ctx, { op, old, new: order, args }) => {
  const delta = (order ? order.qty : 0) - (old ? old.qty : 0);
  const item = (order ?? old).item;
  const stock = await ctx.db.get("shop_stock", item);
  await ctx.db.patch("shop_stock", item, { on_hand: stock.on_hand - delta });
  await ctx.db.insert("audit", { op, orderId: (order ?? old)._id, item, qty: delta, note: args[0] });
});

// AFTER INSERT ... FOR EACH STATEMENT, with REFERENCING NEW TABLE AS inserted.
export const onBatch = internalMutation(async (ctx, { newRows, op }) => {
  await ctx.db.insert("audit", { op, note: `batch of ${newRows.length}` });
});

// AFTER TRUNCATE
export const onTruncate = internalMutation(async (ctx, { op, table }) => {
  await ctx.db.insert("audit", { op, note: `${table} emptied` });
});

// shop:auditLog -> the audit entries, oldest first
export const auditLog = query(async (ctx) =>
  (await ctx.db.query("audit").collect()).map(({ op, item, qty, note }) => ({ op, item, qty, note })),
);

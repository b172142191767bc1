// A TypeScript module, compiled to thrower.js + thrower.js.map by
// esbuild (see README.md beside this folder).
import { query } from "./_generated/server";

interface Order {
  id: string;
  quantity: number;
}

function check(order: Order): number {
  if (order.quantity > 10) {
    throw new Error(`order ${order.id} is too large`);
  }
  return order.quantity;
}

export const place = query({
  handler: async (_ctx, args: { id: string; quantity: number }): Promise<number> => {
    return check(args);
  },
});

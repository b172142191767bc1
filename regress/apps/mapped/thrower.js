import { query } from "./_generated/server";
function check(order) {
  if (order.quantity > 10) {
    throw new Error(`order ${order.id} is too large`);
  }
  return order.quantity;
}
const place = query({
  handler: async (_ctx, args) => {
    return check(args);
  }
});
export {
  place
};
//# sourceMappingURL=thrower.js.map

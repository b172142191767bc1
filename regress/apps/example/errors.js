import { ConvexError, v } from "convex/values";
import { query, action } from "./_generated/server";

function validateQuantity(quantity) {
  if (quantity <= 0) {
    throw new ConvexError({ code: "BAD_QUANTITY", quantity });
  }
  return quantity;
}

// errors:order throws a ConvexError with structured data for a bad quantity
export const order = query({
  args: { quantity: v.number() },
  handler: async (ctx, { quantity }) => ({ ok: validateQuantity(quantity) }),
});

// errors:boom throws a plain Error from a nested helper
function explode(message) {
  throw new Error(message);
}
export const boom = query({
  args: { message: v.string() },
  handler: async (ctx, { message }) => explode(message),
});

// errors:wrongReturn declares a number but returns a string
export const wrongReturn = query({
  args: {},
  returns: v.number(),
  handler: async () => "not a number",
});

// errors:ping is an action: actions run from SQL too (outside ctx.db)
export const ping = action({
  args: {},
  handler: async () => "pong",
});

import { v } from "convex/values";
import { query, mutation } from "./_generated/server";

// values:echo returns its argument as it arrived: every Convex type round-trips.
export const echo = query({
  args: { value: v.any() },
  handler: async (ctx, { value }) => value,
});

// values:describe tells what JS type each field arrived as.
export const describe = query({
  args: { value: v.any() },
  handler: async (ctx, { value }) => {
    const kind = (x) =>
      x === null ? "null"
        : x instanceof ArrayBuffer ? `ArrayBuffer(${x.byteLength})`
        : Array.isArray(x) ? "array"
        : Object.is(x, -0) ? "-0"
        : typeof x;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof ArrayBuffer)) {
      return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, kind(x)]));
    }
    return kind(value);
  },
});

// values:sum adds int64s as bigint: 2^62 + 2^62 - 1 stays exact
export const sum = mutation({
  args: { values: v.array(v.int64()) },
  returns: v.int64(),
  handler: async (ctx, { values }) => values.reduce((a, b) => a + b, 0n),
});

// values:nothing returns undefined, which Convex turns into null
export const nothing = mutation(async () => undefined);

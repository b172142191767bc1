// search_vector.sql: ctx.vectorSearch in actions, by cosine similarity,
// with Convex's limits and filters; documents read back round-trip.
import { v } from "convex/values";
import { query, mutation, action } from "./_generated/server";

export const add = mutation({
  args: { description: v.string(), cuisine: v.string(), rating: v.optional(v.number()), embedding: v.optional(v.array(v.float64())) },
  handler: (ctx, doc) => ctx.db.insert("foods", doc),
});

export const get = query({ args: { id: v.id("foods") }, handler: (ctx, { id }) => ctx.db.get(id) });

export const addPlain = mutation({ args: { vec: v.array(v.float64()) }, handler: (ctx, d) => ctx.db.insert("plain", d) });
export const listPlain = query(async (ctx) => (await ctx.db.query("plain").collect()).map((d) => d.vec));

// the search as the action returns it, with the keys of each result
export const similar = action({
  args: { vector: v.array(v.float64()), limit: v.optional(v.number()), cuisines: v.optional(v.array(v.string())), rating: v.optional(v.number()) },
  handler: async (ctx, { vector, limit, cuisines, rating }) => {
    const results = await ctx.vectorSearch("foods", "by_embedding", {
      vector,
      limit,
      filter:
        cuisines === undefined && rating === undefined
          ? undefined
          : (q) =>
              rating !== undefined
                ? q.or(q.eq("rating", rating), ...(cuisines ?? []).map((c) => q.eq("cuisine", c)))
                : q.or(...cuisines.map((c) => q.eq("cuisine", c))),
    });
    return results.map((r) => ({ ...r, keys: Object.keys(r).sort() }));
  },
});

// bad inputs
export const wrongIndex = action(async (ctx) => ctx.vectorSearch("foods", "nope", { vector: [1, 2, 3] }));
export const wrongTable = action(async (ctx) => ctx.vectorSearch("nope", "by_embedding", { vector: [1, 2, 3] }));
export const notAFilterField = action(async (ctx) =>
  ctx.vectorSearch("foods", "by_embedding", { vector: [1, 2, 3], filter: (q) => q.eq("description", "x") }));
export const tooManyEqs = action(async (ctx) =>
  ctx.vectorSearch("foods", "by_embedding", {
    vector: [1, 2, 3],
    filter: (q) => q.or(...Array.from({ length: 65 }, (_, i) => q.eq("rating", i))),
  }));
export const literalFilter = action(async (ctx) =>
  ctx.vectorSearch("foods", "by_embedding", { vector: [1, 2, 3], filter: () => true }));
// the syscall the package makes, made from a query: actions only
export const fromQuery = query(async () =>
  Convex.asyncSyscall("1.0/actions/vectorSearch", JSON.stringify({ query: { indexName: "foods.by_embedding", vector: [1, 2, 3] } })));
export const emptyVector = action(async (ctx) => ctx.vectorSearch("foods", "by_embedding", { vector: [] }));
export const badLimit = action({
  args: { limit: v.number() },
  handler: async (ctx, { limit }) => ctx.vectorSearch("foods", "by_embedding", { vector: [1, 2, 3], limit }),
});

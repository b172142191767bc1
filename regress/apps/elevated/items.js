// Functions for sql/elevated.sql: each reaches one path udf runs as the
// extension owner (the table registry on first insert, the cursor secret on
// first paginate).
import { query, mutation } from "./_generated/server";

export const add = mutation(async (ctx, { v }) => {
  await ctx.db.insert("mal_items", { v });
  return (await ctx.db.query("mal_items").collect()).length;
});
export const page = query(
  async (ctx) => (await ctx.db.query("mal_items").paginate({ numItems: 1, cursor: null })).page.length,
);

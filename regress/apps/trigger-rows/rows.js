// sql/triggers.sql: a trigger's row is the document ctx.db reads (same keys, same order).
import { internalMutation } from "./_generated/server";

export const compare = internalMutation(async (ctx, { table, new: row }) => {
  const read = await ctx.db.get(table, row._id);
  console.log(JSON.stringify(row));
  console.log(
    JSON.stringify(read) === JSON.stringify(row) ? "the same as ctx.db.get" : "ctx.db.get differs: " + JSON.stringify(read),
  );
});

export const bump = internalMutation(async (ctx, { new: row }) => {
  console.log(JSON.stringify(row));
  return { ...row, v: row.v + 100 };
});

// a table in a schema whose name starts with "_" is an ordinary table to a trigger
export const seen = internalMutation(async (ctx, { schema, table, new: row }) => {
  console.log(schema + "." + table + " " + JSON.stringify(row));
});

// the row's values decoded as ctx.db decodes them (bigint, bytes), whether or not
// they need decoding; a field name Convex refuses is refused before the handler runs
export const types = internalMutation(async (ctx, { new: row }) => {
  const shown = Object.entries(row).map(([k, v]) =>
    `${k}: ${v instanceof ArrayBuffer ? "ArrayBuffer(" + v.byteLength + ")" : typeof v} ${typeof v === "bigint" ? String(v) : JSON.stringify(v instanceof ArrayBuffer ? null : v)}`);
  console.log(shown.join(", "));
});

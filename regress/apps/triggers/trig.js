// triggers.sql: internal mutations as row and statement triggers: arguments, row changes, refusals
import { internalMutation, mutation, query } from './_generated/server';
export const record = internalMutation(async (ctx, a) => {
  console.log(
    JSON.stringify({
      op: a.op,
      when: a.when,
      level: a.level,
      table: a.table,
      schema: a.schema,
      old: a.old && a.old.v,
      new: a.new && a.new.v,
      args: a.args,
      oldRows: a.oldRows && a.oldRows.length,
      newRows: a.newRows && a.newRows.length,
    }),
  );
});
export const double = internalMutation(async (ctx, { new: row }) => ({ v: row.v * 2 }));
export const skipOdd = internalMutation(async (ctx, { new: row }) =>
  row.v % 2 ? null : undefined,
);
export const badField = internalMutation(async () => ({ nope: 1 }));
export const badType = internalMutation(async () => ({ v: 'text' }));
export const throws = internalMutation(async () => {
  throw new Error('trigger says no');
});
export const aQuery = query(async () => null);
export const recurse = internalMutation(async (ctx, { new: row }) => {
  await ctx.db.insert('loop', { v: row.v + 1 });
});

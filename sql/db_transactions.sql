-- Transactions: a call's reads and writes are in the caller's transaction;
-- nested mutations are savepoints; read-only transactions refuse writes;
-- SERIALIZABLE conflicts reach the caller as SQLSTATE 40001; SQL errors keep
-- their SQLSTATE, detail and hint, in JS and in SQL.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{tx.js}', to_jsonb($$
import { v } from "convex/values";
import { query, mutation, internalMutation } from "./_generated/server";
import { api, internal } from "./_generated/api";
export const add = internalMutation({ args: { body: v.string(), fail: v.optional(v.boolean()) }, handler: async (ctx, { body, fail }) => {
  await ctx.db.insert("messages", { author: "tx", body });
  if (fail) throw new Error("child " + body + " failed");
} });
export const bodies = query(async (ctx) => (await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", "tx")).collect()).map((m) => m.body));
// #11: a child that throws is rolled back alone; the parent goes on
export const childRollback = mutation(async (ctx) => {
  await ctx.db.insert("messages", { author: "tx", body: "A" });
  try { await ctx.runMutation(internal.tx.add, { body: "B", fail: true }); } catch (e) {}
  await ctx.db.insert("messages", { author: "tx", body: "C" });
  return await ctx.runQuery(api.tx.bodies, {});
});
// #12: the parent throws after a child committed into it: nothing persists
export const parentThrows = mutation(async (ctx) => {
  await ctx.runMutation(internal.tx.add, { body: "D" });
  await ctx.runMutation(internal.tx.add, { body: "E", fail: true });
});
// #13: a child sees the parent's pending writes
export const childSees = mutation(async (ctx) => {
  await ctx.db.insert("messages", { author: "tx", body: "F" });
  return await ctx.runQuery(api.tx.bodies, {});
});
export const clear = mutation(async (ctx) => {
  for (const m of await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", "tx")).collect()) await ctx.db.delete(m._id);
});
export const sqlError = mutation(async (ctx) => {
  try { await ctx.db.insert("messages", { author: "tx", body: "x".repeat(10), score: 1e400 }); return "no error"; }
  catch (e) { return { message: e.message, code: e.code ?? null, hasDetail: typeof e.detail }; }
});
export const uniqueViolation = mutation({ args: { id: v.string() }, handler: async (ctx, { id }) => {
  try { await ctx.db.insert("kv_unique", { k: 1 }); await ctx.db.insert("kv_unique", { k: 1 }); }
  catch (e) { return { message: e.message, code: e.code, detail: e.detail }; }
} });
export const uncaughtUnique = mutation(async (ctx) => { await ctx.db.insert("kv_unique", { k: 2 }); await ctx.db.insert("kv_unique", { k: 2 }); });
$$::text)))->'tables';
DELETE FROM messages;
SELECT udf_invoke('tx:childRollback');
SELECT udf_invoke('tx:clear');
SELECT udf_invoke('tx:parentThrows');
SELECT udf_invoke('tx:bodies');
SELECT udf_invoke('tx:childSees');
-- the caller's transaction decides: roll it back and the writes are gone
BEGIN;
SELECT udf_invoke('tx:childSees');
ROLLBACK;
SELECT udf_invoke('tx:bodies');
-- SQL errors in JS carry their SQLSTATE and detail
CREATE TABLE kv_unique (k int PRIMARY KEY);
SELECT udf_invoke('tx:uniqueViolation', '{"id": "x"}');
-- and an uncaught one reaches SQL with its own SQLSTATE
\set VERBOSITY sqlstate
SELECT udf_invoke('tx:uncaughtUnique');
\set VERBOSITY default
SELECT udf_invoke('tx:uncaughtUnique');
DROP TABLE kv_unique;
-- read-only transactions: queries run, mutations fail with PostgreSQL's error
BEGIN READ ONLY;
SELECT udf_invoke('tx:bodies');
SELECT udf_invoke('messages:send', '{"author": "ro", "body": "no"}');
ROLLBACK;
-- SERIALIZABLE: a write that conflicts with a concurrent commit is 40001
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT udf_invoke('messages:send', '{"author": "ser", "body": "v1"}') #>> '{}' AS ser \gset
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), current_user));
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT udf_invoke('messages:byAuthor', '{"author": "ser"}');
SELECT count(*) FROM dblink('other', format('SELECT udf_invoke(%L, %L)', 'messages:edit', jsonb_build_object('id', :'ser', 'body', 'v2'))) AS t(r jsonb);
\set VERBOSITY sqlstate
SELECT udf_invoke('messages:shout', jsonb_build_object('id', :'ser'));
\set VERBOSITY default
ROLLBACK;
SELECT body FROM messages WHERE "_id" = :'ser';
SELECT dblink_disconnect('other');

-- ctx.db on managed tables (schema.js): real tables with Convex ids and
-- _creationTime, Convex's read/write semantics, indexes, filters over types,
-- and the mirror between JS and SQL.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app')->'tables' AS tables;
\d messages
SELECT indexname FROM pg_indexes WHERE tablename = 'messages' ORDER BY 1;

-- insert, then list: the user fields plus _id (a string) and _creationTime (a number)
SELECT udf_invoke('messages:send', '{"author": "sarah", "body": "hello"}') #>> '{}' AS id \gset
SELECT length(:'id') AS id_length, (udf_invoke('messages:list')->0) - '_id' - '_creationTime' AS fields,
       jsonb_typeof(udf_invoke('messages:list')->0->'_creationTime') AS creation_time;
-- SQL sees the same row, and what SQL inserts JS reads
SELECT "_id" = :'id' AS same_id, author, body, score FROM messages;
-- patch changes one field; replace keeps _id and _creationTime; delete removes
SELECT udf_invoke('messages:edit', jsonb_build_object('id', :'id', 'body', 'hi')) - '_id' - '_creationTime';
SELECT udf_deploy(:'app')->'tables' AS redeployed_tables;  -- additive: nothing to change
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{crud.js}', to_jsonb($$
import { v } from "convex/values";
import { query, mutation } from "./_generated/server";
export const replace = mutation({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => {
  const before = await ctx.db.get(id);
  await ctx.db.replace(id, { author: "michal", body: "hi" });
  const after = await ctx.db.get(id);
  return { fields: Object.keys(after).sort(), sameId: after._id === before._id, sameTime: after._creationTime === before._creationTime };
} });
export const patchUndefined = mutation({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => {
  await ctx.db.patch(id, { score: 5 }); const a = (await ctx.db.get(id)).score;
  await ctx.db.patch(id, { score: undefined }); const b = await ctx.db.get(id);
  return { before: a, after: b.score === undefined, has: "score" in b };
} });
export const patchSameId = mutation({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => { await ctx.db.patch(id, { _id: id }); return "ok"; } });
export const patchOtherId = mutation({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => {
  try { await ctx.db.patch(id, { _id: "nonsense" }); return "no error"; } catch (e) { return e.message.replace(id, "<id>"); }
} });
export const insertThenPatchThenQuery = mutation(async (ctx) => {
  const id = await ctx.db.insert("messages", { author: "x", body: "a" });
  await ctx.db.patch(id, { body: "patched" });
  return (await ctx.db.query("messages").filter((q) => q.eq(q.field("_id"), id)).first()).body;
});
export const deleteVisible = mutation(async (ctx) => {
  const id = await ctx.db.insert("messages", { author: "ghost", body: "boo" });
  await ctx.db.delete(id);
  return { get: await ctx.db.get(id), first: await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", "ghost")).first() };
});
export const throws = mutation(async (ctx) => { await ctx.db.insert("messages", { author: "tx", body: "never" }); throw new Error("I changed my mind"); });
export const creationOrder = mutation(async (ctx) => {
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await ctx.db.insert("messages", { author: "order", body: String(i) }));
  const docs = await Promise.all(ids.map((id) => ctx.db.get(id)));
  return docs.every((d, i) => i === 0 || d._creationTime > docs[i - 1]._creationTime);
});
export const wrongTable = query({ args: { id: v.string() }, handler: async (ctx, { id }) => ctx.db.get("orders_elsewhere", id) });
export const normalize = query({ args: { id: v.string() }, handler: async (ctx, { id }) => [ctx.db.normalizeId("messages", id), ctx.db.normalizeId("messages", "Not an ID")] });
export const badType = mutation(async (ctx) => ctx.db.insert("messages", { author: false, body: "x" }));
export const extraField = mutation(async (ctx) => ctx.db.insert("messages", { author: "a", body: "b", colour: "red" }));
export const underscore = mutation(async (ctx) => ctx.db.insert("messages", { author: "a", body: "b", _secret: 1 }));
export const ranges = query(async (ctx) => ({
  gt: (await ctx.db.query("messages").withIndex("by_author_score", (q) => q.eq("author", "s").gt("score", 1)).collect()).map((m) => m.score),
  lte: (await ctx.db.query("messages").withIndex("by_author_score", (q) => q.eq("author", "s").lte("score", 2)).collect()).map((m) => m.score ?? "missing"),
  eqUndefined: (await ctx.db.query("messages").withIndex("by_author_score", (q) => q.eq("author", "s").eq("score", undefined)).collect()).length,
  desc: (await ctx.db.query("messages").withIndex("by_author_score", (q) => q.eq("author", "s")).order("desc").collect()).map((m) => m.score ?? "missing"),
  eqOrder: (await ctx.db.query("messages").withIndex("by_author_score", (q) => q.eq("score", 3).eq("author", "s")).collect()).length,
}));
export const rangeErrors = query(async (ctx) => {
  const errs = [];
  for (const f of [
    (q) => q.eq("body", "x"),
    (q) => q.gt("score", 1),
    (q) => q.eq("author", "s").gt("score", 1).gt("score", 2),
  ]) { try { await ctx.db.query("messages").withIndex("by_author_score", f).collect(); errs.push("no error"); } catch (e) { errs.push(e.message.split(":")[0]); } }
  return errs;
});
export const filters = query(async (ctx) => {
  const bodies = async (f) => (await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", "s")).filter(f).collect()).map((m) => m.score ?? "missing");
  return {
    lt2: await bodies((q) => q.lt(q.field("score"), 2)),
    eqUndefined: await bodies((q) => q.eq(q.field("score"), undefined)),
    orNot: await bodies((q) => q.or(q.eq(q.field("score"), 1), q.not(q.gte(q.field("score"), 2)))),
    arith: await bodies((q) => q.eq(q.mod(q.mul(q.field("score"), 2), 4), 2)),
    typeOrder: await bodies((q) => q.lt(q.field("score"), "a string")),
    int64VsFloat: await bodies((q) => q.eq(q.field("score"), 1n)),
  };
});
$$::text))) IS NOT NULL AS deployed_crud;
SELECT udf_invoke('crud:replace', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchUndefined', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchSameId', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchOtherId', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:insertThenPatchThenQuery');
SELECT udf_invoke('crud:deleteVisible');
-- a mutation that throws leaves nothing behind
SELECT udf_invoke('crud:throws');
SELECT count(*) FROM messages WHERE author = 'tx';
SELECT udf_invoke('crud:creationOrder');
-- ids name their table
SELECT udf_invoke('crud:normalize', jsonb_build_object('id', :'id')) = jsonb_build_array(:'id', NULL) AS normalized;
CREATE TABLE orders_elsewhere (_id text PRIMARY KEY, "_creationTime" float8);
SELECT udf_invoke('crud:wrongTable', jsonb_build_object('id', :'id'));
DROP TABLE orders_elsewhere;
-- the schema's types and names are enforced
SELECT udf_invoke('crud:badType');
SELECT udf_invoke('crud:extraField');
SELECT udf_invoke('crud:underscore');
-- ordering: insertion order, desc + take
SELECT udf_invoke('messages:latest', '{"n": 2}');
-- index ranges and filters across types (Convex's total order: missing < numbers < strings)
SELECT udf_invoke('messages:send', jsonb_build_object('author', 's', 'body', 'b' || n, 'score', n)) IS NOT NULL
FROM generate_series(1, 3) n;
SELECT udf_invoke('messages:send', '{"author": "s", "body": "no score"}') IS NOT NULL;
SELECT udf_invoke('crud:ranges');
SELECT udf_invoke('crud:rangeErrors');
SELECT udf_invoke('crud:filters');
SELECT udf_invoke('messages:byAuthor', '{"author": "s"}');
-- values of every type survive insert and get
SELECT udf_invoke('messages:count') = (SELECT count(*) FROM messages)::int::text::jsonb AS count_matches;

-- ten concurrent read-modify-write mutations on one document all apply
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT udf_invoke('messages:send', '{"author": "race", "body": "hello"}') #>> '{}' AS race \gset
SELECT dblink_connect('c' || n, format('host=%s port=%s dbname=%s user=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), current_user))
FROM generate_series(1, 10) n;
SELECT dblink_send_query('c' || n, format('SELECT udf_invoke(%L, %L)', 'messages:shout', jsonb_build_object('id', :'race')))
FROM generate_series(1, 10) n;
SELECT count(*) FROM generate_series(1, 10) n, dblink_get_result('c' || n) AS r(x jsonb);
SELECT dblink_disconnect('c' || n) FROM generate_series(1, 10) n;
SELECT body FROM messages WHERE "_id" = :'race';

-- built-in indexes, id-only forms on ordinary tables, null versus missing
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{more.js}', to_jsonb($$
import { v } from "convex/values";
import { query, mutation } from "./_generated/server";
export const builtin = query(async (ctx) => {
  const all = await ctx.db.query("messages").withIndex("by_creation_time").collect();
  const t = all[1]._creationTime;
  return {
    upToSecond: (await ctx.db.query("messages").withIndex("by_creation_time", (q) => q.lte("_creationTime", t)).collect()).length,
    byId: (await ctx.db.query("messages").withIndex("by_id", (q) => q.eq("_id", all[0]._id)).collect()).length,
    idInCreationIndex: await ctx.db.query("messages").withIndex("by_creation_time", (q) => q.eq("_id", all[0]._id)).collect().then(() => "no error", (e) => e.message.split(":")[0]),
  };
});
export const idOnlyOrdinary = query(async (ctx) => ctx.db.get("1"));
export const nulls = mutation(async (ctx) => {
  const a = await ctx.db.insert("flex", { v: null });
  const b = await ctx.db.insert("flex", {});
  const [da, db] = [await ctx.db.get(a), await ctx.db.get(b)];
  return { explicitNull: "v" in da && da.v === null, missing: !("v" in db),
    eqNull: (await ctx.db.query("flex").filter((q) => q.eq(q.field("v"), null)).collect()).length,
    eqUndefined: (await ctx.db.query("flex").filter((q) => q.eq(q.field("v"), undefined)).collect()).length };
});
$$::text)) || jsonb_build_object('schema.js', $$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ author: v.string(), body: v.string(), score: v.optional(v.number()),
    likes: v.optional(v.int64()), tags: v.optional(v.array(v.string())) })
    .index("by_author", ["author"]).index("by_author_score", ["author", "score"]),
  flex: defineTable({ v: v.optional(v.union(v.null(), v.string())) }),
});
$$))->'tables';
SELECT udf_invoke('more:builtin');
SELECT udf_invoke('more:idOnlyOrdinary');
SELECT udf_invoke('more:nulls');
SELECT v, v IS NULL AS sql_null FROM flex ORDER BY "_creationTime";

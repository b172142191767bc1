-- schema.js: writes are validated against the schema and Convex's document
-- limits; redeploys migrate additively and refuse destructive changes;
-- per-call read/write limits and getTransactionMetrics.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{checks.js}', to_jsonb($$
import { v } from "convex/values";
import { query, mutation } from "./_generated/server";
const attempt = async (f) => { try { await f(); return "ok"; } catch (e) { return e.message.split("\n")[0]; } };
export const writes = mutation(async (ctx) => {
  const id = await ctx.db.insert("messages", { author: "chk", body: "b", tags: ["t"] });
  return {
    patchWrongType: await attempt(() => ctx.db.patch(id, { author: false })),
    patchRemoveRequired: await attempt(() => ctx.db.patch(id, { body: undefined })),
    patchRemoveOptional: await attempt(() => ctx.db.patch(id, { tags: undefined })),
    replaceNull: await attempt(() => ctx.db.replace(id, { author: null, body: "b" })),
    arrayElement: await attempt(() => ctx.db.insert("messages", { author: "chk", body: "b", tags: ["ok", 7] })),
    int64AsNumber: await attempt(() => ctx.db.insert("messages", { author: "chk", body: "b", likes: 5 })),
    int64: await attempt(() => ctx.db.insert("messages", { author: "chk", body: "b", likes: 5n })),
    tooDeep: await attempt(() => ctx.db.insert("deep", { data: JSON.parse("[".repeat(20) + "]".repeat(20)) })),
    dollarField: await attempt(() => ctx.db.insert("deep", { data: { $nope: 1 } })),
    tooLarge: await attempt(() => ctx.db.insert("deep", { data: "x".repeat(1100000) })),
  };
});
export const metrics = query(async (ctx) => {
  await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", "chk")).take(2);
  return await ctx.meta.getTransactionMetrics();
});
export const readAll = query(async (ctx) => (await ctx.db.query("messages").collect()).length);
export const writeMany = mutation({ args: { n: v.number() }, handler: async (ctx, { n }) => {
  for (let i = 0; i < n; i++) await ctx.db.insert("deep", { data: i });
  return (await ctx.meta.getTransactionMetrics()).documentsWritten;
} });
$$::text)) || jsonb_build_object('schema.js', $$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ author: v.string(), body: v.string(), score: v.optional(v.number()),
    likes: v.optional(v.int64()), tags: v.optional(v.array(v.string())) })
    .index("by_author", ["author"]).index("by_author_score", ["author", "score"]),
  deep: defineTable({ data: v.any() }),
});
$$))->'tables';
SELECT jsonb_pretty(udf_invoke('checks:writes'));
SELECT udf_invoke('checks:metrics') AS m \gset
SELECT (:'m'::jsonb)->'documentsRead' AS documents_read, (:'m'::jsonb)->'databaseQueries' AS queries,
       (:'m'::jsonb)->'documentsWritten' AS documents_written,
       ((:'m'::jsonb)->'bytesRead'->>'used')::int BETWEEN 100 AND 400 AS bytes_read_counted,
       ((:'m'::jsonb)->'bytesRead'->>'used')::int + ((:'m'::jsonb)->'bytesRead'->>'remaining')::int = 16 * 1024 * 1024 AS bytes_add_up;

-- limits accumulate over one call and stop it with Convex's message
SET udf.max_documents_read = 2;
SELECT udf_invoke('checks:readAll');
RESET udf.max_documents_read;
SET udf.max_documents_written = 5;
SELECT udf_invoke('checks:writeMany', '{"n": 5}');
SELECT udf_invoke('checks:writeMany', '{"n": 6}');
RESET udf.max_documents_written;

-- additive migration: a new optional field and a new index
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  messages: defineTable({ author: v.string(), body: v.string(), score: v.optional(v.number()),
    likes: v.optional(v.int64()), tags: v.optional(v.array(v.string())), edited: v.optional(v.boolean()) })
    .index("by_author", ["author"]).index("by_author_score", ["author", "score"]).index("by_edited", ["edited"]),
});
$$::text)))->'tables';
SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'messages' AND column_name = 'edited';
SELECT indexname FROM pg_indexes WHERE tablename = 'messages' AND indexname LIKE '%edited%';
-- destructive changes are refused, and the previous deployment stays
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ messages: defineTable({ author: v.number(), body: v.string() }) });
$$::text)))->'tables';
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ messages: defineTable({ author: v.string(), body: v.string(), mood: v.string() }) });
$$::text)))->'tables';
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ messages: defineTable({ author: v.string(), body: v.string() }).index("bad", ["nested.path"]) });
$$::text)))->'tables';
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ _private: defineTable({ a: v.string() }) });
$$::text)))->'tables';
CREATE TABLE plain_table (id int PRIMARY KEY);
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb($$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ plain_table: defineTable({ a: v.string() }) });
$$::text)))->'tables';
DROP TABLE plain_table;
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{schema.js}', to_jsonb('export default 42;'::text)))->'tables';
SELECT count(*) > 0 AS additive_deploy_still_live FROM udf_functions() WHERE path LIKE 'messages:%';

-- Search and vector indexes on nested field paths ("meta.body"): on a typed
-- table (a hidden generated column computed from the jsonb column "meta"),
-- on a v.any() table and a union-typed one (from "_doc"). A document whose
-- path is missing, or holds another type, is simply not matched.
\set app `node regress/app-json.mjs regress/apps/search-nested`
SELECT udf_deploy(:'app')->'tables' AS tables;
-- the hidden columns, what each was made from, and their GIN indexes
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, col_description(a.attrelid, a.attnum) AS made_from
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relname IN ('posts', 'docs', 'shapes') AND a.attname LIKE '\_udf%' AND NOT a.attisdropped ORDER BY 1, 2;
SELECT indexname FROM pg_indexes WHERE tablename IN ('posts', 'docs', 'shapes') AND indexdef LIKE '%gin%' ORDER BY 1;

CREATE TEMP TABLE ids (title text, id text);
INSERT INTO ids SELECT t, udf_invoke('posts:add', jsonb_build_object('table', 'posts', 'doc', d)) #>> '{}'
FROM (VALUES ('hello general', '{"title": "hello general", "meta": {"body": "Hello there", "channel": "general", "embedding": [1, 0, 0]}}'::jsonb),
             ('hello random',  '{"title": "hello random", "meta": {"body": "hello again, hello", "channel": "random", "embedding": [0.9, 0.1, 0]}}'),
             ('no channel',    '{"title": "no channel", "meta": {"body": "hello without a channel", "embedding": [0, 1, 0]}}'),
             ('no body',       '{"title": "no body", "meta": {"channel": "general", "inner": {"text": "deep hello"}}}'),
             ('no meta',       '{"title": "no meta hello"}'),
             ('short vector',  '{"title": "short vector", "meta": {"body": "vectors", "embedding": [1, 0]}}')) v(t, d);

-- the nested search field: documents without meta, or meta without body, are not matched
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello"}');
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_inner", "field": "meta.inner.text", "text": "deep"}');
-- eq on a nested filter field; eq(path, undefined) finds the documents without it, null is another value
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["meta.channel", "general"]]}');
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["meta.channel", "$undefined"]]}');
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["meta.channel", null]]}');
-- a patch that replaces meta moves the document in and out of the index
SELECT udf_invoke('posts:patch', jsonb_build_object('id', id, 'fields', '{"meta": {"body": "hello patched", "channel": "general"}}'::jsonb)) FROM ids WHERE title = 'no body';
SELECT udf_invoke('posts:patch', jsonb_build_object('id', id, 'fields', '{"meta": {"channel": "random"}}'::jsonb)) FROM ids WHERE title = 'hello random';
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello"}');
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_inner", "field": "meta.inner.text", "text": "deep"}');
-- an SQL update is searchable at once
UPDATE posts SET meta = jsonb_set(meta, '{body}', '"hello from sql"') WHERE title = 'no channel';
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "sql"}');
-- pages
SELECT udf_invoke('posts:page', '{"text": "hello", "numItems": 2, "cursor": null}') AS p1 \gset
SELECT (:'p1'::jsonb) - 'cursor';
SELECT udf_invoke('posts:page', jsonb_build_object('text', 'hello', 'numItems', 2, 'cursor', :'p1'::jsonb->'cursor')) - 'cursor';
-- the search field must be the index's, the eq field one of its filterFields
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta", "text": "hello"}');
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["meta.body", "x"]]}');

-- vector search on a nested path, with a nested filter field; no meta, no embedding
-- or other dimensions: not in the index
SELECT udf_invoke('posts:similar', '{"table": "posts", "index": "by_embedding", "vector": [1, 0, 0]}');
SELECT udf_invoke('posts:similar', '{"table": "posts", "index": "by_embedding", "vector": [1, 0, 0], "eq": ["meta.channel", "random"]}');
SELECT udf_invoke('posts:similar', '{"table": "posts", "index": "by_embedding", "vector": [1, 0, 0], "eq": ["title", "x"]}');
-- documents carry their fields only
SELECT udf_invoke('posts:keys', '{"table": "posts"}');

-- a v.any() table: whatever a document holds at the path, only strings are searched
-- and only arrays of float64 are vectors
INSERT INTO ids SELECT t, udf_invoke('posts:add', jsonb_build_object('table', 'docs', 'doc', d)) #>> '{}'
FROM (VALUES ('any string',  '{"title": "any string", "kind": "a", "meta": {"body": "hello any", "channel": "x", "vec": [1, 0]}}'::jsonb),
             ('any number',  '{"title": "any number", "kind": "a", "meta": {"body": 5, "vec": [0, 1]}}'),
             ('any scalar',  '{"title": "any scalar hello", "kind": "b", "meta": "hello"}'),
             ('any array',   '{"title": "any array", "kind": "b", "meta": [{"body": "hello"}], "vec": [1, 1]}'),
             ('any ints',    '{"title": "any ints", "kind": "b", "meta": {"body": "hello ints", "vec": [{"$integer": "AQAAAAAAAAA="}, {"$integer": "AQAAAAAAAAA="}]}}'),
             ('any strings', '{"title": "any strings", "kind": "b", "meta": {"body": "hello strings", "vec": ["a", "b"]}}'),
             ('any inf',     '{"title": "any inf", "kind": "b", "meta": {"vec": [{"$float": "AAAAAAAA8H8="}, 1]}}')) v(t, d);
SELECT udf_invoke('posts:find', '{"table": "docs", "index": "by_body", "field": "meta.body", "text": "hello"}');
SELECT udf_invoke('posts:find', '{"table": "docs", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["kind", "b"]]}');
SELECT udf_invoke('posts:find', '{"table": "docs", "index": "by_body", "field": "meta.body", "text": "hello", "eqs": [["meta.channel", "x"]]}');
SELECT udf_invoke('posts:find', '{"table": "docs", "index": "by_title", "field": "title", "text": "scalar"}');
SELECT udf_invoke('posts:similar', '{"table": "docs", "index": "by_vec", "vector": [1, 0.5]}');
SELECT udf_invoke('posts:similar', '{"table": "docs", "index": "by_vec", "vector": [1, 0.5], "eq": ["kind", "b"]}');
SELECT udf_path_vector(_doc, '{meta,vec}') AS vec FROM docs WHERE _doc->>'title' = 'any inf';
-- a union of shapes: only the shape with the field is matched
SELECT udf_invoke('posts:add', '{"table": "shapes", "doc": {"kind": "note", "text": "hello shapes"}}') IS NOT NULL AS added;
SELECT udf_invoke('posts:add', '{"table": "shapes", "doc": {"kind": "count", "n": 3}}') IS NOT NULL AS added;
SELECT udf_invoke('posts:find', '{"table": "shapes", "index": "by_text", "field": "text", "text": "hello", "eqs": [["kind", "note"]]}');

-- a redeploy of the same schema keeps the hidden columns (no rewrite)
CREATE TEMP TABLE before AS SELECT attrelid, attname, attnum FROM pg_attribute WHERE attname LIKE '\_udf%' AND NOT attisdropped
  AND attrelid IN ('posts'::regclass, 'docs'::regclass, 'shapes'::regclass);
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT count(*) AS kept FROM before b JOIN pg_attribute a USING (attrelid, attname, attnum);
-- one made before columns carried what they were made from (a top-level
-- string field's) is recognized by its source column; others are made again
COMMENT ON COLUMN posts."_udf_search_by_title" IS NULL;
COMMENT ON COLUMN shapes."_udf_search_by_text" IS NULL;
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT count(*) AS kept FROM before b JOIN pg_attribute a USING (attrelid, attname, attnum);

-- a redeploy that moves an index to another path remakes its column; one that drops an index drops its column
SELECT udf_invoke('posts:add', '{"table": "posts", "doc": {"title": "inner again", "meta": {"body": "nothing", "inner": {"text": "deep again"}}}}') IS NOT NULL AS added;
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(replace(:'app'::jsonb->>'schema.js',
  '.searchIndex("by_inner", { searchField: "meta.inner.text" })', ''),
  'searchField: "meta.body", filterFields: ["meta.channel"] }', 'searchField: "meta.inner.text", filterFields: ["meta.channel"] }')))->'tables';
SELECT a.attname, col_description(a.attrelid, a.attnum) AS made_from FROM pg_attribute a
 WHERE a.attrelid = 'posts'::regclass AND a.attname LIKE '\_udf%' AND NOT a.attisdropped ORDER BY 1;
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.inner.text", "text": "deep"}');

-- a table made by its first insert, then declared v.any() with a search index: its documents are indexed
SELECT udf_invoke('posts:add', '{"table": "loose", "doc": {"title": "loose one", "meta": {"body": "hello loose"}}}') IS NOT NULL AS added;
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(:'app'::jsonb->>'schema.js',
  '  shapes: defineTable(', '  loose: defineTable(v.any()).searchIndex("by_body", { searchField: "meta.body" }),
  shapes: defineTable(')))->'tables';
SELECT udf_invoke('posts:find', '{"table": "loose", "index": "by_body", "field": "meta.body", "text": "loose"}');
-- then declared with typed fields: its documents move into columns, the index is made again from them
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(:'app'::jsonb->>'schema.js',
  '  shapes: defineTable(', '  loose: defineTable({ title: v.string(), meta: v.optional(v.object({ body: v.string() })) })
    .searchIndex("by_body", { searchField: "meta.body" }),
  shapes: defineTable(')))->'tables';
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'loose' ORDER BY ordinal_position;
SELECT udf_invoke('posts:find', '{"table": "loose", "index": "by_body", "field": "meta.body", "text": "loose"}');

-- bad index fields refuse the deploy, naming the index and the field; the live deployment stays
\set bad 'import { defineSchema, defineTable } from "convex/server"; import { v } from "convex/values"; export default defineSchema({ posts: defineTable({ title: v.string(), meta: v.optional(v.object({ body: v.optional(v.string()), n: v.number(), embedding: v.optional(v.array(v.float64())) })) })'
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "meta.n" }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "meta.nope" }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "title.x" }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "meta" }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "meta..body" }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.searchIndex("s", { searchField: "meta.body", filterFields: ["meta.nope"] }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.vectorIndex("v", { vectorField: "meta.body", dimensions: 2 }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.vectorIndex("v", { vectorField: "meta.embedding.x", dimensions: 2 }) });'))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'bad' || '.vectorIndex("v", { vectorField: "meta.embedding", dimensions: 2, filterFields: ["meta.n.x"] }) });'))->'tables';
SELECT udf_invoke('posts:find', '{"table": "posts", "index": "by_body", "field": "meta.body", "text": "patched"}');

-- a union-typed vector field is read from its jsonb through a hidden column;
-- made a plain v.array(v.float64()) later, it becomes the vector column itself
\set mixed 'import { defineSchema, defineTable } from "convex/server"; import { v } from "convex/values"; export default defineSchema({ mixed: defineTable({ title: v.string(), e: v.optional('
-- (and a top-level union-typed search field: only its strings are searched)
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'mixed' || 'v.union(v.array(v.float64()), v.string())), label: v.optional(v.union(v.string(), v.number())) })'
  || '.vectorIndex("by_e", { vectorField: "e", dimensions: 2 }).searchIndex("by_label", { searchField: "label" }) });'))->'tables';
SELECT udf_invoke('posts:add', '{"table": "mixed", "doc": {"title": "mixed vector", "e": [1, 0], "label": "hello label"}}') IS NOT NULL AS added;
SELECT udf_invoke('posts:add', '{"table": "mixed", "doc": {"title": "mixed string", "e": "not a vector", "label": 5}}') IS NOT NULL AS added;
SELECT udf_invoke('posts:find', '{"table": "mixed", "index": "by_label", "field": "label", "text": "hello"}'),
       udf_invoke('posts:find', '{"table": "mixed", "index": "by_label", "field": "label", "text": "5"}');
SELECT udf_invoke('posts:similar', '{"table": "mixed", "index": "by_e", "vector": [1, 0.5]}');
SELECT udf_invoke('posts:patch', jsonb_build_object('id', udf_invoke('posts:add', '{"table": "mixed", "doc": {"title": "mixed later"}}') #>> '{}',
  'fields', '{"e": [0, 1]}'::jsonb));
DELETE FROM mixed WHERE e = '"not a vector"';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', :'mixed' || 'v.array(v.float64())), label: v.optional(v.union(v.string(), v.number())) })'
  || '.vectorIndex("by_e", { vectorField: "e", dimensions: 2 }) });'))->'tables';
SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'mixed' ORDER BY ordinal_position;
SELECT udf_invoke('posts:similar', '{"table": "mixed", "index": "by_e", "vector": [1, 0.5]}');
DROP TABLE posts, docs, shapes, loose, mixed;

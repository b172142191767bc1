-- Text search: searchIndex in schema.js (a hidden tsvector column kept by
-- PostgreSQL, a GIN index) and withSearchIndex with Convex's semantics:
-- tokenised terms, the last one a prefix, relevance order, eq filters,
-- .filter() on the candidates, at most 1024 candidates, paginate.
\set app `node regress/app-json.mjs regress/apps/search-text`
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT column_name, data_type, is_generated FROM information_schema.columns
 WHERE table_name = 'notes' ORDER BY ordinal_position;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'notes' AND indexdef LIKE '%gin%';

SELECT udf_invoke('notes:add', '{"body": "Hello, World!", "channel": "general", "tag": "greeting"}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "hello there, hello again", "channel": "general", "tag": null}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "the world is big", "channel": "random"}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "helicopter rides", "channel": "random", "tag": "fun"}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "send request", "channel": "general", "tag": "work"}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "Rabbit_hole: carrots;and-more", "channel": "random"}') IS NOT NULL AS added;

-- case and punctuation are ignored; "world" matches two documents
SELECT udf_invoke('notes:find', '{"text": "WORLD"}');
-- the last term is a prefix: "hel" finds hello and helicopter, "r" finds request and rabbit
SELECT udf_invoke('notes:find', '{"text": "hel"}');
SELECT udf_invoke('notes:find', '{"text": "r"}');
-- only the last term is a prefix: "hel world" finds the world documents, not helicopter
SELECT udf_invoke('notes:find', '{"text": "hel world"}');
-- underscores, colons, semicolons and hyphens split words, as Convex's tokenizer
SELECT udf_invoke('notes:find', '{"text": "hole carrots and"}');
-- letters beyond ASCII are letters, lowercased too
SELECT udf_invoke('notes:add', '{"body": "Über-Café in Straße 5", "channel": "random"}') IS NOT NULL AS added;
SELECT udf_invoke('notes:find', '{"text": "über CAFÉ"}'), udf_invoke('notes:find', '{"text": "strasse"}');
-- relevance: more matching terms rank first; more occurrences rank higher
SELECT udf_invoke('notes:find', '{"text": "hello world"}');
-- eq filters narrow the search; eq(tag, null) and eq(tag, undefined) differ
SELECT udf_invoke('notes:find', '{"text": "hello", "channel": "general"}');
SELECT udf_invoke('notes:find', '{"text": "world", "channel": "random"}');
SELECT udf_invoke('notes:find', '{"text": "hello", "tag": null}');
SELECT udf_invoke('notes:find', '{"text": "world", "tag": "missing"}');
SELECT udf_invoke('notes:find', '{"text": "hello", "channel": "general", "tag": "greeting"}');
-- no terms (only punctuation) find nothing; terms past the 16th are ignored;
-- a term of 32 bytes or more is dropped
SELECT udf_invoke('notes:find', '{"text": "  ,;! "}');
SELECT udf_invoke('notes:find', '{"text": "a b c d e f g h i j k l m n o p world"}');
SELECT udf_invoke('notes:find', '{"text": "a b c d e f g h i j k l m n o world"}');
SELECT udf_invoke('notes:find', '{"text": "world abcdefghijabcdefghijabcdefghijab"}');
-- documents carry their fields only; SQL sees the search column
SELECT udf_invoke('notes:firstDoc', '{"text": "rabbit"}');
SELECT count(*) FROM notes WHERE "_udf_search_search_body" @@ 'rabbit'::tsquery;
-- a mutation's search sees its own insert, patch, replace and delete; a SQL
-- update is searchable at once
SELECT udf_invoke('notes:addAndFind', '{"body": "fresh words"}');
SELECT udf_invoke('notes:rewrite');
UPDATE notes SET body = 'the world was updated' WHERE body = 'send request';
SELECT udf_invoke('notes:find', '{"text": "updated"}');

-- ties: the newest first
SELECT udf_invoke('notes:add', '{"body": "same same", "channel": "tie", "n": 1}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "same same", "channel": "tie", "n": 2}') IS NOT NULL AS added;
SELECT udf_invoke('notes:findWhere', '{"text": "same", "minN": 0, "take": 10}');

-- 1024 candidates: 1023 bulk documents are all found; with one more,
-- collect() fails with Convex's message, while take(n) and pages before
-- the end still work, and a page that reads past the end fails
SELECT udf_invoke('notes:addMany', '{"body": "bulk item", "count": 1023}');
SELECT udf_invoke('notes:count', '{"text": "bulk"}');
SELECT udf_invoke('notes:addMany', '{"body": "bulk item", "count": 1}');
SELECT udf_invoke('notes:count', '{"text": "bulk"}');
SELECT udf_invoke('notes:count', '{"text": "bulk", "take": 1024}');
-- .filter() runs on the 1024 candidates: n >= 1020 keeps the newest candidates' n
SELECT udf_invoke('notes:findWhere', '{"text": "bulk", "minN": 1020, "take": 3}');
SELECT udf_invoke('notes:findWhere', '{"text": "bulk", "minN": 5000, "take": 3}');

-- paginate: pages of 2 over the four matches, then the end; endCursor re-reads a page; cursors are checked
SELECT udf_invoke('notes:page', '{"text": "hello world", "numItems": 2, "cursor": null}') AS p1 \gset
SELECT (:'p1'::jsonb) - 'cursor';
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'hello world', 'numItems', 2, 'cursor', :'p1'::jsonb->'cursor')) AS p2 \gset
SELECT (:'p2'::jsonb) - 'cursor';
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'hello world', 'numItems', 2, 'cursor', :'p2'::jsonb->'cursor')) - 'cursor';
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'hello world', 'numItems', 5, 'cursor', null,
                                                   'endCursor', :'p1'::jsonb->'cursor')) - 'cursor';
SELECT udf_invoke('notes:page', '{"text": "bulk", "numItems": 1000, "cursor": null}') AS b1 \gset
SELECT jsonb_array_length((:'b1'::jsonb)->'bodies') AS first_bulk_page, (:'b1'::jsonb)->'isDone' AS done;
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'bulk', 'numItems', 24, 'cursor', :'b1'::jsonb->'cursor')) - 'cursor' - 'bodies';
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'bulk', 'numItems', 25, 'cursor', :'b1'::jsonb->'cursor'));
SELECT udf_invoke('notes:page', '{"text": "hello", "numItems": 2, "cursor": "not a cursor"}');
SELECT udf_invoke('notes:page', jsonb_build_object('text', 'hello', 'numItems', 2,
  'cursor', split_part(:'p1'::jsonb->>'cursor', '.', 1) || '.' || reverse(split_part(:'p1'::jsonb->>'cursor', '.', 2))));
SELECT udf_invoke('notes:twoPages');

-- bad queries name the index and what to do
SELECT udf_invoke('notes:wrongField');
SELECT udf_invoke('notes:twoSearches');
SELECT udf_invoke('notes:notAFilterField');
SELECT udf_invoke('notes:tooManyEqs');
SELECT udf_invoke('notes:noSuchIndex');
SELECT udf_invoke('notes:ordered');
SELECT udf_invoke('notes:noSearch');
-- the session is still usable
SELECT udf_invoke('notes:find', '{"text": "rabbit"}');

-- bad search indexes refuse the deploy; the live deployment stays
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ body: v.string(), channel: v.string(), n: v.optional(v.number()) })
    .searchIndex("search_n", { searchField: "n" }),
});$js$))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ body: v.string(), channel: v.string() })
    .searchIndex("search_body", { searchField: "body", filterFields: ["nope"] }),
});$js$))->'tables';
SELECT udf_invoke('notes:find', '{"text": "rabbit"}');
-- a redeploy that searches another field remakes the column from that field
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ body: v.string(), channel: v.string(), tag: v.optional(v.union(v.string(), v.null())), n: v.optional(v.number()) })
    .searchIndex("search_body", { searchField: "channel", filterFields: ["tag"] }),
});$js$))->'tables';
SELECT count(*) AS random_channel FROM notes WHERE "_udf_search_search_body" @@ 'random'::tsquery;
-- a redeploy without the search index drops its column and GIN index
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  notes: defineTable({ body: v.string(), channel: v.string(), tag: v.optional(v.union(v.string(), v.null())), n: v.optional(v.number()) }),
});$js$))->'tables';
SELECT count(*) AS search_columns FROM information_schema.columns WHERE table_name = 'notes' AND column_name LIKE '\_udf%';
SELECT count(*) AS gin_indexes FROM pg_indexes WHERE tablename = 'notes' AND indexdef LIKE '%gin%';
SELECT udf_invoke('notes:find', '{"text": "rabbit"}');
DROP TABLE notes;

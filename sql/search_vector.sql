-- Vector search: vectorIndex in schema.js (its field a double precision[]
-- column) and ctx.vectorSearch in actions: {_id, _score} by cosine
-- similarity, best first, ties by _id; limit 1..256 (default 10); filters
-- q.eq on filterFields and q.or of them; wrong dimensions refused.
\set app `node regress/app-json.mjs regress/apps/search-vector`
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT column_name, data_type FROM information_schema.columns
 WHERE table_name = 'foods' AND column_name = 'embedding';

CREATE TEMP TABLE ids (description text, id text);
INSERT INTO ids SELECT d, udf_invoke('foods:add', jsonb_build_object('description', d, 'cuisine', c, 'rating', r, 'embedding', e)) #>> '{}'
FROM (VALUES ('pain au chocolat', 'French', 5, '[1, 0, 0]'::jsonb),
             ('croissant',        'French', 4, '[0.9, 0.1, 0]'),
             ('nasi goreng',      'Indonesian', 5, '[0, 1, 0]'),
             ('sate',             'Indonesian', 3, '[0.1, 0.9, 0.1]'),
             ('tacos',            'Mexican', 4, '[0, 0, 1]'),
             ('opposite',         'Mexican', 1, '[-1, 0, 0]'),
             ('zero',             'Mexican', 1, '[0, 0, 0]'),
             ('twin a',           'Twin', 2, '[0, 0.6, 0.8]'),
             ('twin b',           'Twin', 2, '[0, 0.6, 0.8]')) v(d, c, r, e);
-- a document without a vector, and one whose vector has other dimensions, are not in the index
INSERT INTO ids SELECT 'no vector', udf_invoke('foods:add', '{"description": "no vector", "cuisine": "French"}') #>> '{}';
INSERT INTO ids SELECT 'short', udf_invoke('foods:add', '{"description": "short", "cuisine": "French", "embedding": [1, 0]}') #>> '{}';
-- vectors round-trip exactly
SELECT udf_invoke('foods:get', jsonb_build_object('id', id))->'embedding' AS embedding FROM ids WHERE description = 'croissant';
INSERT INTO ids SELECT 'precise', udf_invoke('foods:add', '{"description": "precise", "cuisine": "Test", "embedding": [0.1, 1e-300, -1.5e300]}') #>> '{}';
SELECT udf_invoke('foods:get', jsonb_build_object('id', id))->'embedding' = '[0.1, 1e-300, -1.5e300]' AS round_trips FROM ids WHERE description = 'precise';

-- the results with the documents' descriptions, shown by score then description
-- (ids are random); in_order: the action gave this row after every better one,
-- and after every equal one of a smaller _id
CREATE FUNCTION similar(args jsonb) RETURNS TABLE (description text, score numeric, keys jsonb, in_order boolean)
LANGUAGE sql AS $$
  WITH r AS (SELECT n, i.description, (r->>'_score')::float8 AS raw, r->>'_id' COLLATE "C" AS id, r->'keys' AS keys
             FROM jsonb_array_elements(udf_invoke('foods:similar', args)) WITH ORDINALITY AS x(r, n)
             LEFT JOIN ids i ON i.id = r->>'_id'),
       o AS (SELECT *, coalesce(lag(raw) OVER w > raw OR (lag(raw) OVER w = raw AND lag(id) OVER w < id), true) AS ok
             FROM r WINDOW w AS (ORDER BY n))
  SELECT description, round(raw::numeric, 6), keys, ok FROM o ORDER BY raw DESC, description $$;
-- the default limit is 10; scores are cosine similarities from 1 down to -1 (a zero vector scores 0)
SELECT * FROM similar('{"vector": [2, 0, 0]}');
SELECT * FROM similar('{"vector": [1, 0, 0], "limit": 2}');
-- components whose squares overflow a double still give the cosine
SELECT * FROM similar('{"vector": [1e300, 2e300, 0], "limit": 3}');
-- equal scores: ties broken by _id
SELECT (SELECT array_agg(r->>'_id' ORDER BY n)
          FROM jsonb_array_elements(udf_invoke('foods:similar', '{"vector": [0, 3, 4], "limit": 2}')) WITH ORDINALITY x(r, n)) =
       (SELECT array_agg(id ORDER BY id COLLATE "C") FROM ids WHERE description LIKE 'twin%') AS ties_by_id;
-- filters: q.eq on a filter field, q.or of several, across two fields
SELECT * FROM similar('{"vector": [1, 0, 0], "cuisines": ["Indonesian"]}');
SELECT * FROM similar('{"vector": [0.5, 1, 0.2], "cuisines": ["French", "Mexican"], "limit": 3}');
SELECT * FROM similar('{"vector": [0, 0, 1], "cuisines": ["Twin"], "rating": 5}');
-- the limit may be 256
SELECT count(*) FROM similar('{"vector": [1, 1, 1], "limit": 256}');

-- bad inputs name the index and what to do; the session stays usable
SELECT * FROM similar('{"vector": [1, 0]}');
SELECT * FROM similar('{"vector": [1, 0, 0, 0]}');
SELECT udf_invoke('foods:emptyVector');
SELECT udf_invoke('foods:fromQuery');
SELECT udf_invoke('foods:badLimit', '{"limit": 0}');
SELECT udf_invoke('foods:badLimit', '{"limit": 257}');
SELECT udf_invoke('foods:badLimit', '{"limit": 2.5}');
SELECT udf_invoke('foods:wrongIndex');
SELECT udf_invoke('foods:wrongTable');
SELECT udf_invoke('foods:notAFilterField');
SELECT udf_invoke('foods:tooManyEqs');
SELECT udf_invoke('foods:literalFilter');
SELECT * FROM similar('{"vector": [0, 0, 1], "limit": 1}');

-- a vector index added to a field of jsonb arrays converts the column in place
SELECT udf_invoke('foods:addPlain', '{"vec": [0.25, -1.5, 3]}') IS NOT NULL AS added;
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(:'app'::jsonb->>'schema.js',
  'plain: defineTable({ vec: v.array(v.float64()) })',
  'plain: defineTable({ vec: v.array(v.float64()) }).vectorIndex("by_vec", { vectorField: "vec", dimensions: 3 })')))->'tables';
SELECT data_type FROM information_schema.columns WHERE table_name = 'plain' AND column_name = 'vec';
SELECT udf_invoke('foods:listPlain');

-- bad vector indexes refuse the deploy
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  foods: defineTable({ description: v.string(), cuisine: v.string(), embedding: v.optional(v.array(v.float64())) })
    .vectorIndex("by_description", { vectorField: "description", dimensions: 3 }),
});$js$))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  foods: defineTable({ description: v.string(), cuisine: v.string(), embedding: v.optional(v.array(v.float64())) })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1 }),
});$js$))->'tables';
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', $js$
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  foods: defineTable({ description: v.string(), cuisine: v.string(), embedding: v.optional(v.array(v.float64())) })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3, filterFields: ["nope"] }),
});$js$))->'tables';
-- a field holding something other than arrays of numbers cannot become a vector field
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(:'app'::jsonb->>'schema.js',
  'plain: defineTable(', 'bad: defineTable({ vec: v.any() }), plain: defineTable(')))->'tables';
INSERT INTO bad VALUES ('x', 0, '{"a": 1}');
SELECT udf_deploy(:'app'::jsonb || jsonb_build_object('schema.js', replace(:'app'::jsonb->>'schema.js',
  'plain: defineTable(', 'bad: defineTable({ vec: v.array(v.float64()) }).vectorIndex("by_vec", { vectorField: "vec", dimensions: 3 }), plain: defineTable(')))->'tables';
SELECT * FROM similar('{"vector": [0, 0, 1], "limit": 1}');
DROP FUNCTION similar(jsonb);
DROP TABLE foods, plain, bad;

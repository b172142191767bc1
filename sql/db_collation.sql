-- Strings sort by UTF-8 bytes, as in Convex: schema.js's string columns are
-- COLLATE "C", here in a database whose default collation is linguistic
-- (ICU's root locale, where "_" < "a" < "B" < "é" < "z" < "Z"), so order(),
-- withIndex ranges, filters, pages and the btree keys follow bytes:
-- "B" < "Z" < "_" < "a" < "ab" < "z" < "é". Columns of an earlier version
-- (the database's collation) are given "C" by the next deploy.
\set app `node regress/app-json.mjs regress/apps/collation`
CREATE DATABASE udf_collation TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C.UTF-8';
\c udf_collation
CREATE EXTENSION udf;
SELECT datlocprovider, daticulocale FROM pg_database WHERE datname = current_database();
SELECT udf_deploy(:'app')->'tables' AS tables;
-- the string and id columns are "C"; an index's key columns carry it
SELECT a.attname, c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
 WHERE a.attrelid = 'words'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
SELECT c.collname FROM pg_index i, unnest(i.indcollation) k JOIN pg_collation c ON c.oid = k
 WHERE i.indexrelid = 'words__by_w'::regclass;
SELECT udf_invoke('words:add', jsonb_build_object('w', w)) IS NOT NULL AS added
  FROM unnest(ARRAY['z', 'é', 'a', 'Z', '_', 'B', 'ab']) w;
-- the database's own order differs: the test could fail
SELECT string_agg(w, ' ' ORDER BY w COLLATE "default") AS linguistic, string_agg(w, ' ' ORDER BY w) AS column_order FROM words;
SELECT udf_invoke('words:ordered', '{"index": "by_w"}'), udf_invoke('words:ordered', '{"index": "by_w", "desc": true}');
-- an any-typed field sorts through udf_sort_key: bytes too
SELECT udf_invoke('words:ordered', '{"index": "by_any"}');
SELECT udf_invoke('words:between', '{"lo": "Z", "hi": "a"}'), udf_invoke('words:between', '{"lo": "a", "hi": "z"}');
SELECT udf_invoke('words:below', '{"field": "w", "s": "a"}'), udf_invoke('words:below', '{"field": "note", "s": "a"}'),
       udf_invoke('words:below', '{"field": "any", "s": "a"}');
-- pages of 2 through the index
WITH RECURSIVE p(n, r) AS (
  SELECT 1, udf_invoke('words:page', '{"cursor": null}')
  UNION ALL SELECT n + 1, udf_invoke('words:page', jsonb_build_object('cursor', r->'cursor')) FROM p WHERE NOT (r->>'isDone')::boolean)
SELECT n, r->'words' AS words, r->'isDone' AS done FROM p ORDER BY n;
-- the btree gives a range in this order (no sort step)
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM words WHERE w > 'Z' AND w < 'a' ORDER BY w, "_creationTime";
RESET enable_seqscan;
RESET enable_bitmapscan;
-- letters beyond ASCII are still letters for search (the database's LC_CTYPE, not "C")
SELECT udf_invoke('words:search', '{"text": "É"}');

-- a deployment made before: its string columns have the database's collation
-- (the search column made from w as that version made it, without a comment)
ALTER TABLE words DROP COLUMN "_udf_search_search_w";
ALTER TABLE words ALTER COLUMN w TYPE text COLLATE pg_catalog."default", ALTER COLUMN ref TYPE text COLLATE pg_catalog."default",
  ALTER COLUMN note TYPE text COLLATE pg_catalog."default";
ALTER TABLE words ADD COLUMN "_udf_search_search_w" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig,
  regexp_replace(COALESCE(w, ''), '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX "words__search_w" ON words USING gin ("_udf_search_search_w");
SELECT udf_invoke('words:ordered', '{"index": "by_w"}') AS before_redeploy;
-- a view on note: that column cannot be altered, so it keeps its collation, with a WARNING
CREATE VIEW word_notes AS SELECT note FROM words;
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT a.attname, c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
 WHERE a.attrelid = 'words'::regclass AND a.attname IN ('w', 'ref', 'note') ORDER BY a.attnum;
SELECT indisvalid, c.collname FROM pg_index i, unnest(i.indcollation) k JOIN pg_collation c ON c.oid = k
 WHERE i.indexrelid = 'words__by_w'::regclass;
SELECT udf_invoke('words:ordered', '{"index": "by_w"}') AS after_redeploy, udf_invoke('words:between', '{"lo": "Z", "hi": "a"}');
-- the search column was made again from the altered column, and says so
SELECT col_description('words'::regclass, attnum) FROM pg_attribute WHERE attrelid = 'words'::regclass AND attname = '_udf_search_search_w';
SELECT udf_invoke('words:search', '{"text": "é"}');
-- note follows the database's collation until the view is gone and the app deployed again
SELECT udf_invoke('words:below', '{"field": "note", "s": "a"}');
DROP VIEW word_notes;
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT c.collname FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
 WHERE a.attrelid = 'words'::regclass AND a.attname = 'note';
SELECT udf_invoke('words:below', '{"field": "note", "s": "a"}');
\c contrib_regression
DROP DATABASE udf_collation WITH (FORCE);

-- db.insert's INSERT text, remembered by table and fields, and its write
-- target answered from the table cache: a new field order, a field set, a
-- table recreated with other types, search_path, a query's refusal and a
-- caught failure all behave as a first insert does.
\set app `node regress/app-json.mjs regress/apps/insert-cache`
SELECT udf_deploy(:'app')->'modules';
CREATE TABLE ic (id serial PRIMARY KEY, a int, b text);
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"a": 1, "b": "x"}, {"b": "y", "a": 2}, {"a": 3}, {"b": "z"}, {}]}');
SELECT * FROM ic ORDER BY id;
-- the same name, another table: other types, another primary key
DROP TABLE ic;
CREATE TABLE ic (k text PRIMARY KEY, a text, b float8);
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "p", "a": 1, "b": "x"}]}');
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "p", "a": "one", "b": 1.5}, {"k": "q", "b": 2}]}');
SELECT * FROM ic ORDER BY k;
-- a field the new table does not have
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "r", "c": 1}]}');
-- search_path picks the table; the cache follows it
CREATE SCHEMA ic_other;
CREATE TABLE ic_other.ic (k text PRIMARY KEY, a text, b float8);
SET search_path = ic_other, public;
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "s", "a": "other"}]}');
RESET search_path;
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "t", "a": "public"}]}');
SELECT 'public' AS t, k, a FROM public.ic UNION ALL SELECT 'other', k, a FROM ic_other.ic ORDER BY 1, 2;
-- a query may not insert, the table known or not
SELECT udf_invoke('ic:insertInQuery', '{"table": "ic"}');
SELECT udf_invoke('ic:insertInQuery', '{"table": "ic_never"}');
-- a failing insert caught in JS leaves no row, the next one stays
SELECT udf_invoke('ic:catchFailure', '{"table": "ic", "bad": {"k": "p", "a": "dup"}, "good": {"k": "u", "a": "after"}}');
SELECT udf_invoke('ic:catchFailure', '{"table": "ic", "bad": {"k": "v", "b": "not a number"}, "good": {"k": "w"}}');
SELECT k, a FROM ic ORDER BY k;
-- the write limits count a document's JSON text, whichever form it travelled in
-- (escapes, non-ASCII, whole and fractional numbers, nesting)
ALTER TABLE ic ADD COLUMN j jsonb, ADD COLUMN n int8;
SELECT udf_invoke('ic:bytesCounted', $$ {"table": "ic", "plain": {"k": "é\n\"q\u0001", "b": -0.000001234, "j": {"x": [1, -20, 3.5e300, 1e21, 1e-7, 123e-20, 0.5, 100.25, 9007199254740993, null, true, false, "s"], "y": {}, "z": []}}} $$);
SELECT udf_invoke('ic:bytesCounted', $$ {"table": "ic", "plain": {"k": "n", "b": 1.5e-300, "j": [1e-6, 1.5e-6, 1.25e21, -9007199254740993, 4.9e-324, 1.7976931348623157e308]}} $$);
SELECT k, b, j, n FROM ic WHERE k LIKE 'é%' OR k LIKE 'n%' ORDER BY k;
-- a whole number past 2^63 (below 1e21) is a float64 like any other in a plain
-- document; in JSON text (a document with a bigint) the parser refuses it, as before
SELECT udf_invoke('ic:insertAll', '{"table": "ic", "docs": [{"k": "w63", "b": 2e20}]}');
SELECT udf_invoke('ic:bytesCounted', '{"table": "ic", "plain": {"k": "w63b", "b": 2e20}}');
SELECT k, b FROM ic WHERE k LIKE 'w63%' ORDER BY k;
SET udf.max_bytes_written = 1;
SELECT udf_invoke('ic:insertAll', ($$ {"table": "ic", "docs": [{"k": "big", "a": "$$ || repeat('x', 1000) || $$"}]} $$)::jsonb);
SELECT udf_invoke('ic:insertAll', ($$ {"table": "ic", "docs": [{"k": "big", "a": "$$ || repeat('x', 1010) || $$"}]} $$)::jsonb);
RESET udf.max_bytes_written;
-- a trigger's mutation inserting per row (one call per row, the target cached),
-- before and after its audit table is made again with another column type
CREATE TABLE ic_items (id int PRIMARY KEY);
CREATE TABLE ic_audit (n serial PRIMARY KEY, item int);
CREATE TRIGGER a AFTER INSERT ON ic_items FOR EACH ROW EXECUTE FUNCTION udf_trigger('ic:audit');
INSERT INTO ic_items SELECT generate_series(1, 3);
DROP TABLE ic_audit;
CREATE TABLE ic_audit (n serial PRIMARY KEY, item float8 NOT NULL);
INSERT INTO ic_items SELECT generate_series(4, 5);
SELECT n, item, pg_typeof(item) FROM ic_audit ORDER BY n;
DROP TABLE ic, ic_items, ic_audit;
DROP SCHEMA ic_other CASCADE;
-- a key the document gives is its _id without RETURNING, in the key type's text;
-- a BEFORE trigger that may change it brings RETURNING back, and its removal drops it
CREATE TABLE ic_key (k int PRIMARY KEY, a text);
SELECT udf_invoke('ic:insertAll', '{"table": "ic_key", "docs": [{"k": 7, "a": "x"}, {"k": 8.0, "a": "y"}]}');
CREATE FUNCTION ic_key_shift() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.k := NEW.k + 100; RETURN NEW; END $$;
CREATE TRIGGER ic_key_shift BEFORE INSERT ON ic_key FOR EACH ROW EXECUTE FUNCTION ic_key_shift();
SELECT udf_invoke('ic:insertAll', '{"table": "ic_key", "docs": [{"k": 9, "a": "z"}]}');
DROP TRIGGER ic_key_shift ON ic_key;
SELECT udf_invoke('ic:insertAll', '{"table": "ic_key", "docs": [{"k": 10, "a": "w"}]}');
SELECT * FROM ic_key ORDER BY k;
DROP TABLE ic_key;
DROP FUNCTION ic_key_shift();

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

-- ctx.db on ordinary PostgreSQL tables: rows are documents keyed by their
-- single-column primary key (as text), SQL and JS see the same rows, filters
-- and index ranges run as SQL, writes need a mutation, and SQL errors are
-- catchable in JS.
CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, qty int, price numeric,
                     big bigint, tags text[], meta jsonb, at timestamptz DEFAULT '2024-01-01 00:00:00+00');
CREATE INDEX orders_item ON orders (item, qty);
INSERT INTO orders (item, qty, price, big, tags, meta) VALUES
  ('apple', 3, 1.5, 10, '{a,b}', '{"k": 1}'), ('pear', 1, 2.25, NULL, NULL, NULL), ('apple', 7, 1.5, 5, NULL, NULL);

\set app `node regress/app-json.mjs regress/apps/db-tables`
SELECT udf_deploy(:'app')->'modules';

SELECT jsonb_pretty(udf_invoke('shop:all') -> 0);
SELECT udf_invoke('shop:get', '{"id": "2"}') - 'at';
SELECT udf_invoke('shop:missing');
-- withIndex: eq then a bound on the next index field; order; filter
SELECT udf_invoke('shop:apples'), udf_invoke('shop:desc'), udf_invoke('shop:cheap'), udf_invoke('shop:count');
SELECT udf_invoke('shop:first');
SELECT udf_invoke('shop:uniq');
-- writes from a mutation, seen by SQL at once
SELECT udf_invoke('shop:add', '{"item": "kiwi", "qty": 4}');
SELECT udf_invoke('shop:bump', '{"id": "1"}');
SELECT udf_invoke('shop:del', '{"id": "2"}');
SELECT udf_invoke('shop:replace', '{"id": "3"}') - 'at';
SELECT id, item, qty, price FROM orders ORDER BY id;
-- and what SQL writes, JS reads
UPDATE orders SET qty = 100 WHERE id = 1;
SELECT udf_invoke('shop:get', '{"id": "1"}')->'qty';
-- a table altered is described again: db.get's remembered SELECT goes with it
ALTER TABLE orders ADD COLUMN note text DEFAULT 'fresh';
SELECT udf_invoke('shop:get', '{"id": "1"}')->'note' AS added;
ALTER TABLE orders DROP COLUMN note;
SELECT udf_invoke('shop:get', '{"id": "1"}') ? 'note' AS still_there;
-- errors: writes from a query, SQL errors caught in JS, bad names and types
SELECT udf_invoke('shop:badWrite');
-- even calling the syscall directly: the C side checks the kind
SELECT udf_invoke('shop:sneakyWrite');
SELECT udf_invoke('shop:dup');
SELECT udf_invoke('shop:afterCatch') IS NOT NULL AS inserted_after_catch;
-- a table that does not exist yet has no documents (Convex: tables exist once written)
SELECT udf_invoke('shop:noTable');
SELECT udf_invoke('shop:noColumn');
SELECT udf_invoke('shop:wrongType');
SELECT udf_invoke('shop:badIndex');
SELECT udf_invoke('shop:noIndex');
SELECT udf_invoke('shop:patchMissing');
-- values are parameters and names are quoted: nothing injects
SELECT udf_invoke('shop:injection');
SELECT udf_invoke('shop:injectTable');
SELECT count(*) FROM orders;
-- the caller's privileges apply
CREATE ROLE udf_db_reader;
GRANT SELECT ON orders TO udf_db_reader;
SET ROLE udf_db_reader;
SELECT udf_invoke('shop:count');
SELECT udf_invoke('shop:add', '{"item": "no", "qty": 1}');
RESET ROLE;
-- row-level security too
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_apples ON orders FOR SELECT TO udf_db_reader USING (item = 'apple');
SET ROLE udf_db_reader;
SELECT udf_invoke('shop:count');
RESET ROLE;
DROP POLICY only_apples ON orders;
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON orders FROM udf_db_reader;
DROP ROLE udf_db_reader;

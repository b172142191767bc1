-- The example shop (regress/apps/shop): the template for testing udf
-- functions with pg_regress. Fixed time and seed make ids and times stable;
-- SQL sets up tables and triggers; the test drives it with plain SQL.
SET udf.test_now = 1700000000000;
SET udf.test_seed = 42;
\set app `node regress/app-json.mjs regress/apps/shop`
SELECT udf_deploy(:'app') - 'deployment';

CREATE TABLE shop_stock (item text PRIMARY KEY, on_hand int NOT NULL);
CREATE TABLE shop_orders (id serial PRIMARY KEY, item text NOT NULL, qty int NOT NULL);
INSERT INTO shop_stock VALUES ('apple', 10), ('pear', 5);
CREATE TRIGGER normalize BEFORE INSERT OR UPDATE ON shop_orders
  FOR EACH ROW EXECUTE FUNCTION udf_trigger('shop:normalizeOrder');
CREATE TRIGGER keep_stock AFTER INSERT OR UPDATE OR DELETE ON shop_orders
  FOR EACH ROW EXECUTE FUNCTION udf_trigger('shop:onOrderChange', 'via trigger');
CREATE TRIGGER batch AFTER INSERT ON shop_orders REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('shop:onBatch');
CREATE TRIGGER emptied AFTER TRUNCATE ON shop_orders
  FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('shop:onTruncate');

-- BEFORE ROW: the row is rewritten (item lower-cased), skipped (qty 0) or kept
INSERT INTO shop_orders (item, qty) VALUES (' Apple ', 3), ('pear', 0), ('pear', 2);
SELECT * FROM shop_orders ORDER BY id;
SELECT * FROM shop_stock ORDER BY item;
UPDATE shop_orders SET qty = 1 WHERE item = 'apple';
DELETE FROM shop_orders WHERE item = 'pear';
SELECT * FROM shop_stock ORDER BY item;
-- a trigger that throws aborts the statement with the JS error
INSERT INTO shop_orders (item, qty) VALUES ('kiwi', 1);
SELECT count(*) FROM shop_orders;
TRUNCATE shop_orders;
SELECT jsonb_pretty(udf_invoke('shop:auditLog'));
-- ids and creation times are reproducible under udf.test_seed and udf.test_now
SELECT "_id", "_creationTime" = 1700000000000 AS first_at_test_now FROM audit ORDER BY "_creationTime" LIMIT 2;
DROP TABLE shop_orders, shop_stock;

-- ctx.db on ordinary PostgreSQL tables: rows are documents keyed by their
-- single-column primary key (as text), SQL and JS see the same rows, filters
-- and index ranges run as SQL, writes need a mutation, and SQL errors are
-- catchable in JS.
CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL, qty int, price numeric,
                     big bigint, tags text[], meta jsonb, at timestamptz DEFAULT '2024-01-01 00:00:00+00');
CREATE INDEX orders_item ON orders (item, qty);
INSERT INTO orders (item, qty, price, big, tags, meta) VALUES
  ('apple', 3, 1.5, 10, '{a,b}', '{"k": 1}'), ('pear', 1, 2.25, NULL, NULL, NULL), ('apple', 7, 1.5, 5, NULL, NULL);

SELECT udf_deploy($${"shop.js": "import { query, mutation } from './_generated/server';\nimport { v } from 'convex/values';\nexport const all = query(async (ctx) => ctx.db.query('orders').collect());\nexport const get = query({ args: { id: v.string() }, handler: async (ctx, { id }) => ctx.db.get('orders', id) });\nexport const apples = query(async (ctx) => (await ctx.db.query('orders').withIndex('orders_item', (q) => q.eq('item', 'apple').gt('qty', 2)).collect()).map((o) => o.id));\nexport const desc = query(async (ctx) => (await ctx.db.query('orders').order('desc').take(2)).map((o) => o.id));\nexport const cheap = query(async (ctx) => (await ctx.db.query('orders').filter((q) => q.and(q.lt(q.field('price'), 2), q.neq(q.field('item'), 'pear'))).collect()).map((o) => o.id));\nexport const count = query(async (ctx) => ctx.db.query('orders').count());\nexport const add = mutation({ args: { item: v.string(), qty: v.number() }, handler: async (ctx, a) => ctx.db.insert('orders', a) });\nexport const bump = mutation({ args: { id: v.string() }, handler: async (ctx, { id }) => { const o = await ctx.db.get('orders', id); await ctx.db.patch('orders', id, { qty: o.qty + 1 }); return (await ctx.db.get('orders', id)).qty; } });\nexport const del = mutation({ args: { id: v.string() }, handler: async (ctx, { id }) => { await ctx.db.delete('orders', id); return await ctx.db.get('orders', id); } });\nexport const replace = mutation({ args: { id: v.string() }, handler: async (ctx, { id }) => { await ctx.db.replace('orders', id, { item: 'plum' }); return ctx.db.get('orders', id); } });\nexport const badWrite = query(async (ctx) => ctx.db.insert('orders', { item: 'x' }));\nexport const dup = mutation(async (ctx) => { try { await ctx.db.insert('orders', { id: 1, item: 'dup' }); } catch (e) { return 'caught: ' + e.message; } return 'no error'; });\nexport const afterCatch = mutation(async (ctx) => { try { await ctx.db.insert('orders', { id: 1, item: 'dup' }); } catch (e) {} return ctx.db.insert('orders', { item: 'after catch', qty: 1 }); });\nexport const first = query(async (ctx) => { for await (const o of ctx.db.query('orders')) return o.item; return null; });\nexport const uniq = query(async (ctx) => ctx.db.query('orders').withIndex('orders_item', (q) => q.eq('item', 'apple')).unique());\nexport const missing = query(async (ctx) => ctx.db.get('orders', '999'));\nexport const noTable = query(async (ctx) => ctx.db.query('nope').collect());\nexport const noColumn = mutation(async (ctx) => ctx.db.insert('orders', { item: 'x', colour: 'red' }));\nexport const wrongType = mutation(async (ctx) => ctx.db.insert('orders', { item: 'x', qty: 'many' }));\nexport const badIndex = query(async (ctx) => ctx.db.query('orders').withIndex('orders_item', (q) => q.eq('qty', 1)).collect());\nexport const noIndex = query(async (ctx) => ctx.db.query('orders').withIndex('nope').collect());\nexport const patchMissing = mutation(async (ctx) => ctx.db.patch('orders', '12345', { qty: 1 }));\nexport const injection = query(async (ctx) => (await ctx.db.query('orders').filter((q) => q.eq(q.field('item'), \"x' OR '1'='1\")).collect()).length);\nexport const sneakyWrite = query(async (ctx) => Convex.asyncSyscall('1.0/insert', JSON.stringify({ table: 'orders', value: { item: 'sneaky' } })));\nexport const injectTable = query(async (ctx) => ctx.db.query('orders; DROP TABLE orders').collect());"}$$)->'modules';

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
-- errors: writes from a query, SQL errors caught in JS, bad names and types
SELECT udf_invoke('shop:badWrite');
-- even calling the syscall directly: the C side checks the kind
SELECT udf_invoke('shop:sneakyWrite');
SELECT udf_invoke('shop:dup');
SELECT udf_invoke('shop:afterCatch') IS NOT NULL AS inserted_after_catch;
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

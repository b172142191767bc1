-- Release blockers of the reliability review, one section each: a stopped
-- call leaves nothing behind, a cancel inside a ctx.db call cannot be caught,
-- count() sees a mutation's own writes, open queries cost no lasting memory,
-- and a NUL in a schema name is an input error.
\set VERBOSITY terse
CREATE TABLE rel_items (id serial PRIMARY KEY, v text);
CREATE TABLE rel_slow (id serial PRIMARY KEY, i int);
CREATE FUNCTION rel_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$;
CREATE TRIGGER rel_slow_insert BEFORE INSERT ON rel_slow FOR EACH ROW EXECUTE FUNCTION rel_slow_insert();
INSERT INTO rel_items (v) SELECT 'row ' || n FROM generate_series(1, 3) n;
SELECT udf_deploy($${"rel.js": "import { query, mutation } from './_generated/server';\nlet n = 0;\nexport const inc = mutation(async () => ++n);\nexport const ghost = mutation(async (ctx) => { Promise.resolve().then(() => ctx.db.insert('rel_items', { v: 'ghost' })); for (;;) {} });\nexport const ghostThrow = mutation(async (ctx) => { Promise.resolve().then(() => ctx.db.insert('rel_items', { v: 'ghost' })); throw new Error('boom'); });\nexport const read = query(async (ctx) => (await ctx.db.query('rel_items').collect()).length);\nexport const insertAll = mutation(async (ctx) => { let caught = 0; for (let i = 0; i < 100; i++) { try { await ctx.db.insert('rel_slow', { i }); } catch (e) { caught++; } } return caught; });\nexport const countOwn = mutation(async (ctx) => { await ctx.db.insert('rel_items', { v: 'own' }); return [await ctx.db.query('rel_items').count(), (await ctx.db.query('rel_items').collect()).length]; });\nexport const leave = mutation(async (ctx) => { (async () => { await new Promise((res) => { globalThis.resume = res; }); try { await ctx.db.insert('rel_items', { v: 'dangling' }); globalThis.outcome = 'inserted'; } catch (e) { globalThis.outcome = e.message; } })(); return 'left'; });\nexport const hang = mutation(async (ctx) => { await new Promise((res) => { globalThis.resume = res; }); await ctx.db.insert('rel_items', { v: 'unfinished' }); });\nexport const resume = mutation(async () => { globalThis.outcome = null; globalThis.resume(); for (let i = 0; i < 10; i++) await null; return globalThis.outcome; });\nexport const spin = query(() => { for (;;) {} });\nexport const checked = mutation(async (ctx) => { try { await ctx.db.insert('rel_checked', { v: 1 }); } catch (e) { return 'caught: ' + e.message; } return 'no error'; });\nexport const streams = query(async (ctx) => { let n = 0; for (let i = 0; i < 2000; i++) { for await (const d of ctx.db.query('rel_items')) { n++; break; } } return n; });"}$$)->'modules';

-- a call stopped by statement_timeout: its queued microtask never runs, and
-- module state starts afresh (the context is thrown away)
SELECT udf_invoke('rel:inc'), udf_invoke('rel:inc');
SET statement_timeout = '200ms';
SELECT udf_invoke('rel:ghost');
RESET statement_timeout;
SELECT udf_invoke('rel:inc');
SELECT udf_invoke('rel:read');
SET statement_timeout = '200ms';
SELECT udf_invoke('rel:ghost');
RESET statement_timeout;
SELECT udf_invoke('rel:read');
-- a thrown error: the microtask ran inside the failed call, so it is rolled back with it
SELECT udf_invoke('rel:ghostThrow');
SELECT count(*) AS ghosts FROM rel_items WHERE v = 'ghost';

-- a promise a finished (or unfinished) call left behind, resumed by a later
-- call, cannot reach the database: its syscalls carry the old call's token
SELECT udf_invoke('rel:leave');
SELECT udf_invoke('rel:resume');
SELECT udf_invoke('rel:hang');
SELECT udf_invoke('rel:resume');
SELECT count(*) AS leftovers FROM rel_items WHERE v IN ('dangling', 'unfinished');

-- a timeout that arrives while an insert is in SQL ends the call at once:
-- the mutation's try/catch never sees it, and nothing is written
SET statement_timeout = '300ms';
SELECT udf_invoke('rel:insertAll');
RESET statement_timeout;
SELECT count(*) AS slow_rows FROM rel_slow;
SELECT udf_invoke('rel:inc');

-- JavaScript nested inside a ctx.db call (a CHECK constraint that calls a
-- function) is watched as well: statement_timeout stops it, uncatchably
CREATE TABLE rel_checked (id serial PRIMARY KEY, v int CHECK (udf_invoke('rel:spin') IS NOT NULL));
SET statement_timeout = '300ms';
SELECT udf_invoke('rel:checked');
RESET statement_timeout;
SELECT count(*) AS checked_rows FROM rel_checked;
DROP TABLE rel_checked;

-- count() in a mutation counts the mutation's own insert, as collect() does
SELECT udf_invoke('rel:countOwn');

-- 4000 query streams in one transaction, then as many in the next: the
-- backend's long-lived memory does not grow with them
SELECT udf_invoke('rel:streams');
SELECT total_bytes AS top_before FROM pg_backend_memory_contexts WHERE name = 'TopMemoryContext' \gset
BEGIN;
SELECT udf_invoke('rel:streams'), udf_invoke('rel:streams');
COMMIT;
SELECT udf_invoke('rel:streams');
SELECT total_bytes - :top_before < 65536 AS top_memory_flat FROM pg_backend_memory_contexts WHERE name = 'TopMemoryContext';

-- a NUL in a schema.js field name is an input error that names it
\set VERBOSITY default
SELECT udf_deploy($${"schema.js": "import { defineSchema, defineTable } from 'convex/server';\nimport { v } from 'convex/values';\nexport default defineSchema({ nul: defineTable({ 'a\\u0000b': v.string() }) });"}$$);
\echo :LAST_ERROR_SQLSTATE
SELECT udf_invoke('rel:read');

DROP TABLE rel_items, rel_slow;
DROP FUNCTION rel_slow_insert();

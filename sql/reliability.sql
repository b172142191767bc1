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
\set app `node regress/app-json.mjs regress/apps/reliability`
SELECT udf_deploy(:'app')->'modules';

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
-- the host's natives are not reachable from deployed code
SELECT udf_invoke('rel:natives');
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
\set app `node regress/app-json.mjs regress/apps/nul-schema`
SELECT udf_deploy(:'app');
\echo :LAST_ERROR_SQLSTATE
SELECT udf_invoke('rel:read');

DROP TABLE rel_items, rel_slow;
DROP FUNCTION rel_slow_insert();

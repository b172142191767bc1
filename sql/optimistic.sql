-- Optimistic calls: a top-level query or mutation runs in one subtransaction,
-- its ctx.db ops without one each; an op that fails re-runs the call
-- carefully, exactly once, with earlier and later writes kept, console lines
-- and SQL notices sent once, limits counted once. A nested call makes the
-- attempt give way; udf.optimistic_calls = off gives every op its own.
\set app `node regress/app-json.mjs regress/apps/optimistic`
SELECT udf_deploy(:'app')->'modules';
CREATE TABLE opt_t (k int PRIMARY KEY, v text);
CREATE FUNCTION opt_t_note() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE NOTICE 'row % (%)', NEW.k, NEW.v; RETURN NEW; END $$;
CREATE TRIGGER opt_t_note AFTER INSERT ON opt_t FOR EACH ROW EXECUTE FUNCTION opt_t_note();
CREATE FUNCTION opt_counts() RETURNS jsonb LANGUAGE sql AS $$ SELECT udf_info()->'optimistic' $$;
SELECT opt_counts() AS start \gset
-- no failure: the attempt stands; its console line and the trigger's notices come once
SELECT udf_invoke('opt:many', '{"k": 100, "n": 2}');
SELECT (opt_counts()->>'attempts')::int - (:'start'::jsonb->>'attempts')::int AS attempts,
       (opt_counts()->>'reruns')::int - (:'start'::jsonb->>'reruns')::int AS reruns;
-- a caught duplicate: the attempt is re-run carefully once; JS catches the
-- error there, the rows before and after it stay, each line comes once
SELECT udf_invoke('opt:carryOn', '{"k": 1}');
SELECT * FROM opt_t ORDER BY k;
SELECT (opt_counts()->>'attempts')::int - (:'start'::jsonb->>'attempts')::int AS attempts,
       (opt_counts()->>'reruns')::int - (:'start'::jsonb->>'reruns')::int AS reruns;
-- the function now runs carefully in this backend: no attempt, no re-run
SELECT udf_invoke('opt:carryOn', '{"k": 10}');
SELECT (opt_counts()->>'attempts')::int - (:'start'::jsonb->>'attempts')::int AS attempts,
       (opt_counts()->>'reruns')::int - (:'start'::jsonb->>'reruns')::int AS reruns;
-- an uncaught failure fails the call as before, and the caller's
-- exception block finds its transaction usable, the call's writes gone
DO $$
BEGIN
  PERFORM udf_invoke('opt:uncaught', '{"k": 50}');
EXCEPTION WHEN unique_violation THEN
  RAISE NOTICE 'caught in SQL: %', SQLERRM;
END $$;
SELECT count(*) AS rows_of_50 FROM opt_t WHERE k = 50;
-- limits count the re-run only: two reads fit under a limit of 3
SET udf.max_documents_read = 3;
SELECT udf_invoke('opt:readThenFail', '{"a": "1", "b": "2"}');
RESET udf.max_documents_read;
-- a nested call makes the attempt give way: the call runs carefully, its writes once
SELECT udf_invoke('opt:withNested', '{"k": 200}');
SELECT * FROM opt_t WHERE k >= 200 ORDER BY k;
SELECT (opt_counts()->>'attempts')::int - (:'start'::jsonb->>'attempts')::int AS attempts,
       (opt_counts()->>'reruns')::int - (:'start'::jsonb->>'reruns')::int AS reruns;
-- a query is an attempt too
SELECT udf_invoke('opt:read', '{"k": "101"}');
-- one subtransaction per call, not one per insert: XIDs used by 100 inserts
SET client_min_messages = warning;
SELECT pg_current_xact_id()::text::bigint AS x0 \gset
SELECT udf_invoke('opt:many', '{"k": 1000, "n": 100}');
SELECT pg_current_xact_id()::text::bigint - :x0 < 20 AS few_xids;
-- the careful way, for comparison: a subtransaction (and an XID) per insert
SET udf.optimistic_calls = off;
SELECT pg_current_xact_id()::text::bigint AS x1 \gset
SELECT udf_invoke('opt:many', '{"k": 2000, "n": 100}');
SELECT pg_current_xact_id()::text::bigint - :x1 > 100 AS one_xid_per_insert;
RESET udf.optimistic_calls;
RESET client_min_messages;
SELECT count(*) FROM opt_t;
DROP TABLE opt_t;
DROP FUNCTION opt_t_note(), opt_counts();

-- ctx.scheduler without the background workers (they are stopped here;
-- regress/t/009_scheduler.pl runs the jobs): what scheduling writes, its
-- transactions, _scheduled_functions, cancel, the checks, and crons.js.
ALTER SYSTEM SET udf.scheduler_max_workers = 0;
SELECT pg_reload_conf();
DO $$
BEGIN
  FOR i IN 1 .. 600 LOOP
    EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'udf scheduler');
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
SELECT count(*) AS workers FROM pg_stat_activity WHERE backend_type = 'udf scheduler';
CREATE TABLE sched_log (_id text PRIMARY KEY, "_creationTime" float8 NOT NULL, n float8);
\set app `node regress/app-json.mjs regress/apps/scheduler`
SELECT udf_deploy(:'app')->'modules';
SET udf.test_now = 1735689600000;  -- 2025-01-01 00:00 UTC
SET TimeZone = 'UTC';

-- a job is a row in the caller's transaction; the first one warns that no worker runs it
SHOW udf.scheduler_max_workers;
SELECT jsonb_typeof(udf_invoke('jobs:after', '{"delay": 0}')) AS id;
SELECT udf_invoke('jobs:after', '{"delay": 1500, "n": 9}') IS NOT NULL AS scheduled;
SELECT name, args, "scheduledTime" - 1735689600000 AS due_in_ms, state, "completedTime" IS NULL AS open
  FROM "_scheduled_functions" ORDER BY "_creationTime";
-- runAt: a Date or ms
SELECT udf_invoke('jobs:at', '{"when": 1735693200000}') IS NOT NULL AS at_ms;
SELECT udf_invoke('jobs:at', '{"when": 1735693200000, "asDate": true}') IS NOT NULL AS at_date;
SELECT count(*) FROM "_scheduled_functions" WHERE "scheduledTime" = 1735693200000;
-- int64 and bytes arguments keep their Convex encoding
SELECT udf_invoke('jobs:typed') IS NOT NULL;
SELECT args FROM "_scheduled_functions" WHERE args->0->>'n' = '3';

-- transactional: a rollback, a mutation that throws and a nested mutation that fails schedule nothing
SELECT count(*) AS before FROM "_scheduled_functions" \gset
SELECT scheduled AS counted_before FROM udf_scheduler_stats WHERE datname = current_database() \gset
BEGIN;
SELECT udf_invoke('jobs:after', '{"delay": 0, "n": 10}') IS NOT NULL;
ROLLBACK;
SELECT udf_invoke('jobs:thenThrow');
SELECT udf_invoke('jobs:outer') IS NOT NULL;
SELECT count(*) - :before AS added FROM "_scheduled_functions";
-- udf_scheduler_stats counts the jobs that committed, no more
SELECT scheduled - :counted_before AS counted FROM udf_scheduler_stats WHERE datname = current_database();
SELECT args FROM "_scheduled_functions" WHERE args->0->>'n' IN ('4', '5', '6', '10');

-- cancel: a pending job becomes canceled; canceling again changes nothing
SELECT udf_invoke('jobs:after', '{"delay": 60000, "n": 11}') #>> '{}' AS id \gset
SELECT udf_invoke('jobs:cancel', jsonb_build_object('id', :'id'));
SELECT state FROM "_scheduled_functions" WHERE _id = :'id';
SELECT udf_invoke('jobs:cancel', jsonb_build_object('id', :'id'));
SELECT udf_invoke('jobs:scheduleThenCancel');
SELECT udf_invoke('jobs:cancel', '{"id": "not an id"}');
SELECT udf_invoke('jobs:cancel', '{"id": "0n2sa17kst93rh3nmexjtay05fpbg9r"}');
-- from SQL: true while pending, false once finished
SELECT udf_invoke('jobs:after', '{"delay": 60000, "n": 12}') #>> '{}' AS id2 \gset
SELECT udf_cancel_job(:'id2') AS canceled, udf_cancel_job(:'id2') AS again;
-- an id of _scheduled_functions whose job is gone (deleted by retention)
SELECT udf_invoke('jobs:after', '{"delay": 60000, "n": 14}') #>> '{}' AS gone \gset
DELETE FROM udf_job WHERE id = :'gone';
SELECT udf_cancel_job(:'gone');
SELECT state, count(*) FROM udf_jobs() GROUP BY state ORDER BY state;

-- _scheduled_functions through ctx.db.system
SELECT udf_invoke('jobs:getJob', jsonb_build_object('id', :'id'));
SELECT udf_invoke('jobs:listJobs', '{"name": "jobs.js:target"}');
SELECT udf_invoke('jobs:pageJobs');
SELECT udf_invoke('jobs:userTableOfSystem');
SELECT udf_invoke('jobs:otherSystem');

-- from an action: the job is committed at once (by a job writer worker), so it stays
-- when the caller rolls back, as in Convex, where actions are not transactional
BEGIN;
SELECT jsonb_typeof(udf_invoke('jobs:fromAction'));
ROLLBACK;
SELECT name, state FROM "_scheduled_functions" WHERE name = 'jobs.js:anAction';

-- the checks, each refused with Convex's error and nothing written
SELECT count(*) AS before FROM "_scheduled_functions" \gset
SELECT udf_invoke('jobs:after', '{"delay": -1}');
SELECT udf_invoke('jobs:after', '{"delay": "soon"}');
SELECT udf_invoke('jobs:after', '{"delay": {"$float": "AAAAAAAA8H8="}}');
SELECT udf_invoke('jobs:after', '{"delay": 200000000000}');
SELECT udf_invoke('jobs:at', '{"when": 1000}');
SELECT udf_invoke('jobs:at', '{"when": "tomorrow"}');
SELECT udf_invoke('jobs:badArgs');
SELECT udf_invoke('jobs:byName', '{"name": "jobs:missing"}');
SELECT udf_invoke('jobs:byName', '{"name": "nomodule:fn"}');
SELECT udf_invoke('jobs:byName', '{"name": "jobs:aQuery"}');
SELECT udf_invoke('jobs:fromQuery');
SELECT udf_invoke('jobs:many', '{"count": 1001}');
SELECT udf_invoke('jobs:huge', '{"mb": 5, "times": 1}');
SELECT udf_invoke('jobs:huge', '{"mb": 3, "times": 6}');
SELECT count(*) - :before AS added FROM "_scheduled_functions";
-- 1000 in one call is the limit, and fine
SELECT udf_invoke('jobs:many', '{"count": 1000}');

-- another role sees and cancels none of these
SELECT udf_invoke('jobs:after', '{"delay": 60000, "n": 13}') #>> '{}' AS id3 \gset
CREATE ROLE sched_other;
GRANT USAGE ON SCHEMA public TO sched_other;
SET ROLE sched_other;
SELECT count(*) FROM "_scheduled_functions";
SELECT udf_cancel_job(:'id3');
SELECT count(*) FROM udf_jobs();
SELECT * FROM udf_job;
RESET ROLE;
SELECT state FROM udf_jobs() WHERE id = :'id3';

-- crons.js: read at deploy, listed with their next run (from udf.test_now)
\set app `node regress/app-json.mjs regress/apps/scheduler-crons`
SELECT udf_deploy(:'app')->'modules';
SELECT name, function, schedule, args, next_run FROM udf_crons();
-- a deploy with a bad cron is refused whole and the crons stay
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{crons.js}', to_jsonb(replace(:'app'::jsonb->>'crons.js', '*/15 9-17 * * 1-5', '61 * * * *'))));
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{crons.js}', to_jsonb(replace(:'app'::jsonb->>'crons.js', '*/15 9-17 * * 1-5', '* * * *'))));
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{crons.js}', to_jsonb(replace(:'app'::jsonb->>'crons.js', 'internal.jobs.tick, { label: "cron" }', 'internal.jobs.aQuery, {}'))));
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{crons.js}', '"export default 42;"'));
SELECT count(*) FROM udf_crons();
-- a redeploy keeps the next run of an unchanged cron; one without crons.js removes them all
SET udf.test_now = 1735700000000;
SELECT udf_deploy(:'app') IS NOT NULL;
SELECT name, next_run FROM udf_crons() WHERE name IN ('every 30 s', 'hourly');
SELECT udf_deploy(jsonb_build_object('jobs.js', :'app'::jsonb->'jobs.js')) IS NOT NULL;
SELECT count(*) FROM udf_crons();
-- pending jobs survive every deploy
SELECT count(*) > 1000 FROM udf_jobs() WHERE state = 'pending';
-- the queue udf_scheduler_stats shows is udf_job's, and with no worker nothing ran
SELECT s.pending = (SELECT count(*) FROM udf_job WHERE state = 'pending') AS pending_exact,
       s.due = (SELECT count(*) FROM udf_job WHERE state = 'pending'
                AND scheduled_time <= extract(epoch FROM clock_timestamp()) * 1000) AS due_exact,
       s.due > 0 AS some_due, s.runs AS runs
FROM udf_scheduler_stats s WHERE datname = current_database();
RESET udf.test_now;
RESET TimeZone;
REVOKE USAGE ON SCHEMA public FROM sched_other;
DROP ROLE sched_other;
ALTER SYSTEM RESET udf.scheduler_max_workers;
SELECT pg_reload_conf();

-- udf_stats, udf_stats_info, udf_stats_reset, udf.trace and udf_invoke_explain:
-- their shape, and the deterministic counts after known calls. (Needs udf in
-- shared_preload_libraries, as scripts/test.sh starts the server; the TAP test
-- regress/t/008_stats.pl covers sharing across backends, eviction and restarts.)
\set app `node regress/app-json.mjs regress/apps/stats`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SET udf.test_now = 1700000000000;

-- the view's columns, in order
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'udf_stats'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'udf_stats_info'::regclass AND attnum > 0 ORDER BY attnum;
SELECT histogram_bounds_ms FROM udf_stats_info;
-- the scheduler's and the HTTP endpoint's views
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'udf_scheduler_stats'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'udf_http_stats'::regclass AND attnum > 0 ORDER BY attnum;

-- a reset of everything empties the view and restarts the eviction count
SELECT udf_stats_reset() >= 0 AS reset;
SELECT count(*) FROM udf_stats;
SELECT dealloc, stats_reset > now() - interval '1 hour' AS recent FROM udf_stats_info;

-- known calls: two inserts, a list (one queryStream, one batch of rows,
-- a cleanup), a nested list through runQuery, a call without syscalls, and failures
SELECT udf_invoke('notes:add', '{"body": "first", "n": 1}') IS NOT NULL AS added;
SELECT udf_invoke('notes:add', '{"body": "second", "n": 2}') IS NOT NULL AS added;
SELECT udf_invoke('notes:list');
SELECT udf_invoke('notes:count');
SELECT udf_invoke('notes:inc', '{"x": 41}');
\set VERBOSITY sqlstate
SELECT udf_invoke('notes:inc', '{"x": "forty-one"}');
SELECT udf_invoke('notes:inc', '{}');
SELECT udf_invoke('notes:refuse');
SELECT udf_invoke('notes:boom');
SET udf.max_execution_time = '50ms';
SELECT udf_invoke('notes:spin');
RESET udf.max_execution_time;
SET statement_timeout = '50ms';
SELECT udf_invoke('notes:spin');
RESET statement_timeout;
-- no such function: nothing is counted
SELECT udf_invoke('notes:nope');
\set VERBOSITY default

SELECT function, kind, source, calls, errors, errors_uncaught AS uncaught, errors_convex AS convex,
       errors_validation AS validation, errors_timeout AS timeout, errors_canceled AS canceled,
       errors_out_of_memory AS oom
FROM udf_stats ORDER BY function, source;
SELECT function, source, syscalls, syscalls_by_op, documents_read, bytes_read > 0 AS bytes_read,
       documents_written, bytes_written > 0 AS bytes_written
FROM udf_stats ORDER BY function, source;
-- no fetches: every fetch column is zero
SELECT count(*) AS rows, sum(fetches + fetch_failures + fetch_refused + fetch_timeouts + fetch_network_errors
       + fetch_status_2xx + fetch_status_3xx + fetch_status_4xx + fetch_status_5xx
       + fetch_bytes_sent + fetch_bytes_received) AS fetch_counts, sum(fetch_time) AS fetch_time
FROM udf_stats;
-- times add up: JS time and syscall time make the total; the histogram counts every call
SELECT function, source,
       min_time <= mean_time AND mean_time <= max_time AS ordered,
       abs(js_time + syscall_time - total_time) < 0.001 AS parts_add_up,
       abs(mean_time * calls - total_time) < 0.001 AS mean_ok,
       stddev_time >= 0 AS stddev_ok,
       (SELECT sum(b) FROM unnest(latency_histogram) b) = calls AS histogram_ok,
       cardinality(latency_histogram) AS buckets,
       peak_heap_bytes > 0 OR max_time < 0.1 AS heap_seen,
       userid = current_user::regrole AS mine, dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AS here
FROM udf_stats ORDER BY function, source;
-- the timeouts took their 50 ms
SELECT function, min_time >= 50 AS slow FROM udf_stats WHERE function = 'notes:spin';

-- udf.stats_track: top counts only calls from SQL, none counts nothing
SET udf.stats_track = top;
SELECT udf_invoke('notes:count');
SELECT function, source, calls FROM udf_stats WHERE function IN ('notes:count', 'notes:list') ORDER BY 1, 2;
SET udf.stats_track = none;
SELECT udf_invoke('notes:count');
SELECT function, source, calls FROM udf_stats WHERE function IN ('notes:count', 'notes:list') ORDER BY 1, 2;
RESET udf.stats_track;

-- resetting one function: any spelling of its name; an unknown one removes nothing
SELECT udf_stats_reset('notes.js:inc');
SELECT udf_stats_reset('notes:inc');
SELECT udf_stats_reset('nope:nothing');
SELECT function, source FROM udf_stats ORDER BY 1, 2;
-- bad names are refused
SELECT udf_stats_reset('');
SELECT udf_stats_reset('notes.py:x');
-- one subsystem's entries: 'functions', 'scheduler' or 'http'; others are refused
SELECT udf_stats_reset_subsystem('scheduler') >= 0 AS reset;
SELECT udf_stats_reset_subsystem('http') >= 0 AS reset;
SELECT udf_stats_reset_subsystem('bgwriter');
SELECT udf_stats_reset_subsystem(NULL);
-- everyone may read; only udf_admin members and superusers may reset
CREATE ROLE stats_reader;
SET ROLE stats_reader;
SELECT count(*) > 0 AS readable FROM udf_stats;
SELECT pending >= 0 AS queue_readable, runs >= 0 AS counters_readable
FROM udf_scheduler_stats WHERE datname = current_database();
SELECT count(*) >= 0 AS readable FROM udf_http_stats;
SELECT udf_stats_reset();
SELECT udf_stats_reset_subsystem('http');
RESET ROLE;
DROP ROLE stats_reader;

-- udf.trace: one line per syscall, in order; a runUdf line follows the lines of the
-- call it ran (terse: the SQL and the time are in each line's DETAIL)
\set VERBOSITY terse
SET udf.trace = on;
SELECT udf_invoke('notes:count');
SELECT udf_invoke('notes:add', '{"body": "third", "n": 3}') IS NOT NULL AS added;
SELECT udf_invoke('notes:inc', '{"x": 1}');
SET udf.trace = debug;
SET client_min_messages = debug1;
SELECT udf_invoke('notes:add', '{"body": "debug", "n": 0}') IS NOT NULL AS added;
RESET client_min_messages;
RESET udf.trace;
SELECT udf_invoke('notes:list');
-- first(): one batch of one row
SET udf.trace = on;
SELECT udf_invoke('notes:first');
RESET udf.trace;
\set VERBOSITY default
SELECT function, calls, documents_read, syscalls_by_op FROM udf_stats WHERE function = 'notes:first';
SET udf.trace = sometimes;

-- udf_invoke_explain: the same steps as JSON, in the order they started
SELECT e - 'time_ms' - 'syscalls' AS call, jsonb_array_length(e->'syscalls') AS steps
FROM udf_invoke_explain('notes:count') e;
SELECT s - 'time_ms' AS step, (s->>'time_ms')::float8 >= 0 AS timed
FROM udf_invoke_explain('notes:count') e, jsonb_array_elements(e->'syscalls') s;
SELECT s - 'time_ms' AS step
FROM udf_invoke_explain('notes:add', '{"body": "fourth", "n": 4}') e, jsonb_array_elements(e->'syscalls') s;
SELECT e - 'time_ms' AS call FROM udf_invoke_explain('notes:inc', '{"x": 1}') e;
-- a failing call fails the explain too
SELECT udf_invoke_explain('notes:boom');
SELECT udf_invoke_explain('notes:nope');
SELECT udf_invoke_explain(NULL);
-- it really runs: the explained mutation's insert stays (and is counted)
SELECT udf_invoke('notes:list');
SELECT function, calls, errors FROM udf_stats WHERE function IN ('notes:add', 'notes:boom') ORDER BY 1;

-- udf.log_min_duration takes milliseconds, -1 for none
SET udf.log_min_duration = -2;
SET udf.log_min_duration = '5s';
SHOW udf.log_min_duration;
RESET udf.log_min_duration;

-- udf_info: this backend's contexts, the live deployment's modules they loaded, the snapshot
SELECT udf_invoke('notes:inc', '{"x": 1}');
SELECT jsonb_object_keys(udf_info()->'contexts') AS contexts_keys ORDER BY 1;
SELECT (i->'contexts'->>'cached')::int >= 1 AS cached,
       (i->'contexts'->>'running')::int AS running,
       (i->'contexts'->>'created')::int >= (i->'contexts'->>'cached')::int AS created,
       i->'contexts'->'limit' AS context_limit,
       i->'modules'->'deployed' AS modules_deployed,
       (i->'modules'->>'loaded')::int >= 1 AS modules_loaded,
       (i->'snapshot'->>'bytes')::bigint > 100000 AS snapshot_bytes,
       i->'snapshot'->'in_use' AS snapshot_in_use
FROM udf_info() i;

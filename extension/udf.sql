-- udf install script (the build turns this file into udf--<version>.sql)
\echo Use "CREATE EXTENSION udf" to load this file. \quit

-- Roles that may deploy. Roles are cluster-wide, so the role may exist already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'udf_admin') THEN
    CREATE ROLE udf_admin NOLOGIN;
  END IF;
END $$;

-- One row per deploy; the highest id is live.
CREATE TABLE udf_deployment (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  deployed_at timestamptz NOT NULL DEFAULT now(),
  deployed_by name NOT NULL DEFAULT current_user,
  functions   jsonb NOT NULL,
  import_seed text NOT NULL,
  schema      jsonb            -- schema.js's defineSchema(...).export(), if any
);
-- The live deployment's modules.
CREATE TABLE udf_module (
  path          text PRIMARY KEY,
  source        text NOT NULL,
  source_map    text,
  source_sha256 text NOT NULL  -- names the module's compiled code in the code cache
);
-- Table numbers encoded in document ids; never reused. regclass dumps by name.
CREATE TABLE udf_table (
  number   int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  relation regclass NOT NULL UNIQUE
);
-- Signs pagination cursors; made on first use.
CREATE TABLE udf_secret (key text NOT NULL);
REVOKE ALL ON udf_deployment, udf_module, udf_table, udf_secret FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('udf_deployment', '');
SELECT pg_catalog.pg_extension_config_dump('udf_module', '');
SELECT pg_catalog.pg_extension_config_dump('udf_table', '');
SELECT pg_catalog.pg_extension_config_dump('udf_secret', '');

CREATE FUNCTION udf_deploy(modules jsonb) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_deploy' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION udf_deploy(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION udf_deploy(jsonb) TO udf_admin;

CREATE FUNCTION udf_invoke(name text, args jsonb DEFAULT '{}') RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_invoke' LANGUAGE C VOLATILE;

-- The call behind the typed SQL functions udf_deploy generates (sqlapi.c):
-- the function's path, its argument names, and the arguments as they are.
CREATE FUNCTION udf_call_typed(path text, names text[]) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_typed(path text, names text[], VARIADIC args "any") RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
-- the same for results that are text, float8 or boolean, returned as they are (no jsonb)
CREATE FUNCTION udf_call_text(path text, names text[]) RETURNS text
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_text(path text, names text[], VARIADIC args "any") RETURNS text
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_float8(path text, names text[]) RETURNS float8
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_float8(path text, names text[], VARIADIC args "any") RETURNS float8
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_boolean(path text, names text[]) RETURNS boolean
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_call_boolean(path text, names text[], VARIADIC args "any") RETURNS boolean
  AS 'MODULE_PATHNAME', 'udf_call_typed' LANGUAGE C VOLATILE;
-- Where those functions go by default (udf.sql_api_schema): deployers create in it.
CREATE SCHEMA udf_api;
GRANT USAGE ON SCHEMA udf_api TO PUBLIC;
GRANT CREATE ON SCHEMA udf_api TO udf_admin;

CREATE FUNCTION udf_functions(
    OUT path text, OUT module text, OUT kind text, OUT visibility text,
    OUT args jsonb, OUT returns jsonb)
  RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT f->>'name', f->>'module', f->>'kind', f->>'visibility', f->'args', f->'returns'
    FROM (SELECT functions FROM @extschema@.udf_deployment ORDER BY id DESC LIMIT 1) d,
         pg_catalog.jsonb_array_elements(d.functions) f
    ORDER BY 1
  $$;

-- Convex's total order as bytes: the key of a value kept as Convex JSON
-- (NULL, a missing field, is undefined), and of the field at a path inside it.
CREATE FUNCTION udf_sort_key(value jsonb) RETURNS bytea
  AS 'MODULE_PATHNAME', 'udf_sort_key' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION udf_sort_key(value jsonb, path text[]) RETURNS bytea
  AS 'MODULE_PATHNAME', 'udf_sort_key_path' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The string, or the array of float64 as float8[], at a field path inside
-- Convex JSON (NULL where the path is missing or holds another type): what
-- the hidden columns of search and vector indexes on nested paths hold.
CREATE FUNCTION udf_path_text(value jsonb, path text[]) RETURNS text
  AS 'MODULE_PATHNAME', 'udf_path_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION udf_path_vector(value jsonb, path text[]) RETURNS float8[]
  AS 'MODULE_PATHNAME', 'udf_path_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- This backend's isolate (heap used/limit) and how many calls were stopped.
CREATE FUNCTION udf_info() RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_info' LANGUAGE C VOLATILE;

-- A trigger function that runs a mutation: EXECUTE FUNCTION udf_trigger('module:mutation', args...)
CREATE FUNCTION udf_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'udf_trigger' LANGUAGE C;

-- Scheduled jobs (ctx.scheduler.runAfter/runAt, crons): one row per job,
-- written in the scheduling transaction; the background workers run them.
CREATE TABLE udf_job (
  id             text PRIMARY KEY,   -- a Convex id of the _scheduled_functions table
  creation_time  float8 NOT NULL,    -- ms since the epoch
  name           text NOT NULL,      -- the canonical path, "messages.js:send"
  args           jsonb NOT NULL,     -- the argument object, Convex JSON
  kind           text NOT NULL CHECK (kind IN ('mutation', 'action')),
  scheduled_time float8 NOT NULL,    -- ms since the epoch
  completed_time float8,
  state          text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'inProgress', 'success', 'failed', 'canceled')),
  error          text,
  owner          regrole NOT NULL,   -- the role that scheduled it; the job runs as it
  attempts       int NOT NULL DEFAULT 0,  -- runs ended by a system error and retried
  crashes        int NOT NULL DEFAULT 0,  -- runs that ended their worker process
  worker_pid     int,                -- the worker running an action, with:
  started_at     timestamptz,
  cron           text                -- the cron this run belongs to, if any
);
CREATE INDEX udf_job_due ON udf_job (scheduled_time) WHERE state = 'pending';
CREATE INDEX udf_job_completed ON udf_job (completed_time) WHERE completed_time IS NOT NULL;
CREATE INDEX udf_job_cron_open ON udf_job (cron) WHERE cron IS NOT NULL AND state IN ('pending', 'inProgress');
-- Crons of the live deployment (crons.js), replaced by each deploy.
CREATE TABLE udf_cron (
  name      text PRIMARY KEY,
  schedule  jsonb NOT NULL,          -- {type: "interval", seconds} | {type: "cron", cronExpr}
  function  text NOT NULL,           -- canonical path
  args      jsonb NOT NULL,
  owner     regrole NOT NULL,
  next_run  float8 NOT NULL          -- ms since the epoch
);
REVOKE ALL ON udf_job, udf_cron FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('udf_job', '');
SELECT pg_catalog.pg_extension_config_dump('udf_cron', '');

-- Convex's _scheduled_functions system table: the jobs of roles the caller belongs to.
CREATE VIEW "_scheduled_functions" WITH (security_barrier) AS
  SELECT j.id AS "_id", j.creation_time AS "_creationTime", j.name,
         pg_catalog.jsonb_build_array(j.args) AS args,
         j.scheduled_time AS "scheduledTime", j.completed_time AS "completedTime",
         CASE WHEN j.state = 'failed'
              THEN pg_catalog.jsonb_build_object('kind', j.state, 'error', coalesce(j.error, ''))
              ELSE pg_catalog.jsonb_build_object('kind', j.state) END AS state
  FROM udf_job j
  WHERE pg_catalog.pg_has_role(j.owner, 'MEMBER');
GRANT SELECT ON "_scheduled_functions" TO PUBLIC;

-- Jobs, for operators: those of roles the caller belongs to (a view keeps
-- current_user the caller's, so the filter sees who asks).
CREATE VIEW udf_job_visible WITH (security_barrier) AS
  SELECT j.id, j.name, j.kind, j.state, j.error,
         pg_catalog.to_timestamp(j.scheduled_time / 1000) AS scheduled_at,
         pg_catalog.to_timestamp(j.completed_time / 1000) AS completed_at,
         j.owner, j.attempts, j.crashes, j.cron, j.scheduled_time
  FROM udf_job j
  WHERE pg_catalog.pg_has_role(j.owner, 'MEMBER');
GRANT SELECT ON udf_job_visible TO PUBLIC;
CREATE FUNCTION udf_jobs(
    OUT id text, OUT name text, OUT kind text, OUT state text, OUT error text,
    OUT scheduled_at timestamptz, OUT completed_at timestamptz, OUT owner regrole,
    OUT attempts int, OUT crashes int, OUT cron text)
  RETURNS SETOF record
  LANGUAGE sql STABLE
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT v.id, v.name, v.kind, v.state, v.error, v.scheduled_at, v.completed_at,
           v.owner, v.attempts, v.crashes, v.cron
    FROM @extschema@.udf_job_visible v
    ORDER BY v.scheduled_time, v.id
  $$;

-- Cancel a pending or running job; true if it was, false if it had finished.
CREATE FUNCTION udf_cancel_job(id text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'udf_cancel_job' LANGUAGE C VOLATILE STRICT;

-- The live deployment's crons with their next run.
CREATE FUNCTION udf_crons(
    OUT name text, OUT function text, OUT schedule jsonb, OUT args jsonb,
    OUT next_run timestamptz, OUT owner regrole)
  RETURNS SETOF record
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT c.name, c.function, c.schedule, c.args, pg_catalog.to_timestamp(c.next_run / 1000), c.owner
    FROM @extschema@.udf_cron c ORDER BY c.name
  $$;

-- Runs a function as udf_invoke does and returns what it did, syscall by syscall.
CREATE FUNCTION udf_invoke_explain(name text, args jsonb DEFAULT '{}') RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_invoke_explain' LANGUAGE C VOLATILE;

-- Per-function statistics in shared memory (needs shared_preload_libraries = 'udf').
CREATE FUNCTION udf_stats(
    OUT userid oid, OUT dbid oid, OUT function text, OUT kind text, OUT source text,
    OUT calls bigint, OUT errors bigint,
    OUT errors_uncaught bigint, OUT errors_convex bigint, OUT errors_validation bigint,
    OUT errors_timeout bigint, OUT errors_canceled bigint, OUT errors_out_of_memory bigint,
    OUT total_time float8, OUT min_time float8, OUT max_time float8,
    OUT mean_time float8, OUT stddev_time float8,
    OUT js_time float8, OUT syscall_time float8,
    OUT syscalls bigint, OUT syscalls_by_op jsonb,
    OUT documents_read bigint, OUT bytes_read bigint,
    OUT documents_written bigint, OUT bytes_written bigint,
    OUT fetches bigint, OUT fetch_failures bigint, OUT fetch_refused bigint,
    OUT fetch_timeouts bigint, OUT fetch_network_errors bigint,
    OUT fetch_status_2xx bigint, OUT fetch_status_3xx bigint,
    OUT fetch_status_4xx bigint, OUT fetch_status_5xx bigint,
    OUT fetch_bytes_sent bigint, OUT fetch_bytes_received bigint, OUT fetch_time float8,
    OUT peak_heap_bytes bigint, OUT latency_histogram bigint[])
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'udf_stats' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
CREATE VIEW udf_stats AS SELECT * FROM udf_stats();

CREATE FUNCTION udf_stats_info(
    OUT dealloc bigint, OUT stats_reset timestamptz, OUT histogram_bounds_ms float8[])
  RETURNS record
  AS 'MODULE_PATHNAME', 'udf_stats_info' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
CREATE VIEW udf_stats_info AS SELECT * FROM udf_stats_info();

-- The scheduler's statistics per database: counters from shared memory, and
-- the current database's queue, read from udf_job when the view is read.
CREATE FUNCTION udf_scheduler_counters(
    OUT dbid oid, OUT scheduled bigint, OUT canceled bigint, OUT runs bigint,
    OUT succeeded bigint, OUT failed bigint, OUT retried bigint,
    OUT crashes bigint, OUT crash_failed bigint,
    OUT total_lag float8, OUT max_lag float8, OUT mean_lag float8, OUT lag_histogram bigint[],
    OUT run_time float8)
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'udf_scheduler_counters' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
-- pending jobs, those of them due now, and the scheduled time of the oldest due one
CREATE FUNCTION udf_scheduler_queue(OUT pending bigint, OUT due bigint, OUT oldest_due timestamptz)
  RETURNS record
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT count(*),
           count(*) FILTER (WHERE j.scheduled_time <= extract(epoch FROM clock_timestamp()) * 1000),
           to_timestamp(min(j.scheduled_time) FILTER (
             WHERE j.scheduled_time <= extract(epoch FROM clock_timestamp()) * 1000) / 1000)
    FROM @extschema@.udf_job j WHERE j.state = 'pending'
  $$;
CREATE VIEW udf_scheduler_stats AS
  SELECT d.oid AS dbid, d.datname, q.pending, q.due, q.oldest_due,
         coalesce(c.scheduled, 0) AS scheduled, coalesce(c.canceled, 0) AS canceled,
         coalesce(c.runs, 0) AS runs, coalesce(c.succeeded, 0) AS succeeded,
         coalesce(c.failed, 0) AS failed, coalesce(c.retried, 0) AS retried,
         coalesce(c.crashes, 0) AS crashes, coalesce(c.crash_failed, 0) AS crash_failed,
         coalesce(c.total_lag, 0) AS total_lag, coalesce(c.max_lag, 0) AS max_lag,
         coalesce(c.mean_lag, 0) AS mean_lag,
         coalesce(c.lag_histogram, pg_catalog.array_fill(0::bigint, ARRAY[13])) AS lag_histogram,
         coalesce(c.run_time, 0) AS run_time
  FROM pg_catalog.pg_database d
  LEFT JOIN udf_scheduler_counters() c ON c.dbid = d.oid
  LEFT JOIN udf_scheduler_queue() q ON d.datname = pg_catalog.current_database()
  WHERE c.dbid IS NOT NULL OR d.datname = pg_catalog.current_database();

-- The HTTP endpoint's statistics per database and route.
CREATE FUNCTION udf_http_stats(
    OUT dbid oid, OUT route text, OUT kind text, OUT requests bigint,
    OUT status_2xx bigint, OUT status_3xx bigint, OUT status_4xx bigint, OUT status_5xx bigint,
    OUT bytes_in bigint, OUT bytes_out bigint,
    OUT total_time float8, OUT min_time float8, OUT max_time float8, OUT mean_time float8,
    OUT latency_histogram bigint[])
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'udf_http_stats' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
CREATE VIEW udf_http_stats AS SELECT * FROM udf_http_stats();

-- readable by everyone, as pg_stat_statements is
GRANT SELECT ON udf_stats, udf_stats_info, udf_scheduler_stats, udf_http_stats TO PUBLIC;

-- Forget every entry, or one function path's entries in this database; returns how many went.
CREATE FUNCTION udf_stats_reset(function text DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'udf_stats_reset' LANGUAGE C VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION udf_stats_reset(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION udf_stats_reset(text) TO udf_admin;
-- Forget the entries of one view in every database: 'functions', 'scheduler' or 'http'.
CREATE FUNCTION udf_stats_reset_subsystem(subsystem text) RETURNS bigint
  AS 'MODULE_PATHNAME', 'udf_stats_reset_subsystem' LANGUAGE C VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION udf_stats_reset_subsystem(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION udf_stats_reset_subsystem(text) TO udf_admin;

-- File storage (storage.c). The bytes of each file are one large object,
-- owned by the extension owner; this table holds its metadata and is closed
-- to everyone else. `_storage` is its view, as Convex's system table.
CREATE TABLE udf_storage (
  id            text PRIMARY KEY,      -- a Convex id of the _storage table
  creation_time float8 NOT NULL,
  sha256        bytea NOT NULL,
  size          bigint NOT NULL,
  content_type  text,
  lo            oid NOT NULL UNIQUE
);
-- Upload tokens already used (single use); a row outlives its token's expiry only until the next upload.
CREATE TABLE udf_upload_token (
  nonce      text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
REVOKE ALL ON udf_storage, udf_upload_token FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('udf_storage', '');
CREATE VIEW _storage AS
  SELECT id AS "_id", creation_time AS "_creationTime",
         pg_catalog.encode(sha256, 'base64') AS sha256, size::float8 AS size,
         content_type AS "contentType"
  FROM udf_storage;
GRANT SELECT ON _storage TO PUBLIC;

-- Files from SQL: for loading data and for tests (udf_admin only).
CREATE FUNCTION udf_storage_put(data bytea, content_type text DEFAULT NULL) RETURNS text
  AS 'MODULE_PATHNAME', 'udf_storage_put' LANGUAGE C VOLATILE;
CREATE FUNCTION udf_storage_get(id text) RETURNS bytea
  AS 'MODULE_PATHNAME', 'udf_storage_get' LANGUAGE C VOLATILE STRICT;
CREATE FUNCTION udf_storage_delete(id text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'udf_storage_delete' LANGUAGE C VOLATILE STRICT;
REVOKE ALL ON FUNCTION udf_storage_put(bytea, text), udf_storage_get(text), udf_storage_delete(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION udf_storage_put(bytea, text), udf_storage_get(text), udf_storage_delete(text) TO udf_admin;

-- HTTP actions (httpaction.c). The endpoint runs them as udf.http_role,
-- by default this role: no login, no privileges but what is granted to it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'udf_http') THEN
    CREATE ROLE udf_http NOLOGIN;
  END IF;
END $$;
-- An HTTP action called from SQL, as the calling role.
CREATE FUNCTION udf_http(method text, path text, headers jsonb DEFAULT '{}', body bytea DEFAULT NULL,
                         OUT status int, OUT response_headers jsonb, OUT response_body bytea)
  AS 'MODULE_PATHNAME', 'udf_http' LANGUAGE C VOLATILE;

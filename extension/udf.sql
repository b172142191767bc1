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

-- This backend's isolate (heap used/limit) and how many calls were stopped.
CREATE FUNCTION udf_info() RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_info' LANGUAGE C VOLATILE;

-- A trigger function that runs a mutation: EXECUTE FUNCTION udf_trigger('module:mutation', args...)
CREATE FUNCTION udf_trigger() RETURNS trigger
  AS 'MODULE_PATHNAME', 'udf_trigger' LANGUAGE C;

-- Runs a function as udf_invoke does and returns what it did, syscall by syscall.
CREATE FUNCTION udf_invoke_explain(name text, args jsonb DEFAULT '{}') RETURNS jsonb
  AS 'MODULE_PATHNAME', 'udf_invoke_explain' LANGUAGE C VOLATILE;

-- Per-function statistics in shared memory (needs shared_preload_libraries = 'udf').
CREATE FUNCTION udf_stats(
    OUT userid oid, OUT dbid oid, OUT function text, OUT kind text,
    OUT calls bigint, OUT errors bigint,
    OUT errors_uncaught bigint, OUT errors_convex bigint, OUT errors_validation bigint,
    OUT errors_timeout bigint, OUT errors_canceled bigint, OUT errors_out_of_memory bigint,
    OUT total_time float8, OUT min_time float8, OUT max_time float8,
    OUT mean_time float8, OUT stddev_time float8,
    OUT js_time float8, OUT syscall_time float8,
    OUT syscalls bigint, OUT syscalls_by_op jsonb,
    OUT documents_read bigint, OUT bytes_read bigint,
    OUT documents_written bigint, OUT bytes_written bigint,
    OUT peak_heap_bytes bigint, OUT latency_histogram bigint[])
  RETURNS SETOF record
  AS 'MODULE_PATHNAME', 'udf_stats' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
CREATE VIEW udf_stats AS SELECT * FROM udf_stats();

CREATE FUNCTION udf_stats_info(
    OUT dealloc bigint, OUT stats_reset timestamptz, OUT histogram_bounds_ms float8[])
  RETURNS record
  AS 'MODULE_PATHNAME', 'udf_stats_info' LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
CREATE VIEW udf_stats_info AS SELECT * FROM udf_stats_info();
-- readable by everyone, as pg_stat_statements is
GRANT SELECT ON udf_stats, udf_stats_info TO PUBLIC;

-- Forget every entry, or one function path's entries in this database; returns how many went.
CREATE FUNCTION udf_stats_reset(function text DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'udf_stats_reset' LANGUAGE C VOLATILE PARALLEL SAFE;
REVOKE ALL ON FUNCTION udf_stats_reset(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION udf_stats_reset(text) TO udf_admin;

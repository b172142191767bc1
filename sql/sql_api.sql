-- Typed SQL functions generated from validators: each public function with an
-- args validator gets udf_api."module:fn"(typed, named arguments), callable
-- with named notation; optional arguments default to NULL (missing); the
-- return type follows `returns`. Redeploys replace them; internal functions
-- and functions without an args validator get none.
CREATE TABLE sa_plain (k text PRIMARY KEY);
\set app `node regress/app-json.mjs regress/apps/sqlapi-v1`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments, pg_catalog.pg_get_function_result(p.oid) AS result
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'udf_api'::regnamespace ORDER BY 1;

SELECT udf_api."api:greet"('ada');
SELECT udf_api."api:greet"(name => 'ada', times => 2, loud => true);
SELECT udf_api."api:add"(1, 2) + 1 AS float8_result;
-- a float8 result is the number as it is: the infinities, NaN, -0 and every bit of a double
SELECT udf_api."api:add"(1e308, 1e308) AS infinity, udf_api."api:add"('Infinity', '-Infinity') AS nan,
       udf_api."api:add"('-0', '-0')::text AS minus_zero, udf_api."api:add"(0.1, 0.2) AS sum_of_doubles;
SELECT udf_api."api:isEven"(n => 4) AND NOT udf_api."api:isEven"(n => 3) AS booleans;
SELECT udf_api."api:none"();
SELECT udf_api."api:kinds"(i => 41, raw => '\x010203', doc => '{"x": [1, 2, 3]}', "any" => '{"k": [true, null]}', id => 'sa-plain-key', lit => 'on');
SELECT udf_api."api:kinds"(i => 41, raw => '\x01', doc => '{"x": []}', "any" => 'null', id => 'sa-plain-key', lit => 'on', maybe => null) ->> 'maybe' AS null_is_missing;
SELECT udf_api."api:write"(7);
SELECT count(*) AS written FROM sa_log WHERE n = 7;
SELECT udf_api."api:act"('go');
-- the call is the function itself: the planner inlines the wrapper
EXPLAIN (VERBOSE, COSTS OFF) SELECT udf_api."api:add"(1, 2);

-- bad input: PostgreSQL's own errors for SQL types, the validator's for the rest
SELECT udf_api."api:add"(1);
SELECT udf_api."api:add"(a => 1, b => NULL);
SELECT udf_api."api:kinds"(i => 1, raw => '\x', doc => '{"x": ["no"]}', "any" => '1', id => 'sa-plain-key', lit => 'on');
SELECT udf_api."api:kinds"(i => 1, raw => '\x', doc => '{"x": []}', "any" => '1', id => 'sa-plain-key', lit => 'off');

-- redeploy: changed signatures are replaced, removed functions dropped, new ones made
\set app `node regress/app-json.mjs regress/apps/sqlapi-v2`
SELECT udf_deploy(:'app') IS NOT NULL AS redeployed;
SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS arguments, pg_catalog.pg_get_function_result(p.oid) AS result
  FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'udf_api'::regnamespace ORDER BY 1;
SELECT udf_api."api:add"(40, 2);
SELECT udf_api."api:gone"(1);

-- privileges: PostgreSQL's defaults, or the deployer's default privileges
CREATE ROLE sa_deployer IN ROLE udf_admin;
CREATE ROLE sa_user;
GRANT USAGE ON SCHEMA public TO sa_user;
-- (a revoke from PUBLIC must be global: per-schema defaults only add)
ALTER DEFAULT PRIVILEGES FOR ROLE sa_deployer REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sa_deployer IN SCHEMA udf_api GRANT EXECUTE ON FUNCTIONS TO sa_user;
SET ROLE sa_deployer;
SELECT udf_deploy(:'app') IS NOT NULL AS deployed_by_deployer;
RESET ROLE;
SELECT p.proname, pg_catalog.pg_get_userbyid(p.proowner) AS owner, p.proacl FROM pg_catalog.pg_proc p
  WHERE p.pronamespace = 'udf_api'::regnamespace ORDER BY 1;
SET ROLE sa_user;
SELECT udf_api."api:fresh"('for sa_user');
RESET ROLE;
CREATE ROLE sa_other;
SET ROLE sa_other;
SELECT udf_api."api:fresh"('for sa_other');
RESET ROLE;
-- a deployer who may not create in the schema gets a notice, and the deploy goes on
SET udf.sql_api_schema = 'public';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SET ROLE sa_deployer;
SELECT udf_deploy(:'app') IS NOT NULL AS deployed_without_functions;
RESET ROLE;
RESET udf.sql_api_schema;
-- turned off
SET udf.sql_api_schema = '';
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SELECT count(*) AS generated FROM pg_catalog.pg_proc WHERE pronamespace = 'udf_api'::regnamespace;
RESET udf.sql_api_schema;
GRANT CREATE ON SCHEMA public TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sa_deployer GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE sa_deployer IN SCHEMA udf_api REVOKE EXECUTE ON FUNCTIONS FROM sa_user;
DROP OWNED BY sa_user;
DROP OWNED BY sa_deployer;
DROP ROLE sa_other, sa_deployer, sa_user;
DROP TABLE sa_plain;

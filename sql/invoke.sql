-- udf_invoke: Convex path rules, kinds, visibility, and what it returns.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

-- the same function under every spelling of its name
SELECT udf_invoke('greetings:hello', '{"name": "Ada"}');
SELECT udf_invoke('greetings.js:hello', '{"name": "Ada"}');
SELECT udf_invoke('greetings.ts:hello', '{"name": "Ada"}');
-- default export: no export name, or :default
SELECT udf_invoke('greetings');
SELECT udf_invoke('greetings:default');
SELECT udf_invoke('greetings.js');
-- args default to {}
SELECT udf_invoke('errors:ping');
-- nested args and results
SELECT udf_invoke('greetings:card', '{"person": {"first": "ada", "last": "lovelace"}, "tags": ["math", "engines"]}');
-- a function reference built with the _generated api
SELECT udf_invoke('greetings:reference');
-- a mutation and an action are invoked the same way
SELECT udf_invoke('values:nothing');
SELECT udf_invoke('errors:ping', '{}');
-- from a query over many rows
SELECT n, udf_invoke('greetings:hello', jsonb_build_object('name', 'row ' || n)) FROM generate_series(1, 3) n;
-- arguments are decoded as Convex JSON only when they need it; names Convex refuses
-- as field names are refused as before, plain ones and tagged ones arrive as sent
SELECT udf_invoke('values:echo', '{"value": {"plain": [1, "two", true, null, {"x": 1.5}]}}');
SELECT udf_invoke('values:echo', '{"value": {"n": {"$integer": "BQAAAAAAAAA="}}}');
SELECT udf_invoke('values:echo', '{"value": {"café": 1}}');
SELECT udf_invoke('values:echo', jsonb_build_object('value', jsonb_build_object(E'tab\there', 1)));
DO $$ BEGIN
  PERFORM udf_invoke('values:echo', jsonb_build_object('value', jsonb_build_object(repeat('k', 1025), 1)));
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE '%', replace(SQLERRM, repeat('k', 1025), '<1025 k>');
END $$;
SELECT udf_invoke('values:echo', jsonb_build_object('value', jsonb_build_object(repeat('k', 1024), 1))) IS NOT NULL AS long_name_ok;

-- unknown functions and internal ones give the same message
SELECT udf_invoke('nope:x');
SELECT udf_invoke('greetings:nope');
SELECT udf_invoke('greetings:secret');
SELECT udf_invoke('lib/format:greeting');
SELECT udf_invoke('greetings:__proto__');
SELECT udf_invoke('greetings:constructor');
-- malformed names
SELECT udf_invoke(NULL);
SELECT udf_invoke('');
SELECT udf_invoke(':hello');
SELECT udf_invoke('greetings:');
SELECT udf_invoke('/greetings:hello');
SELECT udf_invoke('greetings.py:hello');
-- the SQLSTATE of an unknown function is undefined_function
DO $$
BEGIN
  PERFORM udf_invoke('greetings:secret');
EXCEPTION WHEN undefined_function THEN
  RAISE NOTICE 'caught: % (%)', SQLERRM, SQLSTATE;
END $$;

-- a module written exactly as a Convex app writes it, using the package's
-- own paginationOptsValidator and ConvexError
\set app `node regress/app-json.mjs regress/apps/invoke-convexy`
SELECT udf_deploy(:'app')->'functions';
SELECT udf_invoke('convexy:page', '{"paginationOpts": {"numItems": 10, "cursor": null}}');
SELECT udf_invoke('convexy:page', '{"paginationOpts": {"numItems": "ten", "cursor": null}}');
SELECT udf_invoke('convexy:fail');

-- an empty deployment has no functions
SELECT udf_deploy('{}') - 'deployment';
SELECT udf_invoke('greetings:hello', '{"name": "gone"}');

-- a database where nothing was ever deployed
CREATE DATABASE udf_fresh_db;
\c udf_fresh_db
CREATE EXTENSION udf;
SELECT udf_invoke('greetings:hello', '{"name": "nobody"}');
SELECT count(*) FROM udf_functions();
\c contrib_regression
DROP DATABASE udf_fresh_db;


-- Errors: an uncaught JS exception is an ERROR in Convex's words
-- ("Uncaught Error: ..."), its stack in DETAIL (runtime frames dropped,
-- source-mapped), and a SQLSTATE saying which kind of failure it was.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

-- a plain Error thrown from a helper: UDF00, the stack names user frames only
SELECT udf_invoke('errors:boom', '{"message": "kaput"}');
-- a ConvexError: UDF01, its data as JSON in DETAIL
SELECT udf_invoke('errors:order', '{"quantity": 0}');
\set VERBOSITY sqlstate
SELECT udf_invoke('errors:boom', '{"message": "kaput"}');
SELECT udf_invoke('errors:order', '{"quantity": 0}');
\set VERBOSITY default

-- PL/pgSQL can catch both and read the pieces
DO $$
DECLARE
  state text; msg text; detail text;
BEGIN
  PERFORM udf_invoke('errors:order', '{"quantity": -3}');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
  RAISE NOTICE 'state=% message=%', state, msg;
  RAISE NOTICE 'data code=% quantity=%', detail::jsonb->>'code', detail::jsonb->'quantity';
END $$;

-- thrown values that are not Errors, and Error subclasses
\set app `node regress/app-json.mjs regress/apps/errors-throws`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('throws:num');
SELECT udf_invoke('throws:str');
SELECT udf_invoke('throws:nul');
SELECT udf_invoke('throws:undef');
SELECT udf_invoke('throws:obj');
SELECT udf_invoke('throws:type');
SELECT udf_invoke('throws:range');
SELECT udf_invoke('throws:custom');
SELECT udf_invoke('throws:empty');
SELECT udf_invoke('throws:rejected');
SELECT udf_invoke('throws:later');
SELECT udf_invoke('throws:convexString');
SELECT udf_invoke('throws:convexNested');
SELECT udf_invoke('throws:never');
SELECT udf_invoke('throws:caught');

-- the session is fine after all of that
SELECT udf_invoke('throws:caught');

-- a TypeScript module with a source map: the stack points at the .ts lines
\set mapped `node regress/app-json.mjs regress/apps/mapped`
SELECT udf_deploy(:'mapped')->'modules';
SELECT udf_invoke('thrower:place', '{"id": "o-1", "quantity": 3}');
SELECT udf_invoke('thrower:place', '{"id": "o-2", "quantity": 99}');
-- a broken source map is ignored, never an error
\set app `node regress/app-json.mjs regress/apps/errors-badmap`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('m:f');

-- Bad inputs and limits that pg_regress can show (the TAP tests in
-- regress/t/001_limits.pl cover cancel, timeouts, heap and crashes).
\set app `node regress/app-json.mjs regress/apps/limits`
SELECT udf_deploy(:'app')->'modules';

-- a promise rejected and never handled fails the call (as in Convex)
SELECT udf_invoke('bad:unhandled');
SELECT udf_invoke('bad:handledLater');
-- cyclic results, and results jsonb cannot hold
SELECT udf_invoke('bad:cyc');
SELECT udf_invoke('bad:surrogate');
-- huge nesting in arguments: deep but valid values work, too deep ones fail clearly
SELECT udf_invoke('bad:size', jsonb_build_object('deep', (repeat('[', 500) || repeat(']', 500))::jsonb));
SELECT udf_invoke('bad:echo', (repeat('{"a":', 3000) || '1' || repeat('}', 3000))::jsonb);
-- no file system, process or wasm; fetch and timers exist but refuse to run in queries and mutations (timers.sql, fetch.sql)
SELECT udf_invoke('bad:globals');
SELECT udf_invoke('bad:dynamicImport');
-- sizes
SET udf.max_result_size = '1MB';
SELECT udf_invoke('bad:big');
RESET udf.max_result_size;
SELECT length(udf_invoke('bad:big')::text);
SET udf.max_args_size = '1kB';
SELECT udf_invoke('bad:size', jsonb_build_object('s', repeat('y', 2000)));
RESET udf.max_args_size;
-- udf_info reports this backend's isolate
SELECT (udf_info()->>'isolate')::bool AS has_isolate,
       (udf_info()->>'heap_used_bytes')::bigint > 0 AS heap_used,
       (udf_info()->>'heap_limit_bytes')::bigint >= 512 * 1024 * 1024 AS heap_limit,
       udf_info()->'max_heap_size_mb' AS max_heap_size_mb;
-- the limit settings are visible to everyone, settable by superusers only
SELECT name, setting, unit, context FROM pg_settings WHERE name LIKE 'udf.%' ORDER BY name;

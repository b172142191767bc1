-- Table numbers are cached per backend; a number assigned by a transaction or
-- subtransaction that rolled back must not be remembered, or ids would name
-- the wrong table.
\set app `node regress/app-json.mjs regress/apps/registry`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
-- a table of a managed shape, made by SQL and committed: numbered on first use
CREATE TABLE rc_first ("_id" text PRIMARY KEY, "_creationTime" float8 NOT NULL, n float8);
BEGIN;
SELECT udf_invoke('rc:add', '{"t": "rc_first"}') IS NOT NULL AS added_then_rolled_back;
ROLLBACK;
-- the same backend numbers the table again, and its ids work here and elsewhere
SELECT udf_invoke('rc:add', '{"t": "rc_first"}') #>> '{}' AS id \gset
SELECT udf_invoke('rc:get', jsonb_build_object('id', :'id')) AS found;
\c
SELECT udf_invoke('rc:get', jsonb_build_object('id', :'id')) AS found_by_another_backend;
-- a subtransaction (a failed nested mutation) that numbered a table
SELECT udf_invoke('rc:afterUndone', '{"t": "rc_second"}') AS found_after_undone;
SELECT udf_invoke('rc:add', '{"t": "rc_second"}') #>> '{}' AS id2 \gset
SELECT udf_invoke('rc:get', jsonb_build_object('id', :'id2')) AS found_later;
\c
SELECT udf_invoke('rc:get', jsonb_build_object('id', :'id2')) AS found_later_elsewhere;
DROP TABLE rc_first, rc_second;

-- A new deployment is picked up by the next call in every backend, including
-- backends that already ran the old one; a rolled-back deploy is never seen.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
  current_database(), current_user));

\set app `node regress/app-json.mjs regress/apps/redeploy-v1`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('version:get');
SELECT udf_invoke('version:get');
-- the other session warms up on version 1
SELECT * FROM dblink('other', $$SELECT udf_invoke('version:get')$$) AS t(r jsonb);

-- deploy version 2 here; both sessions see it on their next call, with fresh module state
\set app `node regress/app-json.mjs regress/apps/redeploy-v2`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('version:get');
SELECT * FROM dblink('other', $$SELECT udf_invoke('version:get')$$) AS t(r jsonb);

-- deploy from the other session inside a transaction: invisible here until it commits
SELECT dblink_exec('other', 'BEGIN');
\set app `node regress/app-json.mjs regress/apps/redeploy-v3`
SELECT * FROM dblink('other', format('SELECT udf_deploy(%L)->''modules''', :'app')) AS t(r jsonb);
SELECT * FROM dblink('other', $$SELECT udf_invoke('version:get')$$) AS t(r jsonb);
SELECT udf_invoke('version:get');
SELECT dblink_exec('other', 'ROLLBACK');
SELECT udf_invoke('version:get');
SELECT * FROM dblink('other', $$SELECT udf_invoke('version:get')$$) AS t(r jsonb);

-- and committed: seen here at once
\set app `node regress/app-json.mjs regress/apps/redeploy-v4`
SELECT * FROM dblink('other', format('SELECT udf_deploy(%L)->''modules''', :'app')) AS t(r jsonb);
SELECT udf_invoke('version:get');

-- a redeploy inside this session's own transaction is seen at once, and undone by rollback
BEGIN;
\set app `node regress/app-json.mjs regress/apps/redeploy-v5`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('version:get');
ROLLBACK;
SELECT udf_invoke('version:get');

-- names resolved in this session are resolved again for a new deployment:
-- a module that went away, and one that came back with another kind
\set app `node regress/app-json.mjs regress/apps/redeploy-v6`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('gone'), udf_invoke('version:get');
\set app `node regress/app-json.mjs regress/apps/redeploy-v7`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('gone');
SELECT udf_invoke('version:get');
SELECT udf_functions();

SELECT dblink_disconnect('other');

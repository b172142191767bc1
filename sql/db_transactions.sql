-- Transactions: a call's reads and writes are in the caller's transaction;
-- nested mutations are savepoints; read-only transactions refuse writes;
-- SERIALIZABLE conflicts reach the caller as SQLSTATE 40001; SQL errors keep
-- their SQLSTATE, detail and hint, in JS and in SQL.
\set app `node regress/app-json.mjs regress/apps/example`
\set overlay `node regress/app-json.mjs regress/apps/transactions-tx`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
DELETE FROM messages;
SELECT udf_invoke('tx:childRollback');
SELECT udf_invoke('tx:clear');
SELECT udf_invoke('tx:parentThrows');
SELECT udf_invoke('tx:bodies');
SELECT udf_invoke('tx:childSees');
-- the caller's transaction decides: roll it back and the writes are gone
BEGIN;
SELECT udf_invoke('tx:childSees');
ROLLBACK;
SELECT udf_invoke('tx:bodies');
-- SQL errors in JS carry their SQLSTATE and detail
CREATE TABLE kv_unique (k int PRIMARY KEY);
SELECT udf_invoke('tx:uniqueViolation', '{"id": "x"}');
-- and an uncaught one reaches SQL with its own SQLSTATE
\set VERBOSITY sqlstate
SELECT udf_invoke('tx:uncaughtUnique');
\set VERBOSITY default
SELECT udf_invoke('tx:uncaughtUnique');
DROP TABLE kv_unique;
-- read-only transactions: queries run, mutations fail with PostgreSQL's error
BEGIN READ ONLY;
SELECT udf_invoke('tx:bodies');
SELECT udf_invoke('messages:send', '{"author": "ro", "body": "no"}');
ROLLBACK;
-- SERIALIZABLE: a write that conflicts with a concurrent commit is 40001
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT udf_invoke('messages:send', '{"author": "ser", "body": "v1"}') #>> '{}' AS ser \gset
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), current_user));
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT udf_invoke('messages:byAuthor', '{"author": "ser"}');
SELECT count(*) FROM dblink('other', format('SELECT udf_invoke(%L, %L)', 'messages:edit', jsonb_build_object('id', :'ser', 'body', 'v2'))) AS t(r jsonb);
\set VERBOSITY sqlstate
SELECT udf_invoke('messages:shout', jsonb_build_object('id', :'ser'));
\set VERBOSITY default
ROLLBACK;
SELECT body FROM messages WHERE "_id" = :'ser';
SELECT dblink_disconnect('other');

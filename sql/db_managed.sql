-- ctx.db on managed tables (schema.js): real tables with Convex ids and
-- _creationTime, Convex's read/write semantics, indexes, filters over types,
-- and the mirror between JS and SQL.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app')->'tables' AS tables;
\d messages
SELECT indexname FROM pg_indexes WHERE tablename = 'messages' ORDER BY 1;

-- insert, then list: the user fields plus _id (a string) and _creationTime (a number)
SELECT udf_invoke('messages:send', '{"author": "sarah", "body": "hello"}') #>> '{}' AS id \gset
SELECT length(:'id') AS id_length, (udf_invoke('messages:list')->0) - '_id' - '_creationTime' AS fields,
       jsonb_typeof(udf_invoke('messages:list')->0->'_creationTime') AS creation_time;
-- SQL sees the same row, and what SQL inserts JS reads
SELECT "_id" = :'id' AS same_id, author, body, score FROM messages;
-- patch changes one field; replace keeps _id and _creationTime; delete removes
SELECT udf_invoke('messages:edit', jsonb_build_object('id', :'id', 'body', 'hi')) - '_id' - '_creationTime';
SELECT udf_deploy(:'app')->'tables' AS redeployed_tables;  -- additive: nothing to change
\set overlay `node regress/app-json.mjs regress/apps/managed-crud`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb) IS NOT NULL AS deployed_crud;
SELECT udf_invoke('crud:replace', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchUndefined', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchSameId', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:patchOtherId', jsonb_build_object('id', :'id'));
SELECT udf_invoke('crud:insertThenPatchThenQuery');
SELECT udf_invoke('crud:deleteVisible');
-- a mutation that throws leaves nothing behind
SELECT udf_invoke('crud:throws');
SELECT count(*) FROM messages WHERE author = 'tx';
SELECT udf_invoke('crud:creationOrder');
-- ids name their table
SELECT udf_invoke('crud:normalize', jsonb_build_object('id', :'id')) = jsonb_build_array(:'id', NULL) AS normalized;
CREATE TABLE orders_elsewhere (_id text PRIMARY KEY, "_creationTime" float8);
SELECT udf_invoke('crud:wrongTable', jsonb_build_object('id', :'id'));
DROP TABLE orders_elsewhere;
-- the schema's types and names are enforced
SELECT udf_invoke('crud:badType');
SELECT udf_invoke('crud:extraField');
SELECT udf_invoke('crud:underscore');
-- ordering: insertion order, desc + take
SELECT udf_invoke('messages:latest', '{"n": 2}');
-- index ranges and filters across types (Convex's total order: missing < numbers < strings)
SELECT udf_invoke('messages:send', jsonb_build_object('author', 's', 'body', 'b' || n, 'score', n)) IS NOT NULL
FROM generate_series(1, 3) n;
SELECT udf_invoke('messages:send', '{"author": "s", "body": "no score"}') IS NOT NULL;
SELECT udf_invoke('crud:ranges');
SELECT udf_invoke('crud:rangeErrors');
SELECT udf_invoke('crud:filters');
SELECT udf_invoke('messages:byAuthor', '{"author": "s"}');
-- values of every type survive insert and get
SELECT udf_invoke('messages:count') = (SELECT count(*) FROM messages)::int::text::jsonb AS count_matches;

-- ten concurrent read-modify-write mutations on one document all apply
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT udf_invoke('messages:send', '{"author": "race", "body": "hello"}') #>> '{}' AS race \gset
SELECT dblink_connect('c' || n, format('host=%s port=%s dbname=%s user=%s',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database(), current_user))
FROM generate_series(1, 10) n;
SELECT dblink_send_query('c' || n, format('SELECT udf_invoke(%L, %L)', 'messages:shout', jsonb_build_object('id', :'race')))
FROM generate_series(1, 10) n;
SELECT count(*) FROM generate_series(1, 10) n, dblink_get_result('c' || n) AS r(x jsonb);
SELECT dblink_disconnect('c' || n) FROM generate_series(1, 10) n;
SELECT body FROM messages WHERE "_id" = :'race';

-- built-in indexes, id-only forms on ordinary tables, null versus missing
\set overlay `node regress/app-json.mjs regress/apps/managed-more`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
SELECT udf_invoke('more:builtin');
SELECT udf_invoke('more:idOnlyOrdinary');
SELECT udf_invoke('more:nulls');
SELECT v, v IS NULL AS sql_null FROM flex ORDER BY "_creationTime";

-- Tables without a schema (Convex's default): a table exists once a document
-- is inserted into it, as a managed table keeping the document in jsonb;
-- reads of a table that does not exist yet give nothing.
\set app `node regress/app-json.mjs regress/apps/schemaless`
SELECT udf_deploy(:'app')->'tables' AS tables;
-- before the first insert: nothing, not an error
SELECT udf_invoke('chat:list') AS list, udf_invoke('chat:count') AS count,
       udf_invoke('chat:get', '{"table": "chat", "id": "0n2sa17kst93rh3nmexjtay05fpbg9r"}') AS get,
       udf_invoke('chat:byCreation') AS by_creation, udf_invoke('chat:page') - 'continueCursor' AS page;
SELECT to_regclass('chat') IS NULL AS no_table_yet;
-- an index the table cannot have yet is still an error
SELECT udf_invoke('chat:byAuthor');
-- the first insert creates the table, and SQL sees it
SELECT udf_invoke('chat:send', '{"author": "ann", "body": "hello"}') #>> '{}' AS id \gset
SELECT udf_invoke('chat:send', '{"author": "bob", "body": "hi"}') IS NOT NULL AS second;
\d chat
SELECT "_id" = :'id' AS same_id, _doc FROM chat ORDER BY "_creationTime";
SELECT jsonb_agg(d - '_id' - '_creationTime') AS list, udf_invoke('chat:count') AS count
FROM jsonb_array_elements(udf_invoke('chat:list')) d;
SELECT udf_invoke('chat:get', jsonb_build_object('table', 'chat', 'id', :'id'))->>'body' AS get,
       udf_invoke('chat:normalize', jsonb_build_object('id', :'id')) = to_jsonb(:'id'::text) AS normalized;
-- SQL writes are read by JS
INSERT INTO chat VALUES ('not-an-id-but-a-key', 0, '{"author": "sql", "body": "from SQL"}');
SELECT d->>'author' AS author FROM jsonb_array_elements(udf_invoke('chat:list')) d;
DELETE FROM chat WHERE _id = 'not-an-id-but-a-key';
-- every Convex value round-trips (the fields that do not: none)
SELECT udf_invoke('chat:allTypes') AS mismatched;
SELECT _doc FROM things;
SELECT udf_invoke('chat:edits');
-- filters on a table without a schema follow Convex's total order
SELECT udf_invoke('chat:seedThings2');
SELECT op, path, value, udf_invoke('chat:filtered', jsonb_build_object('op', op, 'path', path, 'value', value)) AS n
FROM (VALUES ('eq', 'k', '5'::jsonb), ('lt', 'k', '5'), ('gt', 'k', '5'), ('eq', 'k', 'null'),
             ('gte', 'k', '"a"'), ('eq', 'k.deep', '1'), ('lt', 'n', '3'), ('neq', 'n', '3')) t(op, path, value);
-- bad inputs: nothing is written, no table is left behind
SELECT udf_invoke('chat:badSystem');
SELECT udf_invoke('chat:badDollar');
SELECT udf_invoke('chat:badUnderscore');
SELECT udf_invoke('chat:badName');
SELECT udf_invoke('chat:insertThenThrow');
SELECT udf_invoke('chat:patchMissing', jsonb_build_object('id', :'id'));
SELECT count(*) AS left_behind FROM pg_class WHERE relname IN ('bad1', 'bad2', 'bad3', 'phantom', 'nowhere');
-- a role that may not create tables gets a clear refusal
CREATE ROLE schemaless_reader;
GRANT USAGE ON SCHEMA public TO schemaless_reader;
SET ROLE schemaless_reader;
SELECT udf_invoke('chat:send', '{"author": "r", "body": "x", "table": "readers"}');
RESET ROLE;
REVOKE USAGE ON SCHEMA public FROM schemaless_reader;
DROP ROLE schemaless_reader;

-- with a schema, a table it does not declare is still written this way
\set users `node regress/app-json.mjs regress/apps/schemaless-users`
SELECT udf_deploy(:'app'::jsonb || :'users'::jsonb)->'tables' AS tables;
SELECT udf_invoke('chat:send', '{"author": "cy", "body": "still", "table": "notes2"}') IS NOT NULL AS inserted;
SELECT _doc FROM notes2;
-- a declared table whose documents are a union of shapes keeps each document whole, validated
\d events
SELECT udf_invoke('chat:put', '{"table": "events", "doc": {"kind": "click", "x": 3}}') AS click,
       udf_invoke('chat:put', '{"table": "events", "doc": {"kind": "key", "key": "k"}}') AS key;
SELECT udf_invoke('chat:put', '{"table": "events", "doc": {"kind": "click", "key": "k"}}');
SELECT count(*) AS events FROM events;

-- a later schema.js that declares such a table moves its documents into typed columns
\set adopt `node regress/app-json.mjs regress/apps/schemaless-adopt`
SELECT udf_deploy(:'app'::jsonb || :'adopt'::jsonb)->'tables' AS tables;
\d chat
SELECT "_id" = :'id' AS same_id, author, body, likes FROM chat ORDER BY "_creationTime";
SELECT jsonb_agg(d - '_id' - '_creationTime') AS list FROM jsonb_array_elements(udf_invoke('chat:list')) d;
SELECT udf_invoke('chat:get', jsonb_build_object('table', 'chat', 'id', :'id'))->>'author' AS get_after;
-- and validates them now: a document that does not match refuses the deploy, naming it
SELECT udf_invoke('chat:send', '{"author": "dee", "body": "typed", "table": "chat"}') IS NOT NULL AS typed_insert;
\set bad `node regress/app-json.mjs regress/apps/schemaless-adopt-bad`
CREATE FUNCTION deploy_error(app jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM udf_deploy(app);
  RETURN 'deployed';
EXCEPTION WHEN others THEN
  -- the id of the first bad document (n = 2, 'five' is no number), shown as <n=2>
  RETURN replace(SQLERRM, (SELECT _id FROM things2 WHERE (_doc->>'n')::int = 2), '<n=2>');
END $$;
SELECT deploy_error(:'app'::jsonb || :'bad'::jsonb);
-- nested values are checked too: n = 5 holds {deep: 1} where the schema says {deep: string}
\set nested `node regress/app-json.mjs regress/apps/schemaless-adopt-nested`
SELECT replace(deploy_error(:'app'::jsonb || :'nested'::jsonb), (SELECT _id FROM things2 WHERE (_doc->>'n')::int = 5), '<n=5>');
-- nothing changed: things2 is still a table without a schema, the previous deployment live
SELECT count(*) AS docs, bool_and(_doc ? 'n') AS untouched FROM things2;
SELECT count(*) FROM udf_functions() WHERE path LIKE 'chat:%';
DROP FUNCTION deploy_error(jsonb);
DROP TABLE notes2, things, things2, edits;
DROP TABLE chat, users, events;

-- v.id("table") checks the id's table, in args, returns and schema
-- validation, with Convex's wording: a string that is no id does not match
-- the validator; an id of another table names both tables.
\set app `node regress/app-json.mjs regress/apps/ids`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
CREATE TABLE ids_plain (k text PRIMARY KEY, v int);
INSERT INTO ids_plain VALUES ('a', 1);
-- ids differ run to run: errors are shown with <id> in their place
CREATE FUNCTION try_invoke(fn text, args jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN udf_invoke(fn, args)::text;
EXCEPTION WHEN others THEN
  RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[0-9a-hjkmnp-tv-z]{31,37}', '<id>', 'g');
END $$;

SELECT udf_invoke('chat:addChannel', '{"name": "general"}') #>> '{}' AS channel \gset
SELECT udf_invoke('chat:send', jsonb_build_object('channelId', :'channel', 'body', 'hi')) #>> '{}' AS message \gset
-- good: an id of the table
SELECT udf_invoke('chat:list', jsonb_build_object('channelId', :'channel'));
-- an id of another table: refused, not an empty list
SELECT try_invoke('chat:list', jsonb_build_object('channelId', :'message'));
-- a string that is no id
SELECT try_invoke('chat:list', '{"channelId": "general"}');
-- inside an array of a union: the path says where
SELECT udf_invoke('chat:many', jsonb_build_object('ids', jsonb_build_array(:'channel', null)));
SELECT try_invoke('chat:many', jsonb_build_object('ids', jsonb_build_array(:'channel', :'message')));
-- the returns validator
SELECT udf_invoke('chat:wrongReturn', jsonb_build_object('id', :'channel')) = to_jsonb(:'channel'::text) AS same;
SELECT try_invoke('chat:wrongReturn', jsonb_build_object('id', :'message'));
-- the schema: nothing is written
SELECT try_invoke('chat:sendUnchecked', jsonb_build_object('channelId', :'message', 'body', 'bad'));
SELECT count(*) AS bad_messages FROM id_messages WHERE body = 'bad';
-- an ordinary table's ids carry no table: any string passes
SELECT udf_invoke('chat:plain', '{"id": "a"}') ->> 'v' AS plain;
SELECT udf_invoke('chat:plain', '{"id": "nope"}') AS missing;
DROP FUNCTION try_invoke;
DROP TABLE ids_plain;

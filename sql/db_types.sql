-- The type mapping of ctx.db, both ways, for the common column types: what
-- SQL stored, JS reads; what JS writes, SQL reads.
CREATE TABLE typed (
  id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric,
  t text, vc varchar(10), u uuid, d date, ts timestamp, tstz timestamptz, by bytea,
  j json, jb jsonb, ai int[], at text[]);
INSERT INTO typed VALUES (1, true, 2, 4, 9007199254740993, 1.5, 'NaN', 12.25,
  'text', 'varchar', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '2024-01-01 00:00:00',
  '2024-01-01 00:00:00+00', '\x00ff', '{"a": [1, 2]}', '{"b": null}', '{1,2,3}', '{x,y}');
INSERT INTO typed (id) VALUES (2);
\set app `node regress/app-json.mjs regress/apps/db-types`
SELECT udf_deploy(:'app')->'modules';
SELECT key, value FROM jsonb_each(udf_invoke('types:read', '{"id": "1"}')) ORDER BY key;
SELECT key, value FROM jsonb_each(udf_invoke('types:read', '{"id": "2"}')) ORDER BY key;
SELECT udf_invoke('types:write');
SELECT b, i2, i4, i8, f4, f8, n, t, vc, u, d, ts, tstz, by, j, jb, ai, at FROM typed WHERE id = 3;
SELECT udf_invoke('types:overflow');
SELECT udf_invoke('types:badUuid');
SELECT udf_invoke('types:fraction');
DROP TABLE typed;
-- text-like columns read as their output functions print them (bpchar keeps its padding),
-- and a key's _id is its text: integer, bigint and text keys
CREATE TABLE keyed_text (k text PRIMARY KEY, c char(5), vc varchar(8), t text);
INSERT INTO keyed_text VALUES ('key é', 'ab', 'v', E'line\nnext ✓');
CREATE TABLE keyed_big (k bigint PRIMARY KEY, c char(3));
INSERT INTO keyed_big VALUES (-9223372036854775808, 'x');
CREATE TABLE keyed_small (k smallint PRIMARY KEY, t text);
INSERT INTO keyed_small VALUES (-32768, '');
SELECT udf_invoke('types:readFrom', '{"table": "keyed_text", "id": "key é"}');
SELECT udf_invoke('types:readFrom', '{"table": "keyed_big", "id": "-9223372036854775808"}');
SELECT udf_invoke('types:readFrom', '{"table": "keyed_small", "id": "-32768"}');
DROP TABLE keyed_text, keyed_big, keyed_small;

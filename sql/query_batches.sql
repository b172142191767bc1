-- Query rows come from the host in batches; reading a query must give the
-- same documents and count the same reads however the rows are batched:
-- collect() and for-await agree, rows never taken are not counted, the read
-- limits stop a read at the same row either way, and queries read
-- interleaved stay apart.
\set app `node regress/app-json.mjs regress/apps/batches`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SET udf.test_now = 1700000000000;
SELECT udf_invoke('qb:writeWhileReading') AS empty_table;
DELETE FROM qb_rows;
-- 3000 rows: several batches, of int64, bytes and nested values
INSERT INTO qb_rows ("_id", "_creationTime", k, big, raw, doc)
  SELECT 'id' || g, g, g, g * 1000000000000, decode(lpad(to_hex(g), 8, '0'), 'hex'), jsonb_build_object('nested', 'n' || g)
  FROM generate_series(1, 3000) g;
SELECT udf_invoke('qb:both');
-- only the rows a loop took count as read
SELECT udf_invoke('qb:firstN', '{"n": 1}');
SELECT udf_invoke('qb:firstN', '{"n": 10}');
SELECT udf_invoke('qb:firstN', '{"n": 2500}');
-- the document limit stops both ways of reading at the same row
SET udf.max_documents_read = 1234;
SELECT udf_invoke('qb:untilLimit', '{"how": "iterate"}');
SELECT udf_invoke('qb:untilLimit', '{"how": "collect"}');
-- and the byte limit
SET udf.max_documents_read = 32000;
SET udf.max_bytes_read = '64kB';
SELECT udf_invoke('qb:untilLimit', '{"how": "iterate"}') AS iterate \gset
SELECT :'iterate';
SELECT udf_invoke('qb:untilLimit', '{"how": "collect"}');
RESET udf.max_bytes_read;
SELECT udf_invoke('qb:interleaved');
-- a mutation's query does not see what it inserts while reading
SELECT udf_invoke('qb:writeWhileReading');

-- Convex's total order on any-typed fields (v.any(), unions, nested values
-- kept as jsonb): missing < null < int64 < float64 < boolean < string <
-- bytes < array < object, and Convex's rules within each type. Their
-- indexes are btrees on udf_sort_key(field), so withIndex order and ranges
-- use the index.
\set app `node regress/app-json.mjs regress/apps/any-order`
SELECT udf_deploy(:'app')->'tables' AS tables;
SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('anyvals__by_v', 'mixed__by_group_u') ORDER BY 1;
SELECT udf_invoke('anyorder:seed');
-- convex-test's "type ordering", descending: object, array, bytes, "xFactor", "stringValue", true, false, 35, 34, 34n, null, missing
SELECT udf_invoke('anyorder:order', '{"dir": "desc"}') #>> '{}' AS descending;
SELECT udf_invoke('anyorder:order', '{"dir": "asc"}') #>> '{}' AS ascending;
-- ranges in the same order: each bound a value of some type
SELECT lower, lo, upper, hi, udf_invoke('anyorder:range', jsonb_strip_nulls(jsonb_build_object('lower', lower, 'lo', lo, 'upper', upper, 'hi', hi))) #>> '{}' AS labels
FROM (VALUES
  ('gt', '35'::jsonb, NULL, NULL::jsonb),
  ('gte', '{"$integer": "IgAAAAAAAAA="}', 'lt', '35'),
  (NULL, NULL, 'lt', '{"$integer": "AAAAAAAAAAA="}'),
  ('gt', '"b"', 'lte', '{"$bytes": "AQI="}'),
  ('gte', '[]', 'lt', '{}'),
  ('gt', 'null', 'lt', 'false'),
  ('gte', '{"$float": "AAAAAAAAAIA="}', 'lte', '0')
) t(lower, lo, upper, hi);
SELECT udf_invoke('anyorder:eqUndefined') AS eq_undefined;
-- a union field after an eq prefix
SELECT udf_invoke('anyorder:union', '{"dir": "asc"}') #>> '{}' AS union_asc, udf_invoke('anyorder:union', '{"dir": "desc"}') #>> '{}' AS union_desc;
-- paginate over the index, descending, 7 at a time: the cursors compare sort keys
SELECT udf_invoke('anyorder:page', '{"paginationOpts": {"numItems": 7, "cursor": null}}') AS p1 \gset
SELECT udf_invoke('anyorder:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 7, 'cursor', :'p1'::jsonb->'cursor'))) AS p2 \gset
SELECT udf_invoke('anyorder:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 7, 'cursor', :'p2'::jsonb->'cursor'))) AS p3 \gset
SELECT udf_invoke('anyorder:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 7, 'cursor', :'p3'::jsonb->'cursor'))) AS p4 \gset
SELECT n, p->>'labels' AS labels, p->'isDone' AS done
FROM (VALUES (1, :'p1'::jsonb), (2, :'p2'::jsonb), (3, :'p3'::jsonb), (4, :'p4'::jsonb)) t(n, p);
-- the range reads the btree (index scans counted by PostgreSQL's statistics)
SET enable_seqscan = off;
SELECT coalesce(idx_scan, 0) AS before FROM pg_stat_user_indexes WHERE indexrelname = 'anyvals__by_v' \gset
SELECT udf_invoke('anyorder:range', '{"lower": "gt", "lo": "b", "upper": "lt", "hi": []}') #>> '{}' AS labels;
SELECT pg_stat_force_next_flush();
SELECT idx_scan > :before AS used_the_index FROM pg_stat_user_indexes WHERE indexrelname = 'anyvals__by_v';
RESET enable_seqscan;
-- SQL can order by the same key
SELECT string_agg(label, ' ' ORDER BY udf_sort_key(v) DESC, "_creationTime" DESC) AS sql_descending FROM anyvals;
-- bad ranges are still refused
SELECT udf_invoke('anyorder:notInIndex');
SELECT udf_invoke('anyorder:twoLower');
DROP TABLE anyvals, mixed;

-- paginate(): pages with opaque, tamper-checked cursors that stay valid when
-- documents are deleted between pages; Convex's isDone rule (a page that
-- fills exactly is not done yet); one paginated query per function.
\set app `node regress/app-json.mjs regress/apps/example`
\set overlay `node regress/app-json.mjs regress/apps/paginate-pages`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
DELETE FROM messages;
SELECT udf_invoke('messages:send', jsonb_build_object('author', CASE WHEN n <= 5 THEN 'sarah' ELSE 'michal' END,
                                                      'body', CASE WHEN n = 4 THEN 'skip me' ELSE 'm' || n END,
                                                      'score', 10 - n)) IS NOT NULL
FROM generate_series(1, 7) n;

-- three pages of 2 over the 6 that pass the filter; the exact fit is not done yet
SELECT udf_invoke('pages:page', '{"paginationOpts": {"numItems": 2, "cursor": null}}') AS p1 \gset
SELECT (:'p1'::jsonb) - 'cursor';
SELECT udf_invoke('pages:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 2, 'cursor', :'p1'::jsonb->'cursor'))) AS p2 \gset
SELECT (:'p2'::jsonb) - 'cursor';
-- a document of the next page deleted between pages: the continuation still works
SELECT udf_invoke('pages:removeBody', '{"body": "m5"}');
SELECT udf_invoke('pages:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 2, 'cursor', :'p2'::jsonb->'cursor'))) AS p3 \gset
SELECT (:'p3'::jsonb) - 'cursor';
SELECT udf_invoke('pages:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 2, 'cursor', :'p3'::jsonb->'cursor'))) - 'cursor';
-- through an index, descending-free: scores in index order within the author
SELECT udf_invoke('pages:page', '{"paginationOpts": {"numItems": 10, "cursor": null}, "author": "sarah"}') - 'cursor';
-- maximumRowsRead ends a page early with SplitRequired
SELECT udf_invoke('pages:page', '{"paginationOpts": {"numItems": 5, "cursor": null, "maximumRowsRead": 2}}') - 'cursor';
-- endCursor: re-read up to where an earlier page ended
SELECT udf_invoke('pages:page', jsonb_build_object('paginationOpts',
  jsonb_build_object('numItems', 1, 'cursor', null, 'endCursor', :'p2'::jsonb->'cursor'))) - 'cursor';
-- bad cursors and limits
SELECT udf_invoke('pages:page', '{"paginationOpts": {"numItems": 2, "cursor": "not a cursor"}}');
SELECT udf_invoke('pages:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 2,
  'cursor', split_part(:'p1'::jsonb->>'cursor', '.', 1) || '.' || reverse(split_part(:'p1'::jsonb->>'cursor', '.', 2)))));
SELECT udf_invoke('pages:zero');
SELECT udf_invoke('pages:twice');

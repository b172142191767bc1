-- paginate's read limits, as Convex: maximumRowsRead counts the rows read,
-- those a filter rejects included, maximumBytesRead the bytes of the
-- documents read; when one is reached the page ends early with isDone
-- false, pageStatus "SplitRequired" and a splitCursor, and continuing from
-- continueCursor reads on from there.
\set app `node regress/app-json.mjs regress/apps/read-limits`
SELECT udf_deploy(:'app')->'modules' AS modules;
SELECT udf_invoke('limits:seed');
-- every page of a paginated read, following continueCursor: [ns, isDone, pageStatus, has splitCursor]
CREATE FUNCTION all_pages(opts jsonb, filtered bool) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  cursor jsonb := 'null';
  r jsonb;
BEGIN
  FOR i IN 1..20 LOOP
    r := udf_invoke('limits:page', jsonb_build_object('paginationOpts', opts || jsonb_build_object('cursor', cursor),
                                                      'filtered', filtered));
    RETURN NEXT format('%s %s %s %s', r->'ns', r->'isDone', r->>'pageStatus', r->'splitCursor' <> 'null');
    EXIT WHEN (r->>'isDone')::bool;
    cursor := r->'continueCursor';
  END LOOP;
END $$;

-- maximumRowsRead 3 over 10 documents: pages of at most 3, SplitRequired, all 10 in the end
SELECT * FROM all_pages('{"numItems": 100, "maximumRowsRead": 3}', false);
-- with a filter the rejected rows count as read: 1 then 2 (of 3 rows read) ...
SELECT * FROM all_pages('{"numItems": 100, "maximumRowsRead": 3}', true);
-- the page fills before the limit: an ordinary page (near the limit: SplitRecommended)
SELECT * FROM all_pages('{"numItems": 2, "maximumRowsRead": 5}', true);
SELECT * FROM all_pages('{"numItems": 3, "maximumRowsRead": 4}', false);
-- maximumBytesRead below one document's size: one document per page
SELECT * FROM all_pages('{"numItems": 100, "maximumBytesRead": 10}', false);
-- a byte limit the large document (n = 5) reaches: the page ends after it
SELECT * FROM all_pages('{"numItems": 100, "maximumBytesRead": 1500}', true);
-- limits far away: one page, done
SELECT * FROM all_pages('{"numItems": 100, "maximumRowsRead": 1000, "maximumBytesRead": 1000000}', true);
-- the splitCursor splits the page: from the start to it, then from it to the continueCursor
SELECT udf_invoke('limits:page', '{"paginationOpts": {"numItems": 100, "cursor": null, "maximumRowsRead": 4}}') AS r \gset
SELECT (:'r'::jsonb)->'ns' AS page, (:'r'::jsonb)->>'pageStatus' AS status;
SELECT udf_invoke('limits:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 100, 'cursor', null,
         'endCursor', (:'r'::jsonb)->'splitCursor')))->'ns' AS first_half,
       udf_invoke('limits:page', jsonb_build_object('paginationOpts', jsonb_build_object('numItems', 100,
         'cursor', (:'r'::jsonb)->'splitCursor', 'endCursor', (:'r'::jsonb)->'continueCursor')))->'ns' AS second_half;
-- bad limits
SELECT udf_invoke('limits:page', '{"paginationOpts": {"numItems": 5, "cursor": null, "maximumRowsRead": 0}}');
SELECT udf_invoke('limits:page', '{"paginationOpts": {"numItems": 5, "cursor": null, "maximumBytesRead": 0}}');
SELECT udf_invoke('limits:page', '{"paginationOpts": {"numItems": 5, "cursor": null, "maximumBytesRead": -1}}');
SELECT udf_invoke('limits:page', '{"paginationOpts": {"numItems": 5, "cursor": null, "maximumRowsRead": 2}}')->'ns' AS still_usable;
DROP FUNCTION all_pages(jsonb, bool);
DROP TABLE rl_docs;

-- ctx.runQuery / ctx.runMutation inside queries and mutations: same
-- transaction and context, internal functions allowed, ConvexError data
-- preserved, nesting bounded by udf.max_call_depth.
\set app `node regress/app-json.mjs regress/apps/nested`
SELECT udf_deploy(:'app')->'modules';

SELECT udf_invoke('nest:outer');
SELECT udf_invoke('nest:byName');
SELECT udf_invoke('nest:viaMutation');
-- nested calls see fresh randomness from the caller's PRNG
SELECT udf_invoke('nest:randoms');
-- console lines name the function that wrote them
SELECT udf_invoke('nest:logs');

-- errors cross the boundary: ConvexError keeps its data, others their message
SELECT udf_invoke('nest:catches');
SELECT udf_invoke('nest:catchesPlain');
SELECT udf_invoke('nest:propagates');
SELECT udf_invoke('nest:badArgs');
SELECT udf_invoke('nest:wrongKind');
SELECT udf_invoke('nest:missing');
SELECT udf_invoke('nest:missingModule');
-- useStaleSnapshot works (sql/stale_snapshot.sql covers what it sees)
SELECT udf_invoke('nest:stale');

-- nesting is bounded: 8 nested calls under the top-level one, then an error
SELECT udf_invoke('nest:recurse', '{"n": 8}');
SELECT udf_invoke('nest:recurse', '{"n": 9}');
SET udf.max_call_depth = 2;
SELECT udf_invoke('nest:recurse', '{"n": 2}');
SELECT udf_invoke('nest:recurse', '{"n": 3}');
RESET udf.max_call_depth;

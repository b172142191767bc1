-- Values: args and results in Convex's JSON encoding, so every type
-- round-trips: int64 ($integer), bytes ($bytes), NaN/Infinity/-0 ($float).
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

-- what each JSON value arrives as in JavaScript
SELECT udf_invoke('values:describe', $${"value": {
  "int": {"$integer": "AQAAAAAAAAA="}, "bytes": {"$bytes": "AAEC"}, "nan": {"$float": "AAAAAAAA+H8="},
  "inf": {"$float": "AAAAAAAA8H8="}, "negzero": {"$float": "AAAAAAAAAIA="}, "num": 1.5, "str": "s",
  "bool": true, "nul": null, "arr": [1], "obj": {}}}$$);

-- and back: each value comes out as it went in
SELECT udf_invoke('values:echo', jsonb_build_object('value', v)) AS echoed
FROM (VALUES
  ('{"$integer": "AQAAAAAAAAA="}'::jsonb),                 -- 1n
  ('{"$integer": "/////////38="}'),                         -- 2^63-1
  ('{"$integer": "AAAAAAAAAIA="}'),                         -- -2^63
  ('{"$bytes": "AAEC/w=="}'),
  ('{"$bytes": ""}'),
  ('{"$float": "AAAAAAAA+H8="}'),                           -- NaN
  ('{"$float": "AAAAAAAA8H8="}'),                           -- Infinity
  ('{"$float": "AAAAAAAA8P8="}'),                           -- -Infinity
  ('{"$float": "AAAAAAAAAIA="}'),                           -- -0
  ('0'), ('-1.5'), ('1.5e20'), ('123456789012'),
  ('""'), ('"héllo wörld 😀 ∑ 日本"'), ('"quote \" and \\ backslash and \n newline"'),
  ('true'), ('false'), ('null'),
  ('[]'), ('{}'), ('[1, "two", [3], {"four": 4}]'),
  ('{"nested": {"deeper": {"deepest": [{"x": {"$integer": "BQAAAAAAAAA="}}]}}}')
) t(v);

-- int64 arithmetic stays exact, and overflow is an error, not wraparound
SELECT udf_invoke('values:sum', '{"values": [{"$integer": "/////////z8="}, {"$integer": "/////////z8="}]}');
SELECT udf_invoke('values:sum', '{"values": [{"$integer": "AAAAAAAAAEA="}, {"$integer": "AAAAAAAAAEA="}]}');

-- a handler that returns undefined gives null
SELECT udf_invoke('values:nothing'), udf_invoke('values:nothing') IS NULL AS sql_null;

-- results that are not Convex values are errors naming the problem
\set app `node regress/app-json.mjs regress/apps/values-bad`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('bad:map');
SELECT udf_invoke('bad:cyc');
SELECT udf_invoke('bad:fn');
SELECT udf_invoke('bad:undefInArray');
SELECT udf_invoke('bad:dollar');
SELECT udf_invoke('bad:sym');
SELECT udf_invoke('bad:big');
SELECT udf_invoke('bad:cls');
SELECT udf_invoke('bad:date');

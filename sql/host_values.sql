-- Rows reach JavaScript as host values built straight from the tuple (no JSON
-- text, jsonb walked): what JS sees must be exactly what JSON.parse of the
-- row's Convex JSON would give (a "__proto__" field included: the convex
-- package's jsonToConvex makes it the prototype, as it does after JSON.parse).
SELECT pg_postmaster_start_time() AS started \gset
CREATE TABLE hv (id int PRIMARY KEY, t text, doc jsonb, j json, n numeric);
INSERT INTO hv VALUES
  (1, 'héllo ✓ 😀', '{"key": "значение ✓", "__proto__": {"x": 1}, "10": "ten", "2": "two", "a": [], "b": {}, "nul": null, "f": false}',
   '{"raw": [1, 2.5, "x"]}', 0.1),
  (2, repeat('ab', 50000), '[1e400, -1e400, 12345678901234567890, 0.1, -0, 1e-400]', '"just a string"', NULL),
  (4, '', '"top-level string"', 'null', 'NaN'),
  (5, NULL, '7', '[]', 1e20),
  (6, NULL, 'true', '{}', NULL),
  (7, NULL, 'null', NULL, NULL);
-- 150 nested arrays: deeper than the walk, sent as text instead
INSERT INTO hv VALUES (3, 'deep', (repeat('[', 150) || repeat(']', 150))::jsonb, NULL, NULL);

\set app `node regress/app-json.mjs regress/apps/hostvalues`
SELECT udf_deploy(:'app') -> 'modules';

SELECT udf_invoke('hv:get', '{"id": "1"}');
SELECT udf_invoke('hv:inspect', '{"id": "1"}');
SELECT udf_invoke('hv:inspect', '{"id": "2"}');
SELECT id, udf_invoke('hv:get', jsonb_build_object('id', id::text)) FROM hv WHERE id >= 4 ORDER BY id;
SELECT udf_invoke('hv:deep');
-- several answers waiting at once (Promise.all, two open streams)
SELECT udf_invoke('hv:parallel');
SELECT udf_invoke('hv:twoStreams');
-- JSON.parse still behaves as the builtin for everything else
SELECT udf_invoke('hv:jsonParse');
SELECT udf_invoke('hv:unparsed'), udf_invoke('hv:unparsed');
-- values past the 8 kB a memory chunk holds, on every read path
INSERT INTO hv VALUES (8, repeat('x', 300000), NULL, NULL, NULL);
SELECT udf_invoke('hv:lengths');
-- objects of the same fields are built by one function per context; odd names
-- and many different shapes (past the 512 kept per context) come out the same
CREATE TABLE hvk (id int PRIMARY KEY, doc jsonb);
INSERT INTO hvk VALUES (1, '{"a\"b": 1, "c\\d": 2, "e''f": 3, "g h": 4, "0": 5}'), (2, '{"a\"b": 6, "c\\d": 7, "e''f": 8, "g h": 9, "0": 10}');
INSERT INTO hvk SELECT g, jsonb_build_object('k' || g, g) FROM generate_series(3, 700) g;
SELECT x FROM jsonb_array_elements_text(udf_invoke('hv:oddKeys')) x LIMIT 4;
SELECT count(*), count(DISTINCT x) FROM jsonb_array_elements_text(udf_invoke('hv:oddKeys')) x;
-- a missing row is null, and so is a row of a table that does not exist (yet), and the session goes on
SELECT udf_invoke('hv:get', '{"id": "99"}');
DROP TABLE hv;
SELECT udf_invoke('hv:get', '{"id": "1"}');
SELECT 1 AS still_usable;
SELECT pg_postmaster_start_time() = :'started' AS no_backend_crashed;

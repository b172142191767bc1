-- Filters on dotted field paths (q.field("meta.color")) in every comparison,
-- on a managed table (meta an optional object, extra any-typed), on a table
-- without a schema (made by its first insert) and on an ordinary table
-- with jsonb columns: Convex's total order of types, a
-- missing path (a missing object on the way, a path into a scalar or an
-- array) is undefined. Each row: the titles of the matching documents.
\set app `node regress/app-json.mjs regress/apps/filter-paths`
SELECT udf_deploy(:'app')->'tables' AS tables;
CREATE TABLE plain_notes (id serial PRIMARY KEY, title text, meta jsonb, extra jsonb);
SELECT udf_invoke('paths:seed', '{"table": "notes"}'), udf_invoke('paths:seed', '{"table": "plain_notes"}'),
       udf_invoke('paths:seed', '{"table": "loose_notes"}');
-- a row with a SQL NULL meta in the ordinary table is null there, not missing
SELECT title, meta, extra FROM plain_notes ORDER BY id;

SELECT op, path, coalesce(value::text, 'undefined') AS value,
       udf_invoke('paths:where', a || '{"table": "notes"}') #>> '{}' AS managed,
       udf_invoke('paths:where', a || '{"table": "loose_notes"}') #>> '{}' AS schemaless,
       udf_invoke('paths:where', a || '{"table": "plain_notes"}') #>> '{}' AS ordinary
FROM (VALUES
  ('eq', 'meta.color', '"red"'::jsonb), ('neq', 'meta.color', '"red"'),
  ('eq', 'meta.color', NULL), ('neq', 'meta.color', NULL),
  ('lt', 'meta.color', '"red"'), ('lte', 'meta.color', '"red"'),
  ('gt', 'meta.color', '"blue"'), ('gte', 'meta.color', '"blue"'),
  ('lt', 'meta.color', 'null'), ('gt', 'meta.color', '1'),
  ('eq', 'meta.size', '3'), ('neq', 'meta.size', '5'),
  ('lt', 'meta.size', '5'), ('lte', 'meta.size', '5'),
  ('gt', 'meta.size', '3'), ('gte', 'meta.size', '10'),
  ('lt', 'meta.size', '{"$integer": "BQAAAAAAAAA="}'), ('eq', 'meta.size', '{"$integer": "AwAAAAAAAAA="}'),
  ('eq', 'meta.dims.w', '1'), ('eq', 'meta.dims.w', NULL),
  ('gt', 'meta.dims.w', '0'), ('lte', 'meta.dims.w', '1'),
  ('eq', 'extra.k', '{"$integer": "AgAAAAAAAAA="}'), ('eq', 'extra.k', '2'),
  ('lt', 'extra.k', '1'), ('gt', 'extra.k', '1'),
  ('gte', 'extra.k', 'null'), ('eq', 'extra.k', 'null'), ('lt', 'extra.k', '""'),
  ('eq', 'title.x', NULL), ('eq', 'title.x', '"a"'), ('eq', 'nope.x', NULL),
  ('eq', 'meta', NULL), ('eq', 'meta', 'null')
) t(op, path, value),
LATERAL (SELECT jsonb_build_object('op', op, 'path', path) ||
         CASE WHEN value IS NULL THEN '{"undef": true}' ELSE jsonb_build_object('value', value) END AS a) args;

-- the literal on the left (5 > meta.size), and paths inside and/or/not
SELECT udf_invoke('paths:literalFirst', '{"table": "notes"}') AS managed,
       udf_invoke('paths:literalFirst', '{"table": "loose_notes"}') AS schemaless,
       udf_invoke('paths:literalFirst', '{"table": "plain_notes"}') AS ordinary;
SELECT udf_invoke('paths:combined', '{"table": "notes"}') AS managed,
       udf_invoke('paths:combined', '{"table": "loose_notes"}') AS schemaless,
       udf_invoke('paths:combined', '{"table": "plain_notes"}') AS ordinary;

-- arithmetic on a nested number
SELECT udf_invoke('paths:nestedArithmetic', '{"table": "notes"}') AS managed,
       udf_invoke('paths:nestedArithmetic', '{"table": "loose_notes"}') AS schemaless,
       udf_invoke('paths:nestedArithmetic', '{"table": "plain_notes"}') AS ordinary;

-- bad: a path used as a boolean; arithmetic on a string field
SELECT udf_invoke('paths:pathAsBoolean');
SELECT udf_invoke('paths:stringArithmetic');
-- the session is still usable
SELECT udf_invoke('paths:where', '{"table": "notes", "op": "eq", "path": "meta.color", "value": "blue"}');
DROP TABLE plain_notes, loose_notes;
DROP TABLE notes;

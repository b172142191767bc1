-- udf_invoke stores a plain result as jsonb walked from the value itself (no
-- JSON text), and any other result through the package's convexToJson and
-- JSON text. Both roads must give the same jsonb, number scales included,
-- and the same errors.
\set app `node regress/app-json.mjs regress/apps/resultvalues`
SELECT udf_deploy(:'app') -> 'modules';

-- every case: the walked jsonb is the jsonb of the package's JSON text
SELECT count(*) AS cases,
       count(*) FILTER (WHERE walked::text = parsed::text) AS same_text,
       count(*) FILTER (WHERE walked = parsed) AS same_value
FROM (SELECT i, udf_invoke('rv:value', jsonb_build_object('i', i)) AS walked,
             (udf_invoke('rv:text', jsonb_build_object('i', i)) #>> '{}')::jsonb AS parsed
      FROM generate_series(0, (udf_invoke('rv:count') #>> '{}')::int - 1) i) c;
-- any that differ, to see why
SELECT i, walked, parsed
FROM (SELECT i, udf_invoke('rv:value', jsonb_build_object('i', i)) AS walked,
             (udf_invoke('rv:text', jsonb_build_object('i', i)) #>> '{}')::jsonb AS parsed
      FROM generate_series(0, (udf_invoke('rv:count') #>> '{}')::int - 1) i) c
WHERE walked::text IS DISTINCT FROM parsed::text;
-- a few, as stored
SELECT i, udf_invoke('rv:value', jsonb_build_object('i', i))
FROM generate_series(0, 11) i;
SELECT udf_invoke('rv:value', '{"i": 26}'), udf_invoke('rv:value', '{"i": 27}'), udf_invoke('rv:value', '{"i": 30}');
SELECT jsonb_typeof(udf_invoke('rv:value', '{"i": 33}')), udf_invoke('rv:value', '{"i": 38}');

-- refused results: the package's errors, or jsonb's, as before
SELECT udf_invoke('rv:refused', '{"i": 0}');
\set VERBOSITY terse
DO $$
DECLARE i int;
BEGIN
  FOR i IN 0 .. (udf_invoke('rv:refusedCount') #>> '{}')::int - 1 LOOP
    BEGIN
      PERFORM udf_invoke('rv:refused', jsonb_build_object('i', i));
      RAISE NOTICE '%: no error', i;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE '%: %', i, left(SQLERRM, 160);
    END;
  END LOOP;
END $$;
\set VERBOSITY default

-- udf.max_result_size still counts the result's JSON text: at the limit it is
-- stored, one byte past it is refused with the text's size (the quotes count,
-- and an escaped character counts six)
SET udf.max_result_size = '1kB';
SELECT length(udf_invoke('rv:sized', '{"n": 1022, "ch": "a"}') #>> '{}') AS stored;
SELECT udf_invoke('rv:sized', '{"n": 1023, "ch": "a"}');
SELECT length(udf_invoke('rv:sized', '{"n": 170, "ch": "\u0001"}') #>> '{}') AS stored;
SELECT udf_invoke('rv:sized', '{"n": 171, "ch": "\u0001"}');
RESET udf.max_result_size;

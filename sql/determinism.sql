-- Queries and mutations are deterministic within a call: Date.now() is
-- frozen at the start of the call and Math.random/crypto draw from a PRNG
-- seeded per call. Actions see the real clock. Module top level runs in an
-- import phase whose time and seed are fixed per deploy.
\set app `node regress/app-json.mjs regress/apps/determinism`
SELECT udf_deploy(:'app')->'modules';

SELECT udf_invoke('det:time');
SELECT udf_invoke('det:mtime');
-- actions get real time
SELECT udf_invoke('det:atime');
-- the frozen time is the time of the call
SELECT abs((udf_invoke('det:now'))::float8 - extract(epoch FROM clock_timestamp()) * 1000) < 5000 AS close_to_now;
-- fresh randomness each call, always in [0, 1)
SELECT (udf_invoke('det:rand')->>'inRange')::bool AS in_range, (udf_invoke('det:rand')->>'distinct')::bool AS distinct_values;
SELECT udf_invoke('det:rand')->'values' <> udf_invoke('det:rand')->'values' AS differs_between_calls;
SELECT jsonb_array_length(udf_invoke('det:bytes')) AS bytes, udf_invoke('det:bytes') <> udf_invoke('det:bytes') AS differs;
SELECT udf_invoke('det:uuid');
SELECT udf_invoke('det:badBytes');
SELECT udf_invoke('det:tooMany');
-- import-phase time and randomness are fixed per deploy: the same in every
-- session and for every role, and equal to the deploy's time
SELECT udf_invoke('det:imported') AS first \gset
\c
SELECT udf_invoke('det:imported') = :'first'::jsonb AS same_after_reconnect;
SELECT abs((udf_invoke('det:imported')->>'importedAt')::float8 -
           (SELECT extract(epoch FROM deployed_at) * 1000 FROM udf_deployment ORDER BY id DESC LIMIT 1)) < 1 AS is_deploy_time;

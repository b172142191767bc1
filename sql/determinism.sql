-- Queries and mutations are deterministic within a call: Date.now() is
-- frozen at the start of the call and Math.random/crypto draw from a PRNG
-- seeded per call. Actions see the real clock. Module top level runs in an
-- import phase whose time and seed are fixed per deploy.
SELECT udf_deploy($${"det.js": "import { query, mutation, action } from './_generated/server';\nconst importedAt = Date.now();\nconst importRandom = Math.random();\nfunction spin(ms) { let x = 0; for (let i = 0; i < ms * 1000000; i++) x += i % 7; return x; }\nexport const time = query(() => { const a = Date.now(); spin(30); const b = Date.now(); const d = new Date(); return { frozen: a === b, sameAsNewDate: d.getTime() === a, dateString: Date() === new Date(a).toString(), isDate: d instanceof Date, parsed: new Date(0).toISOString(), utc: Date.UTC(2020, 0, 1) }; });\nexport const mtime = mutation(() => { const a = Date.now(); spin(30); return a === Date.now(); });\nexport const atime = action(async () => { const a = Date.now(); let b = a; const until = a + 20; while (b < until) b = Date.now(); return b > a; });\nexport const now = query(() => Date.now());\nexport const rand = query(() => { const r = [Math.random(), Math.random(), Math.random()]; return { inRange: r.every((x) => x >= 0 && x < 1), distinct: new Set(r).size === 3, values: r }; });\nexport const bytes = query(() => Array.from(crypto.getRandomValues(new Uint8Array(8))));\nexport const uuid = query(() => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));\nexport const badBytes = query(() => crypto.getRandomValues(new Float64Array(2)));\nexport const tooMany = query(() => crypto.getRandomValues(new Uint8Array(65537)));\nexport const imported = query(() => ({ importedAt, importRandom }));"}$$)->'modules';

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

-- console.* reaches the client as NOTICE (udf.console_level), prefixed with
-- the function's name; lines are capped per call.
\set app `node regress/app-json.mjs regress/apps/console`
SELECT udf_deploy(:'app')->'modules';

SELECT udf_invoke('logs:levels');
SELECT udf_invoke('logs:formats');
SELECT udf_invoke('logs:counters');

-- the level is a setting: debug1 hides them from the client
SET udf.console_level = debug1;
SELECT udf_invoke('logs:levels');
SET udf.console_level = warning;
SELECT udf_invoke('logs:levels');
RESET udf.console_level;
SET udf.console_level = 'loud';

-- at most 256 lines per call, then one overflow line; the cap resets per call
SELECT udf_invoke('logs:many', '{"n": 300}');
SELECT udf_invoke('logs:many', '{"n": 2}');
-- lines over 32768 characters are cut
SELECT udf_invoke('logs:long');

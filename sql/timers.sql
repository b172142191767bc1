-- Timers in actions on the event loop (udf-runtime/src/loop.js, extension/loop.c):
-- order, real waiting, intervals, dangling timers dropped, a throwing
-- callback failing the call, the time limit counting the wait, and
-- Convex's refusal in queries and mutations.
\set app `node regress/app-json.mjs regress/apps/timers`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

SELECT udf_invoke('timers:order');
SELECT udf_invoke('timers:waits');
SELECT udf_invoke('timers:interval');
SELECT udf_invoke('timers:dangling');
SELECT udf_invoke('timers:dangling') AS again;
SELECT udf_invoke('timers:throwsInTimer');
SELECT udf_invoke('timers:forever');
SELECT udf_invoke('timers:inQuery');
SELECT udf_invoke('timers:inMutation');
-- waiting counts against udf.max_action_execution_time
SET udf.max_action_execution_time = '200ms';
SELECT udf_invoke('timers:sleepLong');
RESET udf.max_action_execution_time;
-- and statement_timeout stops a waiting action too
SET statement_timeout = '200ms';
SELECT udf_invoke('timers:sleepLong');
RESET statement_timeout;
SELECT udf_invoke('timers:order') AS still_usable;

-- Actions call functions: ctx.runQuery, runMutation and runAction
-- (1.0/actions/*), with arguments and results validated by the callee,
-- ConvexError data handed back, internal functions callable, and each
-- runMutation atomic on its own: a failing one rolls back only itself.
-- From SQL the action runs in the statement's transaction (README: Actions).
\set app `node regress/app-json.mjs regress/apps/action-calls`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

SELECT udf_invoke('calls:work');
-- what the action's mutations left: the kept insert, not the failed one
SELECT name FROM ac_items ORDER BY name;
-- a rolled-back statement takes the action's mutations with it
BEGIN;
SELECT udf_invoke('calls:work') ->> 'after' AS after_in_txn;
ROLLBACK;
SELECT count(*) AS items_after_rollback FROM ac_items;
-- the callee's validator
SELECT udf_invoke('calls:badArgs');
-- the kinds must match
SELECT udf_invoke('calls:wrongKind');
-- only actions run actions
SELECT udf_invoke('calls:mutationRunsAction');
SELECT udf_invoke('calls:mutationRunsActionByRunUdf');
SELECT udf_invoke('calls:count') AS still_usable;

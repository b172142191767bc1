-- runQuery(ref, args, {useStaleSnapshot: true}) in a mutation reads the
-- database as the mutation found it: none of its own writes (inserts,
-- patches, deletes, a nested mutation's) are visible; without the option
-- they all are. Queries have no stale snapshot.
\set app `node regress/app-json.mjs regress/apps/stale`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SELECT udf_invoke('st:seed');
SELECT jsonb_pretty(udf_invoke('st:change'));
-- what was written stays written
SELECT udf_invoke('st:names');
-- the same in a REPEATABLE READ transaction, where what this transaction
-- wrote before the mutation (the statements before it) is visible
BEGIN ISOLATION LEVEL REPEATABLE READ;
DELETE FROM st_items;
SELECT udf_invoke('st:seed');
SELECT udf_invoke('st:change') -> 'stale' AS stale_in_rr;
ROLLBACK;
SELECT udf_invoke('st:fromQuery');
SELECT udf_invoke('st:fromQueryRaw');

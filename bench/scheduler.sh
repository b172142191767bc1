#!/usr/bin/env bash
# scheduler.sh -- the scheduler's two figures, on a throwaway cluster of its own with
# shared_preload_libraries = 'udf' (scripts/bench.sh appends its table to bench/results.md):
#   latency  from the commit of a mutation that calls runAfter(0) to the start of the
#            job (the job's insert, stamped by clock_timestamp()), LATENCY_N=1000 times,
#            one at a time, 5 ms apart; the commit time is PostgreSQL's own
#            (track_commit_timestamp of the scheduling transaction)
#   drain    DRAIN_N=10000 trivial mutations (one insert each), all due at the same
#            moment, run by udf.scheduler_max_workers=WORKERS workers: jobs per second
#            from the due time to the last job's insert
# Prints a Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
LATENCY_N=${LATENCY_N:-1000}
DRAIN_N=${DRAIN_N:-10000}
WORKERS=${WORKERS:-2}
# shellcheck source=../scripts/cluster.sh
source "$top/scripts/cluster.sh"
cluster_start bench-sched "shared_preload_libraries = 'udf'
track_commit_timestamp = on
udf.scheduler_max_workers = $WORKERS" >/dev/null
trap 'cluster_stop bench-sched' EXIT

psql_pg -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION udf;
CREATE TABLE sched_got (_id text PRIMARY KEY, "_creationTime" float8 NOT NULL, k float8,
                        at timestamptz DEFAULT clock_timestamp());
CREATE TABLE sched_sent (_id text PRIMARY KEY, "_creationTime" float8 NOT NULL, k float8);
\\set app \`node '$top/regress/app-json.mjs' '$top/bench/scheduler-app'\`
SELECT udf_deploy(:'app');
SQL
# the workers' isolates warm up before anything is measured
for i in $(seq 1 20); do echo "SELECT udf_invoke('sched:ping', '{\"k\": -$i}');"; done | psql_pg -d postgres >/dev/null
sleep 1

# latency: one scheduling transaction at a time, each its own commit
for i in $(seq 1 "$LATENCY_N"); do
  echo "SELECT udf_invoke('sched:ping', '{\"k\": $i}');"
  echo "SELECT pg_sleep(0.005);"
done | psql_pg -d postgres >/dev/null
psql_pg -d postgres -c "SELECT pg_sleep(1)" >/dev/null
read -r n median p99 mean <<<"$(psql_pg -d postgres -At -F ' ' <<'SQL'
WITH lat AS (
  SELECT extract(epoch FROM g.at - pg_xact_commit_timestamp(s.xmin)) * 1000 AS ms
  FROM sched_sent s JOIN sched_got g USING (k) WHERE s.k > 0)
SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2), round(avg(ms)::numeric, 2)
FROM lat
SQL
)"

# drain: DRAIN_N jobs written in one transaction, all due 2 s later
psql_pg -d postgres >/dev/null <<SQL
TRUNCATE sched_got;
SELECT extract(epoch FROM clock_timestamp()) * 1000 + 2000 AS due \\gset
BEGIN;
SELECT count(udf_invoke('sched:batch', jsonb_build_object('from', i * 1000, 'count', least(1000, $DRAIN_N - i * 1000), 'at', :due)))
  FROM generate_series(0, ($DRAIN_N - 1) / 1000) i;
COMMIT;
SQL
for _ in $(seq 1 600); do
  done_n=$(psql_pg -d postgres -At -c "SELECT count(*) FROM sched_got")
  [ "$done_n" -ge "$DRAIN_N" ] && break
  sleep 0.2
done
read -r drained secs rate <<<"$(psql_pg -d postgres -At -F ' ' <<'SQL'
SELECT count(*), round(extract(epoch FROM max(g.at) - to_timestamp(j.due / 1000))::numeric, 2),
       round((count(*) / extract(epoch FROM max(g.at) - to_timestamp(j.due / 1000)))::numeric)
FROM sched_got g, (SELECT max(scheduled_time) AS due FROM udf_job WHERE name = 'sched.js:got') j
GROUP BY j.due
SQL
)"
load=$(cut -d' ' -f1-3 /proc/loadavg)

echo "| scheduler (udf preloaded, $WORKERS workers) | figure | reference |"
echo "| --- | --- | --- |"
echo "| commit of runAfter(0) -> job start, $n jobs one at a time | median $median ms, p99 $p99 ms, mean $mean ms | Graphile Worker: 4.16 ms mean, enqueue to start |"
echo "| drain of $drained trivial scheduled mutations, all due at once | $rate jobs/s ($secs s) | aim: 5,000 jobs/s on 2 cores |"
echo
echo "Load average during the run: $load (the machine is shared; figures move with it). Reproduce: \`bash bench/scheduler.sh\` (LATENCY_N, DRAIN_N, WORKERS)."

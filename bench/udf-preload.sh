#!/usr/bin/env bash
# udf-preload.sh -- first call and backend memory with shared_preload_libraries = 'udf',
# beside plpgsql, on a throwaway cluster of its own (scripts/bench.sh appends its table to
# bench/results.md). The main run (pl-baselines.sh) loads udf on first use instead.
#   e2p  server-side Execution Time of the first call in a fresh backend
#   gp   VmRSS of that backend right after the call; Pss and Private_Dirty from
#        /proc/self/smaps_rollup (shared library pages count once per sharer in Pss)
#   g1M  VmRSS of that session after 1,000,000 more calls, then its growth over a
#        second million (issue 15: no growth; the first million includes the SQL
#        side's own: the series, the heap growing to its working size)
# Each figure is the median of COLD_RUNS fresh sessions. Prints a Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
COLD_RUNS=${COLD_RUNS:-10}
# shellcheck source=../scripts/cluster.sh
source "$top/scripts/cluster.sh"
cluster_start bench-preload "shared_preload_libraries = 'udf'" >/dev/null
trap 'cluster_stop bench-preload' EXIT

psql_pg -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION udf;
\\set app \`node '$top/regress/app-json.mjs' '$top/bench/app'\`
SELECT udf_deploy(:'app');
CREATE FUNCTION f_plpgsql(x int) RETURNS int LANGUAGE plpgsql AS \$\$ BEGIN RETURN x + 1; END \$\$;
CREATE FUNCTION f_udf(x int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:inc', jsonb_build_object('x', x))->>'r')::int \$\$;
SQL

median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# first <fn>: one fresh session; prints "ms rss_kb pss_kb dirty_kb"
first() {
  psql_pg -d postgres -t -A -F ' ' <<SQL | awk '/^Execution Time:/ {t = $3} /^mem / {print t, $2, $3, $4}'
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT $1(1);
SELECT 'mem',
  (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1],
  (regexp_match(pg_read_file('/proc/self/smaps_rollup'), '\nPss:\s+(\d+)'))[1],
  (regexp_match(pg_read_file('/proc/self/smaps_rollup'), 'Private_Dirty:\s+(\d+)'))[1];
SQL
}

declare -A T RSS PSS DIRTY
for fn in f_plpgsql f_udf; do
  runs=$(for ((i = 0; i < COLD_RUNS; i++)); do first "$fn"; done)
  T[$fn]=$(awk '{print $1}' <<<"$runs" | median)
  RSS[$fn]=$(awk '{print $2 / 1024}' <<<"$runs" | median)
  PSS[$fn]=$(awk '{print $3 / 1024}' <<<"$runs" | median)
  DIRTY[$fn]=$(awk '{print $4 / 1024}' <<<"$runs" | median)
done
# growth <fn>: one session; prints VmRSS (kB) after the first call, after 1M more, after 2M more
growth() {
  local rss="SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1];"
  local million="SELECT sum($1(i % 1000)) >= 0 FROM generate_series(1, 1000000) i;"
  psql_pg -d postgres -t -A <<SQL | grep -v '^t$' | tr '\n' ' '
SELECT $1(1) IS NOT NULL;
$rss
$million
$rss
$million
$rss
SQL
}
declare -A AFTER1M GROW
for fn in f_plpgsql f_udf; do
  read -r r0 r1 r2 <<<"$(growth "$fn")"
  AFTER1M[$fn]=$(awk -v a="$r1" 'BEGIN {printf "%.1f", a / 1024}')
  GROW[$fn]=$(awk -v a="$r1" -v b="$r2" 'BEGIN {printf "%.1f", (b - a) / 1024}')
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2gx", a / b; else print "n/a"}'; }
echo "| preloaded (\`shared_preload_libraries = 'udf'\`), median of $COLD_RUNS fresh sessions | plpgsql | udf | udf/plpgsql |"
echo "|---|---|---|---|"
printf '| e2p first call, fresh backend (server) | %.2f ms | %.2f ms | %s |\n' "${T[f_plpgsql]}" "${T[f_udf]}" "$(ratio "${T[f_udf]}" "${T[f_plpgsql]}")"
printf '| gp backend RSS after first call | %.1f MB | %.1f MB | %s |\n' "${RSS[f_plpgsql]}" "${RSS[f_udf]}" "$(ratio "${RSS[f_udf]}" "${RSS[f_plpgsql]}")"
printf '| gp backend PSS after first call | %.1f MB | %.1f MB | %s |\n' "${PSS[f_plpgsql]}" "${PSS[f_udf]}" "$(ratio "${PSS[f_udf]}" "${PSS[f_plpgsql]}")"
printf '| gp backend private dirty memory | %.1f MB | %.1f MB | %s |\n' "${DIRTY[f_plpgsql]}" "${DIRTY[f_udf]}" "$(ratio "${DIRTY[f_udf]}" "${DIRTY[f_plpgsql]}")"
printf '| g1M backend RSS after 1,000,000 more calls | %.1f MB | %.1f MB | %s |\n' "${AFTER1M[f_plpgsql]}" "${AFTER1M[f_udf]}" "$(ratio "${AFTER1M[f_udf]}" "${AFTER1M[f_plpgsql]}")"
printf '| g1M its growth over a second 1,000,000 calls | %+.1f MB | %+.1f MB | |\n' "${GROW[f_plpgsql]}" "${GROW[f_udf]}"

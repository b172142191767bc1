#!/usr/bin/env bash
# search.sh -- cost of a text search over 100k documents and of a vector
# search over 10k 1536-dimension vectors (run by hand; not a timed test).
# Uses udf as installed. Documents are 20 words drawn from a 5000-word
# vocabulary with a skewed (Zipf-like) distribution; vectors are uniform
# random. Wall figures: median over RUNS fresh sessions of one call,
# server-side EXPLAIN ANALYZE time of SELECT udf_invoke(...), timed after
# one warm-up call of the same function in the same session (so the
# isolate's start and the plan are not in the figure). CPU figures: see cpu().
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cluster.sh"
RUNS=${RUNS:-5}
PORT_BASE=${PORT_BASE:-55700} cluster_start bench-search
trap 'cluster_stop bench-search' EXIT
app=$(node "$top/regress/app-json.mjs" "$top/bench/app-search")
t0=$(date +%s.%N)
psql_pg -d postgres -q -v app="$app" >/dev/null <<'SQL'
CREATE EXTENSION udf;
SELECT udf_deploy(:'app') IS NOT NULL;
SELECT setseed(0.42);
INSERT INTO posts ("_id", "_creationTime", body, channel)
SELECT 'p' || n, n, (SELECT string_agg('w' || floor(power(5000, random()))::int, ' ') FROM generate_series(1, 20) k WHERE n > 0),
       'c' || (n % 10)
FROM generate_series(1, 100000) n;
SQL
t1=$(date +%s.%N)
psql_pg -d postgres -q <<'SQL'
INSERT INTO embeddings ("_id", "_creationTime", kind, embedding)
SELECT 'e' || n, n, 'k' || (n % 10), (SELECT array_agg(random() - 0.5) FROM generate_series(1, 1536) k WHERE n > 0)
FROM generate_series(1, 10000) n;
VACUUM ANALYZE posts; VACUUM ANALYZE embeddings;
SQL
t2=$(date +%s.%N)
measure() { # function args-json
  for ((r = 0; r < RUNS; r++)); do
    psql_pg -d postgres -At -v f="$1" -v a="$2" <<'SQL' | awk '/Execution Time/ {print $3}'
SELECT udf_invoke(:'f', :'a') IS NOT NULL;
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT udf_invoke(:'f', :'a');
SQL
  done | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'
}
# CPU time per call (ms): the backend's user + system time (/proc, 10 ms ticks)
# over N calls in one session after a warm-up, with parallel workers off so
# that the backend does all the work; steadier than wall time on a shared
# machine
cpu() { # function args-json calls
  psql_pg -d postgres -At -v f="$1" -v a="$2" -v n="$3" <<'SQL' | tail -1
SET max_parallel_workers_per_gather = 0;
SELECT udf_invoke(:'f', :'a') IS NOT NULL;
SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint AS t0
  FROM pg_read_file('/proc/' || pg_backend_pid() || '/stat') s \gset
SELECT count(udf_invoke(:'f', :'a')) FROM generate_series(1, :n);
SELECT round((split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint - :t0) * 10.0 / :n, 1)
  FROM pg_read_file('/proc/' || pg_backend_pid() || '/stat') s;
SQL
}
matches() { psql_pg -d postgres -At -c "SELECT count(*) FROM posts WHERE \"_udf_search_search_body\" @@ '$1'::tsquery"; }
vec=$(psql_pg -d postgres -At -c "SELECT jsonb_build_object('vector', (SELECT jsonb_agg(random() - 0.5) FROM generate_series(1, 1536)))")
echo "load: 100k documents $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s (SQL INSERT, search column and GIN index kept by PostgreSQL); 10k vectors $(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.1f", b - a}') s"
echo "table sizes: posts $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_total_relation_size('posts'))"), GIN index $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_relation_size('posts__search_body'))"), embeddings $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_total_relation_size('embeddings'))")"
both() { # function args-json calls: "wall median / CPU per call"
  echo "$(measure "$1" "$2") / $(cpu "$1" "$2" "$3")"
}
echo "load average before the timings: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "text search over 100k documents, ms: wall median of $RUNS (parallel workers allowed) / CPU per call:"
echo "  rare term 'w4000' ($(matches w4000:*) matches, as a prefix), take(10): $(both bench:search '{"text": "w4000", "take": 10}' 500)"
echo "  common term 'w1' ($(matches w1:*) matches, as a prefix), take(10): $(both bench:search '{"text": "w1", "take": 10}' 20)"
echo "  two terms 'w3 w12' ($(matches "w3 | w12:*") matches, last one a prefix), take(10): $(both bench:search '{"text": "w3 w12", "take": 10}' 20)"
echo "  'w3 w12' with eq(channel), take(100): $(both bench:search '{"text": "w3 w12", "take": 100, "channel": "c3"}' 20)"
echo "  'w3 w12' paginate, first page of 20: $(both bench:page '{"text": "w3 w12"}' 20)"
echo "vector search over 10k 1536-dimension vectors (exact scan), ms: wall median of $RUNS / CPU per call:"
echo "  limit 10: $(both bench:similar "$(jq -c '. + {limit: 10}' <<<"$vec")" 20)"
echo "  limit 256: $(both bench:similar "$(jq -c '. + {limit: 256}' <<<"$vec")" 20)"
echo "  limit 10, eq(kind) (1k of the 10k pass): $(both bench:similar "$(jq -c '. + {limit: 10, kind: "k3"}' <<<"$vec")" 50)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

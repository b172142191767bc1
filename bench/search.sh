#!/usr/bin/env bash
# search.sh -- cost of a text search over 100k documents and of a vector
# search over 10k 1536-dimension vectors (run by hand; not a timed test).
# Uses udf as installed. Documents are 20 words drawn from a 5000-word
# vocabulary with a skewed (Zipf-like) distribution; vectors are uniform
# random. Each figure: median over RUNS fresh sessions of one call,
# server-side EXPLAIN ANALYZE time of SELECT udf_invoke(...), timed after
# one warm-up call of the same function in the same session (so the
# isolate's start and the plan are not in the figure).
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
matches() { psql_pg -d postgres -At -c "SELECT count(*) FROM posts WHERE \"_udf_search_search_body\" @@ '$1'::tsquery"; }
vec=$(psql_pg -d postgres -At -c "SELECT jsonb_build_object('vector', (SELECT jsonb_agg(random() - 0.5) FROM generate_series(1, 1536)))")
echo "load: 100k documents $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s (SQL INSERT, search column and GIN index kept by PostgreSQL); 10k vectors $(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.1f", b - a}') s"
echo "table sizes: posts $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_total_relation_size('posts'))"), GIN index $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_relation_size('posts__search_body'))"), embeddings $(psql_pg -d postgres -At -c "SELECT pg_size_pretty(pg_total_relation_size('embeddings'))")"
echo "text search over 100k documents, median of $RUNS (ms):"
echo "  rare term 'w4000' ($(matches w4000) matches), take(10): $(measure bench:search '{"text": "w4000", "take": 10}')"
echo "  common term 'w1' ($(matches w1) matches), take(10): $(measure bench:search '{"text": "w1", "take": 10}')"
echo "  two terms 'w3 w12' ($(matches "w3 | w12:*") matches, last one a prefix), take(10): $(measure bench:search '{"text": "w3 w12", "take": 10}')"
echo "  'w3 w12' with eq(channel), take(100): $(measure bench:search '{"text": "w3 w12", "take": 100, "channel": "c3"}')"
echo "  'w3 w12' paginate, first page of 20: $(measure bench:page '{"text": "w3 w12"}')"
echo "vector search over 10k 1536-dimension vectors (exact scan), median of $RUNS (ms):"
echo "  limit 10: $(measure bench:similar "$(jq -c '. + {limit: 10}' <<<"$vec")")"
echo "  limit 256: $(measure bench:similar "$(jq -c '. + {limit: 256}' <<<"$vec")")"
echo "  limit 10, eq(kind) (1k of the 10k pass): $(measure bench:similar "$(jq -c '. + {limit: 10, kind: "k3"}' <<<"$vec")")"

#!/usr/bin/env bash
# fetch.sh -- what fetch in an action costs, against a loopback HTTP server
# (regress/http-server.mjs) on a throwaway cluster, using udf as installed:
#   1. one fetch: per-request time of N sequential fetches of a small JSON body
#      inside one action (the connection is reused, as curl's own is), next to
#      one curl process fetching the same URL N times over one connection, and
#      next to N curl processes (what calling out from SQL per request costs);
#   2. a burst: 1000 fetches under Promise.all in one action (pg_net, the
#      PostgreSQL HTTP extension, is known to time out on bursts of a few
#      hundred requests): wall time, requests per second, all answered.
# Prints Markdown lines. Env: N=200 (sequential requests), BURST=1000, HTTP_PORT=56653.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cluster.sh"
N=${N:-200}
BURST=${BURST:-1000}
HTTP_PORT=${HTTP_PORT:-56653}
node "$top/regress/http-server.mjs" start "$HTTP_PORT"
PORT_BASE=${PORT_BASE:-55620} cluster_start bench-fetch "udf.fetch_allowed_hosts = '127.0.0.1:$HTTP_PORT'"
trap 'cluster_stop bench-fetch; curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/quit" || true' EXIT
url="http://127.0.0.1:$HTTP_PORT/json"
app=$(cat <<JS
{"f.js": "import { action } from './_generated/server';\nexport const seq = action(async (ctx, { n }) => { await fetch('$url'); const t0 = Date.now(); for (let i = 0; i < n; i++) await (await fetch('$url')).json(); return (Date.now() - t0) / n; });\nexport const burst = action(async (ctx, { n }) => { const t0 = Date.now(); const r = await Promise.all(Array.from({ length: n }, () => fetch('$url').then((x) => x.json()))); return { ms: Date.now() - t0, ok: r.filter((j) => j.hello === 'world').length }; });"}
JS
)
psql_pg -d postgres -q -v app="$app" >/dev/null <<'SQL'
CREATE EXTENSION udf;
SELECT udf_deploy(:'app') IS NOT NULL;
SQL
udf_ms=$(psql_pg -d postgres -At -c "SELECT udf_invoke('f:seq', '{\"n\": $N}')")
# one curl process, N requests over one connection
urls=(); for ((i = 0; i < N; i++)); do urls+=("$url"); done
t0=$(date +%s%N); curl -s "${urls[@]}" >/dev/null; t1=$(date +%s%N)
curl_one=$(awk -v d=$((t1 - t0)) -v n="$N" 'BEGIN {printf "%.3f", d / 1e6 / n}')
t0=$(date +%s%N); for ((i = 0; i < N; i++)); do curl -s -o /dev/null "$url"; done; t1=$(date +%s%N)
curl_each=$(awk -v d=$((t1 - t0)) -v n="$N" 'BEGIN {printf "%.3f", d / 1e6 / n}')
burst=$(psql_pg -d postgres -At -c "SELECT udf_invoke('f:burst', '{\"n\": $BURST}')")
ms=$(echo "$burst" | sed 's/.*"ms": \([0-9.]*\).*/\1/')
ok=$(echo "$burst" | sed 's/.*"ok": \([0-9]*\).*/\1/')
echo "## fetch (loopback HTTP server, regress/http-server.mjs)"
echo
echo "| what | figure |"
echo "|---|---|"
printf '| one fetch in an action (%d sequential, JSON body read) | %.3f ms per request |\n' "$N" "$udf_ms"
echo "| curl, one process, $N requests over one connection | $curl_one ms per request |"
echo "| curl, one process per request | $curl_each ms per request |"
awk -v n="$BURST" -v ms="$ms" -v ok="$ok" 'BEGIN {printf "| %d fetches under Promise.all in one action | %d ms, %.0f requests/s, %d of %d answered |\n", n, ms, n * 1000 / (ms > 0 ? ms : 1), ok, n}'

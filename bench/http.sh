#!/usr/bin/env bash
# http.sh -- the HTTP endpoint's figures, on a throwaway cluster of its own with udf
# preloaded and udf.http_workers=WORKERS (scripts/bench.sh appends its table to
# bench/results.md):
#   rps       requests per second of a trivial HTTP action (GET /ping answering
#             {"ok":true}) from CLIENTS=16 keep-alive clients for SECONDS=5
#             (bench/http-load.py), next to the same work over libpq as PostgREST
#             would do it (pgbench, CLIENTS connections, SELECT udf_invoke('ping:ping'))
#             and udf_http from SQL
#   files     upload (POST to a generated URL) and download (GET of its getUrl) of a
#             SIZE_MB=100 MB file with curl, MB/s, checksum checked
# Prints a Markdown table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CLIENTS=${CLIENTS:-16}
SECONDS_RUN=${SECONDS_RUN:-5}
WORKERS=${WORKERS:-2}
SIZE_MB=${SIZE_MB:-100}
# shellcheck source=../scripts/cluster.sh
source "$top/scripts/cluster.sh"
# below Linux's ephemeral ports (32768-60999), where a client that connects before the server listens can meet itself on the port and keep the server from binding it
http_port=$(free_port "${HTTP_PORT:-18760}")
cluster_start bench-http "shared_preload_libraries = 'udf'
udf.http_port = $http_port
udf.http_workers = $WORKERS
udf.http_max_upload_size = '$((SIZE_MB + 1))MB'" >/dev/null
work=$(mktemp -d)
trap 'cluster_stop bench-http; rm -rf "$work"' EXIT
base=http://127.0.0.1:$http_port

psql_pg -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION udf;
\\set app \`node '$top/regress/app-json.mjs' '$top/bench/http-app'\`
SELECT udf_deploy(:'app');
SQL
for _ in $(seq 1 100); do curl -sf -o /dev/null "$base/ping" && break; sleep 0.1; done
# warm every worker's isolate
python3 "$top/bench/http-load.py" "$base/ping" "$CLIENTS" 1 >/dev/null

read -r rps errs < <(python3 "$top/bench/http-load.py" "$base/ping" "$CLIENTS" "$SECONDS_RUN")
echo "SELECT udf_invoke('ping:ping');" >"$work/invoke.sql"
echo "SELECT status FROM udf_http('GET', '/ping');" >"$work/http.sql"
chmod a+rx "$work"; chmod a+r "$work"/*.sql
pgb() { as_pg "$PGBIN/pgbench" -h "$PGHOST" -p "$PGPORT" -U postgres -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_RUN" -f "$1" postgres 2>/dev/null |
  awk '/^tps/ {printf "%.0f", $3; exit}'; }
libpq_rps=$(pgb "$work/invoke.sql")
sqlhttp_rps=$(pgb "$work/http.sql")

head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$work/file.bin"
# an upload URL comes from a mutation or action: deploy one beside the bench app
psql_pg -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
\\set app \`node '$top/regress/app-json.mjs' '$top/bench/http-app'\`
SELECT udf_deploy(jsonb_set(:'app'::jsonb, '{up.js}',
  to_jsonb('import { mutation } from "./_generated/server"; export const url = mutation({ args: {}, handler: async (ctx) => ctx.storage.generateUploadUrl() });'::text)));
SQL
url=$(psql_pg -d postgres -Atc "SELECT udf_invoke('up:url') #>> '{}'")
up=$(curl -s -o "$work/up.json" -w '%{time_total}' -X POST --data-binary @"$work/file.bin" "$url")
id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['storageId'])" "$work/up.json")
down=$(curl -s -o "$work/down.bin" -w '%{time_total}' "$base/api/storage/$id")
cmp -s "$work/file.bin" "$work/down.bin" || { echo "http.sh: the downloaded file differs" >&2; exit 1; }
mbps() { awk -v s="$SIZE_MB" -v t="$1" 'BEGIN {printf "%.0f", s / t}'; }

echo "| HTTP endpoint ($WORKERS workers, $CLIENTS clients, ${SECONDS_RUN} s) | figure |"
echo "|---|---|"
echo "| trivial HTTP action over HTTP (keep-alive) | $rps req/s ($errs errors) |"
echo "| the same query over libpq (pgbench, \`SELECT udf_invoke('ping:ping')\`) | $libpq_rps calls/s |"
echo "| the HTTP action from SQL (pgbench, \`udf_http('GET', '/ping')\`) | $sqlhttp_rps calls/s |"
echo "| upload of $SIZE_MB MB (POST to a generated URL) | $(mbps "$up") MB/s |"
echo "| download of $SIZE_MB MB (GET of its URL, checksum checked) | $(mbps "$down") MB/s |"

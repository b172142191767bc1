#!/usr/bin/env bash
# demo.sh -- the main job on a fresh machine: install deps, build and install
# udf, start a throwaway PostgreSQL under .run/demo, deploy the example app in
# regress/apps/example and call its functions from SQL. The cluster keeps
# running afterwards so you can connect; the last lines say how.
# `demo.sh stop` (make demo-stop) stops it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "${1:-}" = stop ]; then
  . scripts/cluster.sh
  cluster_stop demo && echo "demo cluster stopped"
  exit 0
fi
scripts/build.sh
. scripts/cluster.sh
# preloaded, so the scheduler's background workers run (they need shared_preload_libraries)
PORT_BASE=${PORT_BASE:-54500} cluster_start demo "shared_preload_libraries = 'udf'"
app=$(node regress/app-json.mjs regress/apps/example)

echo "== deploying regress/apps/example"
psql_pg -d postgres -v app="$app" <<'SQL'
\pset footer off
CREATE EXTENSION IF NOT EXISTS udf;
SELECT jsonb_pretty(udf_deploy(:'app') - 'functions') AS deployed;
SELECT path, kind, visibility FROM udf_functions();
SQL

echo "== calling functions from SQL"
psql_pg -d postgres -e <<'SQL'
\pset footer off
SELECT udf_invoke('greetings:hello', '{"name": "Ada"}');
SELECT udf_invoke('greetings:card', '{"person": {"first": "Grace", "last": "Hopper"}, "tags": ["cobol", "navy"]}');
SELECT udf_invoke('values:sum', '{"values": [{"$integer": "/////////z8="}, {"$integer": "AQAAAAAAAAA="}]}');
SELECT n, udf_invoke('greetings:hello', jsonb_build_object('name', 'row ' || n)) FROM generate_series(1, 3) n;
SQL
echo "== errors are ordinary PostgreSQL errors"
psql_pg -d postgres -e -v ON_ERROR_STOP=0 <<'SQL'
SELECT udf_invoke('greetings:hello', '{"name": 42}');
SELECT udf_invoke('errors:order', '{"quantity": 0}');
SQL

echo
echo "The demo cluster is running. Connect with:"
echo "    psql -h $PGHOST -p $PGPORT -U postgres postgres"
echo "Stop it with:"
echo "    make demo-stop"

#!/usr/bin/env bash
# demo.sh -- the main job on a fresh machine: install deps, build and install
# udf, start a throwaway PostgreSQL under .run/demo, deploy the example app in
# regress/apps/example and call its functions from SQL, then deploy and call a
# TypeScript app with the udf CLI (cli/test/fixture). The cluster keeps
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
if [ -d .run/demo ]; then
  echo "demo.sh: replacing the demo cluster in .run/demo: its data will be dropped" >&2
  if [ -t 0 ]; then echo "demo.sh: press Ctrl-C within 5 s to keep it" >&2; sleep 5; fi
fi
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

# The CLI's way: a TypeScript convex/ folder with a schema, an index, a helper module
# and an npm package (zod), bundled and deployed by `udf deploy`, called by `udf run`.
# (The demo's own app replaces the one above; the CLI's test app is cli/test/fixture.)
echo "== a TypeScript app through the udf CLI (cli/test/fixture)"
db="postgresql://postgres@/postgres?host=$PGHOST&port=$PGPORT"
udf() { echo "\$ udf $*" | sed "s|$db|...|"; node cli/bin/udf.mjs "$@"; }
udf deploy cli/test/fixture --db "$db"
udf run tasks:add '{"text": "try udf dev", "priority": 1}' --db "$db"
udf run tasks:add '{"text": "read the README"}' --db "$db"
udf run tasks:list --db "$db"
udf run tasks:open --db "$db"
udf run tasks:add '{"text": "too urgent", "priority": 9}' --db "$db" || true

echo
echo "The demo cluster is running. Connect with:"
echo "    psql -h $PGHOST -p $PGPORT -U postgres postgres"
echo "Stop it with:"
echo "    make demo-stop"

#!/usr/bin/env bash
# triggers.sh -- per-row cost of an AFTER ROW trigger that writes an audit row,
# udf (udf_trigger running a mutation that does ctx.db.insert) against the same
# trigger in plpgsql, in one run on one throwaway cluster. Uses udf as installed.
# Each figure: median over RUNS fresh sessions of a 10,000-row INSERT
# (server-side EXPLAIN ANALYZE time), minus the same INSERT with no trigger.
# Prints a Markdown table (part of `make bench`, scripts/bench.sh); the target
# of issue 15 is udf at most 3x plpgsql.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/cluster.sh"
RUNS=${RUNS:-5}
PORT_BASE=${PORT_BASE:-55600} cluster_start bench-triggers
trap 'cluster_stop bench-triggers' EXIT
app='{"audit.js": "import { internalMutation } from \"./_generated/server\";\nexport const log = internalMutation(async (ctx, { op, new: row }) => { await ctx.db.insert(\"audit_udf\", { op, item_id: row.id }); });"}'
psql_pg -d postgres -q -v app="$app" >/dev/null <<'SQL'
CREATE EXTENSION udf;
SELECT udf_deploy(:'app') IS NOT NULL;
CREATE TABLE audit_udf (id serial PRIMARY KEY, op text, item_id int);
CREATE TABLE audit_plpgsql (id serial PRIMARY KEY, op text, item_id int);
CREATE FUNCTION log_plpgsql() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit_plpgsql (op, item_id) VALUES (TG_OP, NEW.id); RETURN NULL; END $$;
SQL
measure() { # trigger-setup-sql
  for ((r = 0; r < RUNS; r++)); do
    psql_pg -d postgres -At <<SQL | awk '/Execution Time/ {print $3}'
DROP TABLE IF EXISTS items; CREATE TABLE items (id int PRIMARY KEY, v text);
$1
SELECT udf_info() IS NOT NULL;  -- start the isolate outside the timing
EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 10000) g;
SQL
  done | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
none=$(measure "")
plpgsql=$(measure "CREATE TRIGGER t AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION log_plpgsql();")
udf=$(measure "CREATE TRIGGER t AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION udf_trigger('audit:log');")
rows=$(psql_pg -d postgres -At -c "SELECT count(*) FROM audit_udf")
awk -v n="$none" -v p="$plpgsql" -v u="$udf" -v rows="$rows" -v runs="$RUNS" 'BEGIN {
  printf "| AFTER ROW trigger writing an audit row (10,000-row INSERT, median of %d fresh sessions) | plpgsql | udf | udf/plpgsql |\n", runs
  printf "|---|---|---|---|\n"
  printf "| the INSERT with the trigger (no trigger: %.1f ms) | %.1f ms | %.1f ms | |\n", n, p, u
  printf "| per-row trigger overhead (the INSERT minus the one with no trigger) | %.2f us | %.2f us | %.1fx |\n",
    (p - n) * 0.1, (u - n) * 0.1, (u - n) / (p - n)
  printf "\nudf audit rows written: %d (%d expected). Reproduce: `bash bench/triggers.sh` (RUNS).\n", rows, runs * 10000 }'

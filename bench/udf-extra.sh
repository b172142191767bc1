# udf-extra.sh -- EXTRA file for bench/pl-baselines.sh: adds a column "udf" (this
# extension: Convex-style JavaScript functions on V8, called through udf_invoke).
#   EXTRA=bench/udf-extra.sh bench/pl-baselines.sh        (scripts/bench.sh does this)
#
# The JS side is bench/app/bench.js, deployed with udf_deploy. It has no schema.js: ctx.db
# works on the same ordinary SQL tables as every other language (kv, docs, ins_t, big).
#   a  bench:inc      {x} -> {r: x + 1}
#   b  bench:kv       {i} -> {v} of ctx.db.get("kv", String(i % 10000 + 1))
#   c  bench:doc      docs.body -> the same object with n + 1
#   d  bench:ins      {n} -> n ctx.db.insert("ins_t", {k, v}) in one mutation
#   f  bench:collect  {} -> {count} of ctx.db.query("big").collect()
# The SQL wrappers are inlined by the planner (single SELECT, no FROM, no SET), so what
# is timed is udf_invoke() itself plus packing the args into jsonb and unpacking the result.
# (d) uses pl-baselines.sh's default hooks: ins_t recreated before each run, count(*) after.
#
# Each function is probed once after deployment; a wrapper is created only when its probe
# gives the right answer, so a function udf cannot run shows as n/a (with the reason on
# stderr) instead of failing the run.

UDF_BENCH_DIR=${UDF_BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
UDF_APP_DIR=${UDF_APP_DIR:-$UDF_BENCH_DIR/app}
UDF_APP_JSON=${UDF_APP_JSON:-$UDF_BENCH_DIR/../regress/app-json.mjs}

[[ " ${LANGS:-} " == *" udf "* ]] || LANGS_EXTRA+=(udf)
# udf_typed: workload (a) through the typed SQL function udf_deploy generates from the
# validators (udf_api."bench:incn"(x)), the path that skips jsonb; the rest are n/a.
LANGS_EXTRA+=(udf_typed)
# udf loads on first use (no shared_preload_libraries): its load time is part of e/e2/g.
# EXTRA_CONF="shared_preload_libraries = 'udf'"
# Workload f reads 100k rows in one call: above Convex's per-call read limits
# (32000 documents, 16 MB), which udf enforces by default. Raise them here.
EXTRA_CONF="${EXTRA_CONF:+$EXTRA_CONF
}udf.max_documents_read = 1000000
udf.max_bytes_read = '1GB'"

# udf_q SQL -> prints the single value, or nothing (and the error on stderr) if it fails
udf_q() { "${PSQL[@]}" -d "$DB" -c "$1" 2>"$BASE/.udf-probe.err" || true; }
udf_probe_err() { head -1 "$BASE/.udf-probe.err" | sed 's/^psql:[^:]*:[0-9]*: //' | cut -c1-200; }

# udf_probe LETTER NAME SQL EXPECTED -> 0 if SQL prints EXPECTED; else says why on stderr
udf_probe() {
  local got
  got=$(udf_q "$3")
  if [ "$got" = "$4" ]; then echo "# udf probe $1 ($2): ok" >&2; return 0; fi
  echo "# udf probe $1 ($2): n/a -- ${got:+got '$got', expected '$4' }$(udf_probe_err)" >&2
  return 1
}

defs_udf() {
  command -v node >/dev/null || { echo "udf-extra: node is needed to build the deployment" >&2; return 1; }
  # extension + deployment: not printed, done here, because the probes need them
  if ! "${PSQL[@]}" -d "$DB" >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS udf;
\\set app \`node '$UDF_APP_JSON' '$UDF_APP_DIR'\`
SELECT udf_deploy(:'app');
SQL
  then echo "udf-extra: deploying $UDF_APP_DIR failed" >&2; return 1; fi

  # (a) and (c): no database access
  if udf_probe a bench:inc "SELECT udf_invoke('bench:inc', '{\"x\": 41}')->>'r'" 42; then
    echo "CREATE FUNCTION f_a_udf(x int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:inc', jsonb_build_object('x', x))->>'r')::int \$\$;"
  fi
  if udf_probe c bench:doc "SELECT (udf_invoke('bench:doc', body)->>'n')::numeric::int FROM docs WHERE id = 3" 4; then
    echo "CREATE FUNCTION f_c_udf(b jsonb) RETURNS jsonb LANGUAGE sql AS
  \$\$ SELECT udf_invoke('bench:doc', b) \$\$;"
  fi

  # (b) lookup: i = 6 -> k = 7, same v as SQL
  if udf_probe b bench:kv "SELECT udf_invoke('bench:kv', '{\"i\": 6}')->>'v'" \
       "$(udf_q "SELECT v FROM kv WHERE k = 7")"; then
    echo "CREATE FUNCTION f_b_udf(i int) RETURNS text LANGUAGE sql AS
  \$\$ SELECT udf_invoke('bench:kv', jsonb_build_object('i', i))->>'v' \$\$;"
  fi

  # (d) inserts, probed in a rolled-back transaction so nothing stays behind; the rows
  # are counted inside it, so the probe also checks that they reached ins_t
  if udf_probe d bench:ins "BEGIN; SELECT udf_invoke('bench:ins', '{\"n\": 3}')->>'n';
       SELECT count(*) FROM ins_t; ROLLBACK;" $'3\n3'; then
    echo "CREATE FUNCTION f_d_udf(n int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:ins', jsonb_build_object('n', n))->>'n')::int \$\$;"
  fi

  # (f) collect() of every row of big
  if udf_probe f bench:collect "SELECT udf_invoke('bench:collect', '{}')->>'count'" "$N_F"; then
    echo "CREATE FUNCTION f_f_udf() RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:collect', '{}')->>'count')::int \$\$;"
  fi
  rm -f "$BASE/.udf-probe.err"
}

# the deployment is defs_udf's; this only adds (a) through the typed SQL function
defs_udf_typed() {
  if udf_probe a 'udf_api."bench:incn"' "SELECT udf_api.\"bench:incn\"(41)::int" 42; then
    echo "CREATE FUNCTION f_a_udf_typed(x int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT udf_api.\"bench:incn\"(x)::int \$\$;"
  fi
  rm -f "$BASE/.udf-probe.err"
}

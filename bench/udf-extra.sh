# udf-extra.sh -- EXTRA file for bench/pl-baselines.sh: adds a column "udf" (this
# extension: Convex-style JavaScript functions on V8, called through udf_invoke).
#   EXTRA=bench/udf-extra.sh bench/pl-baselines.sh        (scripts/bench.sh does this)
#
# The JS side is bench/app/bench.js (+ schema.js), deployed with udf_deploy:
#   a  bench:inc      {x} -> {r: x + 1}
#   b  bench:kv       {i} -> {v} of the kv document with k = i % 10000 + 1   (ctx.db)
#   c  bench:doc      docs.body -> the same object with n + 1
#   d  bench:ins      {n} -> n ctx.db.insert("ins_t", ...) in one mutation    (ctx.db)
#   f  bench:collect  {} -> {count} of ctx.db.query("big").collect()         (ctx.db)
# The SQL wrappers are inlined by the planner (single SELECT, no FROM, no SET), so what
# is timed is udf_invoke() itself plus packing the args into jsonb and unpacking the result.
#
# Each function is probed once after deployment; a wrapper is created only when its probe
# gives the right answer, so a function udf cannot run yet (everything needing ctx.db, as
# of now) shows as n/a instead of failing the run. When ctx.db arrives the rows light up
# by themselves: if udf's tables are not the SQL tables kv/big, the probe seeds its own
# copies with bench:seed (same keys and values as the SQL tables) before re-probing.

UDF_BENCH_DIR=${UDF_BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
UDF_APP_DIR=${UDF_APP_DIR:-$UDF_BENCH_DIR/app}
UDF_APP_JSON=${UDF_APP_JSON:-$UDF_BENCH_DIR/../regress/app-json.mjs}

[[ " ${LANGS:-} " == *" udf "* ]] || LANGS_EXTRA+=(udf)
# udf loads on first use (no shared_preload_libraries): its load time is part of e/e2/g.
# EXTRA_CONF="shared_preload_libraries = 'udf'"

# udf_q SQL -> prints the single value, or nothing (and the error on stderr) if it fails
udf_q() { "${PSQL[@]}" -d "$DB" -c "$1" 2>"$BASE/.udf-probe.err" || true; }
udf_probe_err() { head -1 "$BASE/.udf-probe.err" | sed 's/^psql:[^:]*:[0-9]*: //' | cut -c1-160; }

# udf_probe LETTER NAME SQL EXPECTED -> 0 if SQL prints EXPECTED; else says why on stderr
udf_probe() {
  local got
  got=$(udf_q "$3")
  if [ "$got" = "$4" ]; then echo "# udf probe $1 ($2): ok" >&2; return 0; fi
  echo "# udf probe $1 ($2): n/a -- ${got:+got '$got', expected '$4' }$(udf_probe_err)" >&2
  return 1
}

# udf_seed TABLE SQL-ROWS -> copy the rows (k, v) of a SQL table into udf's table of that
# name, 5,000 documents per bench:seed mutation
udf_seed() {
  local t=$1 n lo
  n=$(udf_q "SELECT count(*) FROM $t")
  for ((lo = 1; lo <= n; lo += 5000)); do
    udf_q "SELECT udf_invoke('bench:seed', jsonb_build_object('table', '$t', 'rows',
             (SELECT jsonb_agg(jsonb_build_object('k', k, 'v', v) ORDER BY k) FROM $t
              WHERE k BETWEEN $lo AND $((lo + 4999)))))->>'n'" >/dev/null
  done
  echo "# udf: seeded $t ($n documents)" >&2
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
  local ok_ins=0 exp_b
  exp_b=$(udf_q "SELECT v FROM kv WHERE k = 7")

  # (a) and (c): no database access
  if udf_probe a bench:inc "SELECT udf_invoke('bench:inc', '{\"x\": 41}')->>'r'" 42; then
    echo "CREATE FUNCTION f_a_udf(x int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:inc', jsonb_build_object('x', x))->>'r')::int \$\$;"
  fi
  if udf_probe c bench:doc "SELECT (udf_invoke('bench:doc', body)->>'n')::numeric::int FROM docs WHERE id = 3" 4; then
    echo "CREATE FUNCTION f_c_udf(b jsonb) RETURNS jsonb LANGUAGE sql AS
  \$\$ SELECT udf_invoke('bench:doc', b) \$\$;"
  fi

  # (d) inserts, probed in a rolled-back transaction so nothing stays behind
  if udf_probe d bench:ins "BEGIN; SELECT udf_invoke('bench:ins', '{\"n\": 1}')->>'n'; ROLLBACK;" 1; then
    ok_ins=1
    echo "CREATE FUNCTION f_d_udf(n int) RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:ins', jsonb_build_object('n', n))->>'n')::int \$\$;"
  fi

  # (b) lookups: i = 6 -> k = 7. Seed udf's own kv if it does not see the SQL table.
  local q_b="SELECT udf_invoke('bench:kv', '{\"i\": 6}')->>'v'"
  if udf_probe b bench:kv "$q_b" "$exp_b" ||
     { [ "$ok_ins" = 1 ] && udf_seed kv && udf_probe b bench:kv "$q_b" "$exp_b"; }; then
    echo "CREATE FUNCTION f_b_udf(i int) RETURNS text LANGUAGE sql AS
  \$\$ SELECT udf_invoke('bench:kv', jsonb_build_object('i', i))->>'v' \$\$;"
  fi

  # (f) collect() of every document of big
  local q_f="SELECT udf_invoke('bench:collect', '{}')->>'count'"
  if udf_probe f bench:collect "$q_f" "$N_F" ||
     { [ "$ok_ins" = 1 ] && udf_seed big && udf_probe f bench:collect "$q_f" "$N_F"; }; then
    echo "CREATE FUNCTION f_f_udf() RETURNS int LANGUAGE sql AS
  \$\$ SELECT (udf_invoke('bench:collect', '{}')->>'count')::int \$\$;"
  fi
  rm -f "$BASE/.udf-probe.err"
}

# (d) before each run: the SQL table is recreated (as for every language) and udf's own
# ins_t emptied (a no-op if udf stores documents in the SQL table itself).
pre_d_udf() {
  echo "DROP TABLE IF EXISTS ins_t; CREATE TABLE ins_t(k int PRIMARY KEY, v text);"
  echo "SELECT udf_invoke('bench:clear', '{\"table\": \"ins_t\"}');"
}
# (d) check: the rows udf itself sees in ins_t
count_d_udf() { echo "SELECT udf_invoke('bench:count', '{\"table\": \"ins_t\"}')->>'count'"; }

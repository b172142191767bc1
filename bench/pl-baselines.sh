#!/usr/bin/env bash
# pl-baselines.sh -- per-call cost of PostgreSQL 15 procedural languages, measured in
# one run on one throwaway cluster, so a later run can put a new language (e.g. a
# V8-based udf_invoke extension) next to them.
#
# Workloads (each: RUNS fresh backends x (1 warm-up + PER_SESSION timed runs), median reported):
#   a  trivial call     SELECT sum(f(i)) FROM generate_series(1,200000) i      f(x)=x+1
#   b  SPI lookup       SELECT count(f(i)) FROM generate_series(1,50000) i     f(i)=(SELECT v FROM kv WHERE k=i%10000+1),
#                       prepared/cached plan
#   c  JSON round trip  SELECT count(f(body)) FROM docs, generate_series(1,5)  f(b)= b with b.n := b.n+1
#                       (50,000 calls; PL gets a native map/dict/table where the language supports it)
#   d  insert loop      SELECT f(10000)   one call, 10,000 single-row INSERTs via SPI into a fresh table
#   e  cold start       wall time of `psql -c "SELECT f(1)"` (new process, new connection, new backend)
#   e2 first call       server-side Execution Time of f(1) as the first statement of a fresh backend
#   e0 (reference)      wall time of `psql -c "SELECT 1"` -- connection cost with no PL at all
#   f  read rows        SELECT f()          one call reading all 100,000 rows (k, v) of table big into the
#                       language's own values (Convex: ctx.db.query("big").collect())
#   g  backend RSS      VmRSS of /proc/<backend>/status right after `SELECT f_a(1)` in a fresh session (MB)
#   g0 (reference)      the same after `SELECT 1` -- a backend with no PL loaded
# a-d, f and e2 are timed server-side: "Execution Time" of EXPLAIN (ANALYZE, TIMING OFF),
# so psql/protocol/planning overhead is excluded. e/e0 are client wall time (date +%s%N).
#
# Usage: ./pl-baselines.sh            (run as root or as postgres)
# Env:   LANGS="sql plpgsql plperl plpython3u pllua pltcl plv8"   (default: those installed)
#        RUNS=5 PER_SESSION=1 COLD_RUNS=10 PORT=55441 PGBIN=/usr/lib/postgresql/15/bin
#        EXTRA=/path/to/file.sh   sourced after the built-in definitions; it may append to
#               LANGS_EXTRA (array), define defs_<lang>() printing SQL that creates
#               f_a_<lang>(int)->int, f_b_<lang>(int)->text, f_c_<lang>(jsonb)->jsonb,
#               f_d_<lang>(int)->int, f_f_<lang>()->int (any may be missing -> "n/a"), and set EXTRA_CONF
#               (extra postgresql.conf lines, e.g. shared_preload_libraries). Optional hooks:
#               pre_d_<lang> prints the SQL run before each (d) run (default: recreate ins_t),
#               count_d_<lang> prints a query giving the rows (d) inserted (default: count of ins_t).
#               defs_<lang> runs after the data is loaded, so it may query the database ("${PSQL[@]}" -d "$DB").
#        RATIO="udf/plpgsql"  adds a last column with the ratio of the two languages' medians
#               (shown when both are measured; RATIO= disables).
#        KEEP_PGDATA=1  keep the cluster directory after a successful run.
#        NICE=-10 (root default) priority of this script's cluster + psql; NICE=0 disables.
#        QUIET_MAX=15 QUIET_WAIT=30: before each language wait up to QUIET_WAIT s for
#               foreign CPU load < QUIET_MAX %; the load seen is printed in the table.
#        MD_OUT=/path/file.md  also write the Markdown table there.
# Output: table on stdout; raw per-run numbers in $OUTDIR/pl-baselines-<stamp>.tsv
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
BASE=${BASE:-${TMPDIR:-/tmp}/pl-baselines}
PGDATA_BL=${PGDATA_BL:-$BASE/pgdata-bl}
PORT=${PORT:-55441}
SOCK=${SOCK:-/tmp}
DB=bench
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-10}
N_A=200000; N_B=50000; C_PASSES=5; N_D=10000; N_F=100000
OUTDIR=${OUTDIR:-$BASE/results}
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUTDIR"
RAW=$OUTDIR/pl-baselines-$STAMP.tsv

# NICE: scheduling priority of this script's own cluster and psql clients (negative needs root).
# Counters noisy neighbours on small machines; set NICE=0 to disable.
if [ "$(id -u)" = 0 ]; then NICE=${NICE:--10}; else NICE=${NICE:-0}; fi
PSQL=(nice -n "$NICE" "$PGBIN/psql" -X -q -At -h "$SOCK" -p "$PORT" -U postgres -v ON_ERROR_STOP=1)

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- cluster lifecycle
started=0
ok=0
cleanup() {
  local rc=$?
  if [ "$started" = 1 ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_BL" -m fast -w stop >/dev/null 2>&1 || \
      as_pg "$PGBIN/pg_ctl" -D "$PGDATA_BL" -m immediate -w stop >/dev/null 2>&1 || true
    echo "# cluster stopped" >&2
  fi
  if [ "$rc" != 0 ]; then
    echo "# FAILED (rc=$rc); server log: $PGDATA_BL/server.log" >&2
    [ -f "$PGDATA_BL/server.log" ] && tail -20 "$PGDATA_BL/server.log" >&2
  elif [ "$ok" = 1 ] && [ "${KEEP_PGDATA:-0}" != 1 ]; then
    rm -rf "$PGDATA_BL"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if "$PGBIN/pg_isready" -q -h "$SOCK" -p "$PORT"; then
  echo "something already listens on $SOCK port $PORT; refusing to start" >&2; exit 2
fi
rm -rf "$PGDATA_BL"
mkdir -p "$PGDATA_BL"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA_BL"
chmod 700 "$PGDATA_BL"
as_pg "$PGBIN/initdb" -D "$PGDATA_BL" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$PGDATA_BL/postgresql.conf" <<EOF
# --- pl-baselines.sh
port = $PORT
listen_addresses = ''
unix_socket_directories = '$SOCK'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
max_wal_size = 4GB
jit = off                              # PL calls have cost 100 -> JIT would kick in and add noise
max_parallel_workers_per_gather = 0
autovacuum = off                       # no background noise; tables are VACUUM ANALYZEd after load
EOF

# ---------------------------------------------------------------- language definitions
# Conventions: all functions default VOLATILE (as a generic udf_invoke() would be),
# not STRICT, no SET clauses. f_d_* inserts into ins_t(k int primary key, v text).
# f_f_*() reads every row (k, v) of big into the language and returns how many it got.

defs_sql() { cat <<'SQL'
-- NB: f_a_sql and f_c_sql are inlined by the planner (single SELECT, no FROM): they measure
-- the expression itself, i.e. the floor. f_b_sql is not inlined (has FROM). f_d_sql is set-based.
CREATE FUNCTION f_a_sql(x int) RETURNS int LANGUAGE sql AS $$ SELECT x + 1 $$;
CREATE FUNCTION f_b_sql(i int) RETURNS text LANGUAGE sql AS $$ SELECT v FROM kv WHERE k = i % 10000 + 1 $$;
CREATE FUNCTION f_c_sql(b jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT jsonb_set(b, '{n}', to_jsonb((b->>'n')::int + 1)) $$;
CREATE FUNCTION f_d_sql(n int) RETURNS int LANGUAGE sql AS $$
  INSERT INTO ins_t SELECT g, 'v' || g FROM generate_series(1, n) g;
  SELECT n $$;
-- f_f_sql is the floor: count(*) over the scan, nothing converted
CREATE FUNCTION f_f_sql() RETURNS int LANGUAGE sql AS $$ SELECT count(*)::int FROM (SELECT k, v FROM big) s $$;
SQL
}

defs_plpgsql() { cat <<'SQL'
CREATE FUNCTION f_a_plpgsql(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x + 1; END $$;
CREATE FUNCTION f_b_plpgsql(i int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN SELECT v INTO r FROM kv WHERE k = i % 10000 + 1; RETURN r; END $$;
-- jsonb is plpgsql's native representation: no parse into another structure
CREATE FUNCTION f_c_plpgsql(b jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN RETURN jsonb_set(b, '{n}', to_jsonb((b->>'n')::int + 1)); END $$;
CREATE FUNCTION f_d_plpgsql(n int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..n LOOP INSERT INTO ins_t VALUES (i, 'v' || i); END LOOP;
  RETURN n;
END $$;
CREATE FUNCTION f_f_plpgsql() RETURNS int LANGUAGE plpgsql AS $$
DECLARE r record; c int := 0;
BEGIN FOR r IN SELECT k, v FROM big LOOP c := c + 1; END LOOP; RETURN c; END $$;
SQL
}

defs_plperl() { cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS plperl;
CREATE EXTENSION IF NOT EXISTS jsonb_plperl;
CREATE FUNCTION f_a_plperl(x int) RETURNS int LANGUAGE plperl AS $$ return $_[0] + 1; $$;
CREATE FUNCTION f_b_plperl(i int) RETURNS text LANGUAGE plperl AS $$
my $p = $_SHARED{kv_plan} //= spi_prepare('SELECT v FROM kv WHERE k = $1', 'int4');
return spi_exec_prepared($p, $_[0] % 10000 + 1)->{rows}[0]{v};
$$;
-- jsonb_plperl transform: jsonb <-> Perl hash/array refs
CREATE FUNCTION f_c_plperl(b jsonb) RETURNS jsonb TRANSFORM FOR TYPE jsonb LANGUAGE plperl AS $$
my $h = $_[0]; $h->{n} = $h->{n} + 1; return $h;
$$;
CREATE FUNCTION f_d_plperl(n int) RETURNS int LANGUAGE plperl AS $$
my $p = spi_prepare('INSERT INTO ins_t VALUES ($1, $2)', 'int4', 'text');
spi_exec_prepared($p, $_, "v$_") for 1 .. $_[0];
spi_freeplan($p);
return $_[0];
$$;
CREATE FUNCTION f_f_plperl() RETURNS int LANGUAGE plperl AS $$
my $rv = spi_exec_query('SELECT k, v FROM big');
return scalar @{$rv->{rows}};
$$;
SQL
}

defs_plpython3u() { cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS plpython3u;
CREATE EXTENSION IF NOT EXISTS jsonb_plpython3u;
CREATE FUNCTION f_a_plpython3u(x int) RETURNS int LANGUAGE plpython3u AS $$
return x + 1
$$;
CREATE FUNCTION f_b_plpython3u(i int) RETURNS text LANGUAGE plpython3u AS $$
p = SD.get('p')
if p is None:
    p = SD['p'] = plpy.prepare('SELECT v FROM kv WHERE k = $1', ['int4'])
return p.execute([i % 10000 + 1])[0]['v']
$$;
-- jsonb_plpython3u transform: jsonb <-> dict/list (numbers arrive as decimal.Decimal)
CREATE FUNCTION f_c_plpython3u(b jsonb) RETURNS jsonb TRANSFORM FOR TYPE jsonb LANGUAGE plpython3u AS $$
b['n'] = b['n'] + 1
return b
$$;
CREATE FUNCTION f_d_plpython3u(n int) RETURNS int LANGUAGE plpython3u AS $$
p = plpy.prepare('INSERT INTO ins_t VALUES ($1, $2)', ['int4', 'text'])
for i in range(1, n + 1):
    p.execute([i, 'v%d' % i])
return n
$$;
CREATE FUNCTION f_f_plpython3u() RETURNS int LANGUAGE plpython3u AS $$
return len(plpy.execute('SELECT k, v FROM big'))
$$;
SQL
}

defs_pllua() { cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS pllua;
CREATE FUNCTION f_a_pllua(x int) RETURNS int LANGUAGE pllua AS $$ return x + 1 $$;
CREATE FUNCTION f_b_pllua(i int) RETURNS text LANGUAGE pllua AS $$
local p = _bench_kv_plan
if not p then p = spi.prepare('SELECT v FROM kv WHERE k = $1', {'int4'}); _bench_kv_plan = p end
local r = p:execute(i % 10000 + 1)
return r[1] and r[1].v
$$;
-- jsonb datum -> Lua table via b(), back via pgtype.jsonb()
CREATE FUNCTION f_c_pllua(b jsonb) RETURNS jsonb LANGUAGE pllua AS $$
local t = b()
t.n = t.n + 1
return pgtype.jsonb(t)
$$;
CREATE FUNCTION f_d_pllua(n int) RETURNS int LANGUAGE pllua AS $$
local p = spi.prepare('INSERT INTO ins_t VALUES ($1, $2)', {'int4', 'text'})
for i = 1, n do p:execute(i, 'v' .. i) end
return n
$$;
CREATE FUNCTION f_f_pllua() RETURNS int LANGUAGE pllua AS $$
local r = spi.execute('SELECT k, v FROM big')
return #r
$$;
SQL
}

defs_pltcl() { cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS pltcl;
CREATE FUNCTION f_a_pltcl(x int) RETURNS int LANGUAGE pltcl AS $$ return [expr {$1 + 1}] $$;
CREATE FUNCTION f_b_pltcl(i int) RETURNS text LANGUAGE pltcl AS $$
if {![info exists GD(kv)]} {
  set GD(kv) [spi_prepare {SELECT v FROM kv WHERE k = $1} [list int4]]
}
spi_execp -count 1 $GD(kv) [list [expr {$1 % 10000 + 1}]]
return $v
$$;
-- (no f_c_pltcl: core Tcl has no JSON parser and PL/Tcl has no jsonb transform)
CREATE FUNCTION f_d_pltcl(n int) RETURNS int LANGUAGE pltcl AS $$
set p [spi_prepare {INSERT INTO ins_t VALUES ($1, $2)} [list int4 text]]
for {set i 1} {$i <= $1} {incr i} { spi_execp $p [list $i "v$i"] }
return $1
$$;
CREATE FUNCTION f_f_pltcl() RETURNS int LANGUAGE pltcl AS $$
set c 0
spi_exec {SELECT k, v FROM big} { incr c }
return $c
$$;
SQL
}

defs_plv8() { cat <<'SQL'
CREATE EXTENSION IF NOT EXISTS plv8;
CREATE FUNCTION f_a_plv8(x int) RETURNS int LANGUAGE plv8 AS $$ return x + 1; $$;
CREATE FUNCTION f_b_plv8(i int) RETURNS text LANGUAGE plv8 AS $$
if (!globalThis.__bench_kv_plan)
  globalThis.__bench_kv_plan = plv8.prepare('SELECT v FROM kv WHERE k = $1', ['int4']);
const r = globalThis.__bench_kv_plan.execute([i % 10000 + 1]);
return r.length ? r[0].v : null;
$$;
-- plv8 hands jsonb to JS as an object and converts the returned object back
CREATE FUNCTION f_c_plv8(b jsonb) RETURNS jsonb LANGUAGE plv8 AS $$
b.n = b.n + 1;
return b;
$$;
CREATE FUNCTION f_d_plv8(n int) RETURNS int LANGUAGE plv8 AS $$
const p = plv8.prepare('INSERT INTO ins_t VALUES ($1, $2)', ['int4', 'text']);
for (let i = 1; i <= n; i++) p.execute([i, 'v' + i]);
p.free();
return n;
$$;
CREATE FUNCTION f_f_plv8() RETURNS int LANGUAGE plv8 AS $$
return plv8.execute('SELECT k, v FROM big').length;
$$;
SQL
}

ext_available() { [ -f "$("$PGBIN/pg_config" --sharedir)/extension/$1.control" ]; }

LANGS_EXTRA=()
EXTRA_CONF=${EXTRA_CONF:-}
if [ -n "${EXTRA:-}" ]; then
  # shellcheck disable=SC1090
  source "$EXTRA"
fi
if [ -z "${LANGS:-}" ]; then
  LANGS="sql plpgsql"
  for l in plperl plpython3u pllua pltcl plv8; do ext_available "$l" && LANGS="$LANGS $l"; done
fi
read -r -a LANG_LIST <<<"$LANGS ${LANGS_EXTRA[*]:-}"
[ -n "$EXTRA_CONF" ] && printf '%s\n' "$EXTRA_CONF" >>"$PGDATA_BL/postgresql.conf"

nice -n "$NICE" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_BL" -l "$PGDATA_BL/server.log" -w start >/dev/null 2>&1 || \
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_BL" -l "$PGDATA_BL/server.log" -w start >/dev/null
started=1

# ---------------------------------------------------------------- data + functions
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" <<'SQL'
SET client_min_messages = warning;
CREATE TABLE kv(k int PRIMARY KEY, v text NOT NULL);
INSERT INTO kv SELECT g, md5(g::text) FROM generate_series(1, 10000) g;
CREATE TABLE docs(id bigint PRIMARY KEY, body jsonb NOT NULL);
INSERT INTO docs
SELECT g, jsonb_build_object(
         'id', g, 'n', g, 'name', 'user_' || g, 'email', 'user' || g || '@example.com',
         'tags', jsonb_build_array('alpha', 'beta', 'gamma'),
         'meta', jsonb_build_object('score', g % 100, 'active', g % 2 = 0, 'created', '2024-01-01T00:00:00Z'))
FROM generate_series(1, 10000) g;
CREATE TABLE ins_t(k int PRIMARY KEY, v text);
CREATE TABLE big(k int PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 100000) g;
VACUUM ANALYZE kv; VACUUM ANALYZE docs; VACUUM ANALYZE big;
SQL
for l in "${LANG_LIST[@]}"; do
  if ! declare -F "defs_$l" >/dev/null; then echo "no defs_$l defined" >&2; exit 2; fi
  "defs_$l" | "${PSQL[@]}" -d "$DB" -v ON_ERROR_STOP=1 >/dev/null
done

# correctness probe: every function must give the same answer as SQL
"${PSQL[@]}" -d "$DB" -c "SELECT f_a_sql(41), f_b_sql(7), (f_c_sql(body)->>'n') FROM docs WHERE id = 3" >"$OUTDIR/.expect"
for l in "${LANG_LIST[@]}"; do
  exp_a=$(cut -d'|' -f1 "$OUTDIR/.expect"); exp_b=$(cut -d'|' -f2 "$OUTDIR/.expect"); exp_c=$(cut -d'|' -f3 "$OUTDIR/.expect")
  if [ -n "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regproc('f_a_$l')")" ]; then
    got=$("${PSQL[@]}" -d "$DB" -c "SELECT f_a_$l(41)")
    [ "$got" = "$exp_a" ] || { echo "probe a mismatch for $l: $got" >&2; exit 3; }
  fi
  if [ -n "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regproc('f_b_$l')")" ]; then
    got=$("${PSQL[@]}" -d "$DB" -c "SELECT f_b_$l(7)")
    [ "$got" = "$exp_b" ] || { echo "probe b mismatch for $l: $got" >&2; exit 3; }
  fi
  if [ -n "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regproc('f_c_$l')")" ]; then
    got=$("${PSQL[@]}" -d "$DB" -c "SELECT (f_c_$l(body)->>'n')::numeric::int FROM docs WHERE id = 3")
    [ "$got" = "$exp_c" ] || { echo "probe c mismatch for $l: $got" >&2; exit 3; }
  fi
  if [ -n "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regproc('f_f_$l')")" ]; then
    got=$("${PSQL[@]}" -d "$DB" -c "SELECT f_f_$l()")
    [ "$got" = "$N_F" ] || { echo "probe f mismatch for $l: $got" >&2; exit 3; }
  fi
done
rm -f "$OUTDIR/.expect"

# ---------------------------------------------------------------- timing helpers
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "NA"; exit}
  if (NR%2) printf "%.3f\n", a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
has_fn() { [ -n "$("${PSQL[@]}" -d "$DB" -c "SELECT to_regproc('$1')")" ]; }

# server_time <pre-sql-per-run> <timed-sql> : RUNS fresh backends (sessions); in each, 1 warm-up
# then PER_SESSION timed runs. Prints RUNS*PER_SESSION timings (ms), one per line.
# Fresh backends matter: on this VM a backend is "fast" or "slow" (~1.6x) for its whole life,
# so repeating inside one session does not average that out.
PER_SESSION=${PER_SESSION:-1}
server_time() {
  local pre=$1 q=$2 r k
  for ((r = 0; r < RUNS; r++)); do
    for ((k = 0; k <= PER_SESSION; k++)); do
      [ -n "$pre" ] && printf '%s\n' "$pre"
      printf 'EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) %s;\n' "$q"
    done | "${PSQL[@]}" -d "$DB" -f - | awk '/^Execution Time:/ {print $3}' | tail -n +2
  done
}
now_ns() { date +%s%N; }
# busy_pct : whole-machine non-idle CPU % over 1 s (our own cluster is idle at that moment,
# so this is foreign load). wait_quiet : wait up to QUIET_WAIT s for busy < QUIET_MAX %.
QUIET_MAX=${QUIET_MAX:-15}; QUIET_WAIT=${QUIET_WAIT:-30}
busy_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  awk -v u=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) )) \
      -v i=$(( (b[4]+b[5]) - (a[4]+a[5]) )) 'BEGIN{ if (u+i == 0) print 0; else printf "%.0f\n", 100*u/(u+i) }'
}
wait_quiet() {
  local t0=$SECONDS b
  while :; do
    b=$(busy_pct)
    if [ "$b" -le "$QUIET_MAX" ] || [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then echo "$b"; return; fi
  done
}
# cold_wall <sql> : 1 untimed run (page cache) + COLD_RUNS timed fresh psql processes. ms per run.
cold_wall() {
  local q=$1 r t0 t1
  "${PSQL[@]}" -d "$DB" -c "$q" >/dev/null
  for ((r = 0; r < COLD_RUNS; r++)); do
    t0=$(now_ns); "${PSQL[@]}" -d "$DB" -c "$q" >/dev/null; t1=$(now_ns)
    awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f\n", d/1e6}'
  done
}
# backend_rss <sql> : VmRSS (MB) of a fresh backend right after running <sql> in it, COLD_RUNS times.
# The backend reads its own /proc/self/status (pg_read_file with an absolute path: superuser).
backend_rss() {
  local q=$1 r
  for ((r = 0; r < COLD_RUNS; r++)); do
    "${PSQL[@]}" -d "$DB" -c "$q" \
      -c "SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+)'))[1]" | tail -1 |
      awk '{printf "%.1f\n", $1 / 1024}'
  done
}
# first_call <fn> : server-side Execution Time of the first call in each of COLD_RUNS fresh backends
first_call() {
  local f=$1 r
  for ((r = 0; r < COLD_RUNS; r++)); do
    "${PSQL[@]}" -d "$DB" -c "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT $f(1)" | awk '/^Execution Time:/ {print $3}'
  done
}

declare -A MED
declare -A BG
WORKLOADS=(a b c d f e2 e g)
declare -A CALLS=([a]=$N_A [b]=$N_B [c]=$((10000 * C_PASSES)) [d]=$N_D [f]=$N_F [e2]=1 [e]=1 [e0]=1 [g]=1 [g0]=1)
declare -A TITLE=(
  [a]="a  trivial f(x)=x+1, 200k calls"
  [b]="b  SPI indexed lookup, 50k calls"
  [c]="c  jsonb round trip, 50k calls"
  [d]="d  10k INSERTs in one call (per row)"
  [e2]="e2 first call, fresh backend (server)"
  [e]="e  cold psql -c 'SELECT f(1)' (wall)"
  [e0]="e0 cold psql -c 'SELECT 1' (wall, no PL)"
  [f]="f  read 100k rows in one call (per row)"
  [g]="g  backend RSS after first call (MB)"
  [g0]="g0 backend RSS after 'SELECT 1' (MB, no PL)")

printf 'lang\tworkload\tcalls\trun_ms...\n' >"$RAW"
record() { # lang workload values...
  local l=$1 w=$2; shift 2
  printf '%s\t%s\t%s\t%s\n' "$l" "$w" "${CALLS[$w]}" "$(echo "$@" | tr '\n' ' ')" >>"$RAW"
  MED[$w,$l]=$(printf '%s\n' "$@" | median)
}

echo "# $(date -Is)  host=$(hostname)  cpu=$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}') x$(nproc)  load=$(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "# $("$PGBIN/postgres" --version)  langs: ${LANG_LIST[*]}  runs=$RUNS cold_runs=$COLD_RUNS nice=$NICE postmaster_nice=$(ps -o ni= -p "$(head -1 "$PGDATA_BL/postmaster.pid")" | tr -d ' ')" >&2

wait_quiet >/dev/null
ref=$(cold_wall "SELECT 1"); record none e0 $ref
record none g0 $(backend_rss "SELECT 1")
for l in "${LANG_LIST[@]}"; do
  bg=$(wait_quiet); BG[$l]=$bg
  echo "# measuring $l ... (background CPU busy before: ${bg}%)" >&2
  so=$(ls "$("$PGBIN/pg_config" --pkglibdir)/$l"*.so 2>/dev/null | head -1 || true)
  [ -n "$so" ] && printf '%s\tlib\t-\t%s %s\n' "$l" "$so" "$(md5sum <"$so" | cut -c1-12)" >>"$RAW"
  if has_fn "f_a_$l"; then
    record "$l" a $(server_time "" "SELECT sum(f_a_$l(i)) FROM generate_series(1, $N_A) i")
  fi
  if has_fn "f_b_$l"; then
    record "$l" b $(server_time "" "SELECT count(f_b_$l(i)) FROM generate_series(1, $N_B) i")
  fi
  if has_fn "f_c_$l"; then
    record "$l" c $(server_time "" "SELECT count(f_c_$l(d.body)) FROM docs d, generate_series(1, $C_PASSES) p")
  fi
  if has_fn "f_d_$l"; then
    pre_d="DROP TABLE IF EXISTS ins_t; CREATE TABLE ins_t(k int PRIMARY KEY, v text);"
    declare -F "pre_d_$l" >/dev/null && pre_d=$("pre_d_$l")
    count_d="SELECT count(*) FROM ins_t"
    declare -F "count_d_$l" >/dev/null && count_d=$("count_d_$l")
    record "$l" d $(server_time "$pre_d" "SELECT f_d_$l($N_D)")
    n=$("${PSQL[@]}" -d "$DB" -c "$count_d")
    [ "$n" = "$N_D" ] || { echo "insert check failed for $l: $n rows" >&2; exit 3; }
  fi
  if has_fn "f_f_$l"; then
    record "$l" f $(server_time "" "SELECT f_f_$l()")
  fi
  if has_fn "f_a_$l"; then
    record "$l" e2 $(first_call "f_a_$l")
    record "$l" e $(cold_wall "SELECT f_a_$l(1)")
    record "$l" g $(backend_rss "SELECT f_a_$l(1)")
  fi
  bga=$(busy_pct); BG[$l]="$bg/$bga"
  printf '%s\tbg_busy_pct_before_after\t-\t%s %s\n' "$l" "$bg" "$bga" >>"$RAW"
done

# ---------------------------------------------------------------- report
cell() { # workload lang -> "ms / us-per-call" (g, g0: MB)
  local m=${MED[$1,$2]:-}
  if [ -z "$m" ] || [ "$m" = NA ]; then printf 'n/a'; return; fi
  case $1 in g|g0) printf '%.1f MB' "$m"; return ;; esac
  awk -v m="$m" -v n="${CALLS[$1]}" 'BEGIN{
    us = m * 1000 / n
    if (n == 1) printf "%.2f ms", m; else printf "%.1f ms / %.2f us", m, us }'
}
# RATIO="num/den": last column = median(num) / median(den) per workload
RATIO=${RATIO-udf/plpgsql}
R_NUM=${RATIO%%/*}; R_DEN=${RATIO#*/}
show_ratio=0
if [ -n "$RATIO" ] && [[ " ${LANG_LIST[*]} " == *" $R_NUM "* ]] && [[ " ${LANG_LIST[*]} " == *" $R_DEN "* ]]; then
  show_ratio=1
fi
ratio() { # workload -> "12.3x" or n/a
  local a=${MED[$1,$R_NUM]:-} b=${MED[$1,$R_DEN]:-}
  if [ -z "$a" ] || [ -z "$b" ] || [ "$a" = NA ] || [ "$b" = NA ]; then printf 'n/a'; return; fi
  awk -v a="$a" -v b="$b" 'BEGIN{ if (b == 0) printf "n/a"; else if (a / b >= 10) printf "%.0fx", a / b; else printf "%.2fx", a / b }'
}
{
  printf '| workload |'; for l in "${LANG_LIST[@]}"; do printf ' %s |' "$l"; done
  [ "$show_ratio" = 1 ] && printf ' %s |' "$RATIO"; echo
  printf '|---|'; for l in "${LANG_LIST[@]}"; do printf -- '---|'; done
  [ "$show_ratio" = 1 ] && printf -- '---|'; echo
  for w in "${WORKLOADS[@]}"; do
    printf '| %s |' "${TITLE[$w]}"
    for l in "${LANG_LIST[@]}"; do printf ' %s |' "$(cell "$w" "$l")"; done
    [ "$show_ratio" = 1 ] && printf ' %s |' "$(ratio "$w")"; echo
  done
  printf '| %s | %s (all languages) |\n' "${TITLE[e0]}" "$(cell e0 none)"
  printf '| %s | %s (all languages) |\n' "${TITLE[g0]}" "$(cell g0 none)"
  printf '| foreign CPU busy %% before/after lang |'; for l in "${LANG_LIST[@]}"; do printf ' %s |' "${BG[$l]:-?}"; done; echo
} | tee "$OUTDIR/pl-baselines-$STAMP.md"
[ -n "${MD_OUT:-}" ] && cp "$OUTDIR/pl-baselines-$STAMP.md" "$MD_OUT"
echo "# cells: median of $RUNS fresh sessions x $PER_SESSION timed run(s) after 1 warm-up each (a-d, f), of $COLD_RUNS runs (e, e2, e0, g, g0); a-d, f per-call column = ms*1000/calls (d, f: per row)" >&2
echo "# raw: $RAW" >&2
ok=1

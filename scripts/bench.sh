#!/usr/bin/env bash
# bench.sh -- `make bench`: per-call cost of udf next to PostgreSQL's procedural languages
# (and an AFTER ROW trigger's overhead beside plpgsql's, bench/triggers.sh,
# the scheduler's latency and drain rate, bench/scheduler.sh, and the HTTP
# endpoint's requests per second and file throughput, bench/http.sh),
# measured in one run on one throwaway cluster (bench/pl-baselines.sh with
# bench/udf-extra.sh), using the udf extension as installed in the system PostgreSQL 15.
# Writes the Markdown table to bench/results.md and prints it.
#
# Env: LANGS="sql plpgsql plperl plpython3u pllua"  languages besides udf (udf always added)
#      RUNS=5 COLD_RUNS=10 PER_SESSION=1   passed on (see bench/pl-baselines.sh)
#      PORT=55441   first port tried; the next free one is used
#      NO_APT=1     never apt-get the missing PL packages (they are dropped instead)
#      BENCH_BASE=/tmp/udf-bench   cluster + raw results (removed cluster after success)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_CONFIG=${PG_CONFIG:-$PGBIN/pg_config}
[ -x "$PG_CONFIG" ] || PG_CONFIG=pg_config
sharedir=$("$PG_CONFIG" --sharedir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
LANGS=${LANGS:-sql plpgsql plperl plpython3u pllua}
LANGS=$(echo " $LANGS " | sed 's/ udf / /g; s/^ *//; s/ *$//')   # udf comes from the EXTRA file
out=$top/bench/results.md
BENCH_BASE=${BENCH_BASE:-${TMPDIR:-/tmp}/udf-bench}

# udf itself must be installed (this script does not build)
if [ ! -f "$sharedir/extension/udf.control" ] || [ ! -f "$pkglibdir/udf.so" ]; then
  echo "bench.sh: udf is not installed in $pkglibdir (run make && make install first)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "bench.sh: node is needed (bench app deployment)" >&2; exit 1; }

# ---------------------------------------------------------------- PL packages
# language -> Debian package providing it for PostgreSQL 15
declare -A PKG=([plperl]=postgresql-plperl-15 [plpython3u]=postgresql-plpython3-15
                [pllua]=postgresql-15-pllua [pltcl]=postgresql-pltcl-15 [plv8]=postgresql-15-plv8)
ext_ok() { [ -f "$sharedir/extension/$1.control" ]; }
missing=()
for l in $LANGS; do
  case $l in sql|plpgsql) continue ;; esac
  ext_ok "$l" || missing+=("$l")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && [ "${NO_APT:-0}" != 1 ]; then
  pkgs=()
  for l in "${missing[@]}"; do [ -n "${PKG[$l]:-}" ] && pkgs+=("${PKG[$l]}"); done
  if [ ${#pkgs[@]} -gt 0 ]; then
    echo "# bench.sh: installing ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # refresh the package lists only when a package is unknown to apt
    for p in "${pkgs[@]}"; do
      if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get update -qq; break; fi
    done
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null ||
      echo "# bench.sh: apt-get install ${pkgs[*]} failed" >&2
  fi
fi
keep=()
for l in $LANGS; do
  if [ "$l" = sql ] || [ "$l" = plpgsql ] || ext_ok "$l"; then keep+=("$l")
  else echo "# bench.sh: $l is not installed (${PKG[$l]:-no package known}); left out" >&2; fi
done
LANGS="${keep[*]}"

# ---------------------------------------------------------------- port
port_busy() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$1" ]; }
port=${PORT:-55441}
while port_busy "$port"; do port=$((port + 1)); done

# ---------------------------------------------------------------- run
mkdir -p "$BENCH_BASE"
tmp_md=$BENCH_BASE/table.md
rm -f "$tmp_md"
start=$(date -Is)
LANGS="$LANGS" PORT=$port SOCK=/tmp BASE="$BENCH_BASE" OUTDIR="$BENCH_BASE/results" \
  PGBIN="$PGBIN" EXTRA="$top/bench/udf-extra.sh" MD_OUT="$tmp_md" RATIO="udf/plpgsql" \
  bash "$top/bench/pl-baselines.sh" >/dev/null
[ -s "$tmp_md" ] || { echo "bench.sh: no table produced" >&2; exit 1; }
# the same first call and memory with udf preloaded, on a cluster of its own
preload_md=$BENCH_BASE/preload.md
COLD_RUNS=${COLD_RUNS:-10} bash "$top/bench/udf-preload.sh" >"$preload_md"
# an AFTER ROW trigger writing an audit row, udf against plpgsql, on a cluster of its own
trig_md=$BENCH_BASE/triggers.md
PGBIN="$PGBIN" RUNS=${RUNS:-5} bash "$top/bench/triggers.sh" 2>/dev/null | sed -n '/^|/,$p' >"$trig_md"
# the scheduler's latency and drain rate, on a preloaded cluster of its own
sched_md=$BENCH_BASE/scheduler.md
bash "$top/bench/scheduler.sh" >"$sched_md"
# fetch against a loopback server, next to curl; a 1000-request burst
fetch_md=$BENCH_BASE/fetch.md
PGBIN="$PGBIN" bash "$top/bench/fetch.sh" >"$fetch_md"
# the HTTP endpoint's requests per second and file throughput, on a cluster of its own
http_md=$BENCH_BASE/http.md
bash "$top/bench/http.sh" >"$http_md"

cpu=$(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')
{
  echo "# udf benchmark"
  echo
  echo "$start, $(nproc) cores (${cpu:-unknown CPU}), $("$PGBIN/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /'); figures are from one run on one throwaway cluster -- compare ratios within this table, not with other runs."
  echo
  echo "RUNS=${RUNS:-5} fresh sessions per workload (a-d, f: median of 1 timed run each after 1 warm-up), COLD_RUNS=${COLD_RUNS:-10} (e, e2, g). Per-call column = ms*1000/calls. a-d, f, e2 are server-side EXPLAIN ANALYZE Execution Time; e is client wall time; g is VmRSS of the backend. Last column: udf median / plpgsql median. d and f are per row. n/a: the function could not run (its probe failed; the reason is printed on stderr by the run as \`# udf probe ...: n/a -- <error>\`)."
  echo
  cat "$tmp_md"
  echo
  cat "$preload_md"
  echo
  cat "$trig_md"
  echo
  cat "$sched_md"
  echo
  cat "$fetch_md"
  echo
  cat "$http_md"
  echo
  echo "Reproduce: \`make bench\` (or \`RUNS=3 COLD_RUNS=5 bash scripts/bench.sh\`); workloads and method: bench/pl-baselines.sh, udf side: bench/udf-extra.sh, bench/app/, preloaded rows: bench/udf-preload.sh, trigger rows: bench/triggers.sh, scheduler rows: bench/scheduler.sh, fetch: bench/fetch.sh, HTTP rows: bench/http.sh."
} >"$out"
cat "$out"
echo "# written to $out; raw per-run numbers in $BENCH_BASE/results/" >&2

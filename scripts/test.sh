#!/usr/bin/env bash
# test.sh -- every test of udf, on a fresh machine: installs deps, builds and
# installs, starts a throwaway cluster, then runs
#   1. the runtime's JavaScript unit tests (node --test udf-runtime/test)
#   2. the pg_regress suite (sql/ + expected/) against the cluster
#   3. the TAP tests under regress/t (prove), each with clusters of its own
# and ends with one line "N passed, N failed" summing all of them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
. scripts/cluster.sh

passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# 1. runtime unit tests
echo "== udf-runtime unit tests"
out=$(cd udf-runtime && node --test test/ 2>&1); rc=$?
echo "$out" | grep -E "^# (tests|pass|fail)"
p=$(echo "$out" | awk '/^# pass/ {print $3}'); f=$(echo "$out" | awk '/^# fail/ {print $3}')
[ "$rc" != 0 ] && [ "${f:-0}" = 0 ] && f=1 && echo "$out" | tail -30
count "${p:-0}" "${f:-0}"

# 2. pg_regress
echo "== pg_regress"
# udf preloaded: the stats test reads the shared statistics (every other test runs the same either way)
cluster_start regress "shared_preload_libraries = 'udf'"
trap 'cluster_stop regress' EXIT
rm -rf results regression.diffs regression.out
# pg_regress is only a client: it runs as the invoking user, connecting as postgres.
# (Its own regression.out is deleted when all pass, so its log goes elsewhere.)
log=.run/pg_regress.log
PGUSER=postgres make -s installcheck >"$log" 2>&1
rc=$?
grep -E "^(test|     ) +[^ ]+ +\.\.\. " "$log" | sed 's/^/  /'
total=$(ls sql/*.sql | wc -l)
nok=$(grep -cE "^(test|     ) +[^ ]+ +\.\.\. +ok" "$log")
nfail=$((total - nok))
if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then nfail=1; fi
[ "$nfail" != 0 ] && tail -5 "$log"
[ -f regression.diffs ] && head -100 regression.diffs
count $((total - nfail)) "$nfail"
grep -q "terminated by signal" "$PGDATA_DIR/server.log" && {
  echo "!! a backend crashed during pg_regress:"; grep -B2 -A2 "terminated by signal" "$PGDATA_DIR/server.log"; count 0 1; }
cluster_stop regress; trap - EXIT

# 3. TAP tests
if ls regress/t/*.pl >/dev/null 2>&1; then
  echo "== TAP (prove)"
  pgxs_dir=$(dirname "$(pg_config --pgxs)")/..
  tapdir=$top/.run/tap
  rm -rf "$tapdir"; mkdir -p "$tapdir"
  [ "$(id -u)" = 0 ] && chown postgres "$tapdir"
  chmod -R a+rX "$top/regress"
  out=$(cd "$tapdir" && as_pg env PATH="$PGBIN:$PATH" TESTDIR="$tapdir" PG_REGRESS="$pgxs_dir/test/regress/pg_regress" \
        PERL5LIB="$pgxs_dir/test/perl" prove -v "$top"/regress/t/*.pl 2>&1); rc=$?
  echo "$out" | grep -E "^(ok|not ok)|^# |^Result|^Files|\.pl \.\." | sed 's/^/  /'
  p=$(echo "$out" | grep -cE "^ok "); f=$(echo "$out" | grep -cE "^not ok ")
  [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1 && echo "$out" | tail -40
  count "$p" "$f"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# test.sh -- every test of udf, on a fresh machine: installs deps, builds and
# installs, starts a throwaway cluster, then runs
#   1. the runtime's JavaScript unit tests (node --test udf-runtime/test)
#   2. the CLI's tests (node --test cli/test), against the CLI's own embedded
#      cluster in .run/cli-test (port UDF_TEST_PORT, default 56210)
#   3. the pg_regress suite (sql/ + expected/) against the cluster
#   4. the TAP tests under regress/t (prove), each with clusters of its own
#   5. the Debian package (scripts/deb-test.sh): dpkg-buildpackage, then the .deb
#      installed with apt in a debootstrap'd Debian 12 and used in a fresh cluster
#      there (skipped, saying so, only when the Debian mirror cannot be reached)
# and ends with one line "N passed, N failed" summing all of them.
set -uo pipefail
shopt -s lastpipe  # remember() below, at the end of pipelines, keeps what it is given
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
. scripts/cluster.sh

passed=0; failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
# what failed, repeated just above the summary line: a log's tail is often all a reader gets
recap=""
remember() { recap+="-- $1"$'\n'"$(cat | head -40 | cut -c1-300)"$'\n'; }

# 1. runtime unit tests
echo "== udf-runtime unit tests"
out=$(cd udf-runtime && node --test test/ 2>&1); rc=$?
echo "$out" | grep -E "^# (tests|pass|fail)"
p=$(echo "$out" | awk '/^# pass/ {print $3}'); f=$(echo "$out" | awk '/^# fail/ {print $3}')
[ "$rc" != 0 ] && [ "${f:-0}" = 0 ] && f=1 && echo "$out" | tail -30
[ "$rc" != 0 ] && echo "$out" | grep -vE "^ +at " | grep -A15 -E "^ *not ok " | remember "udf-runtime unit tests"
count "${p:-0}" "${f:-0}"

# 2. the CLI against its embedded cluster, made afresh each run
echo "== udf CLI (node --test cli/test)"
export UDF_TEST_CLUSTER_DIR=$top/.run/cli-test
cli_stop() { (cd cli && env UDF_CLUSTER_DIR="$UDF_TEST_CLUSTER_DIR" UDF_PORT="${UDF_TEST_PORT:-56210}" PGBIN="$PGBIN" \
  node bin/udf.mjs cluster stop >/dev/null 2>&1); }
cli_stop; rm -rf "$UDF_TEST_CLUSTER_DIR" cli/.scratch
out=$(cd cli && env -u PGHOST -u PGPORT PGBIN="$PGBIN" node --test --test-concurrency=1 test/*.test.mjs 2>&1); rc=$?
cli_stop
echo "$out" | grep -E "^(ok|not ok) " | sed 's/^/  /'
echo "$out" | grep -E "^# (tests|pass|fail)"
p=$(echo "$out" | awk '/^# pass/ {print $3}'); f=$(echo "$out" | awk '/^# fail/ {print $3}')
[ "$rc" != 0 ] && { [ "${f:-0}" = 0 ] && f=1; echo "$out" | grep -vE "^ +at " | grep -A25 "^not ok" | cut -c1-400 | head -120;
  echo "$out" | grep -vE "^ +at " | grep -A15 -E "^ *not ok " | remember "udf CLI"; }
count "${p:-0}" "${f:-0}"

# 3. pg_regress
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
[ "$nfail" != 0 ] && { grep -E "^(test|     ) +[^ ]+ +\.\.\. " "$log" | grep -v " ok " ; [ -f regression.diffs ] && head -30 regression.diffs; } | remember "pg_regress"
count $((total - nfail)) "$nfail"
grep -q "terminated by signal" "$PGDATA_DIR/server.log" && {
  echo "!! a backend crashed during pg_regress:"; grep -B2 -A2 "terminated by signal" "$PGDATA_DIR/server.log"; count 0 1; }
cluster_stop regress; trap - EXIT

# 4. TAP tests
if ls regress/t/*.pl >/dev/null 2>&1; then
  echo "== TAP (prove)"
  pgxs_dir=$(dirname "$(pg_config --pgxs)")/..
  tapdir=$top/.run/tap
  rm -rf "$tapdir"; mkdir -p "$tapdir"
  [ "$(id -u)" = 0 ] && chown postgres "$tapdir"
  chmod -R a+rX "$top/regress"
  # one line per test file as it finishes; the details only of what failed
  # (the whole verbose output is in .run/tap.log)
  : >"$top/.run/tap.log"
  for t in "$top"/regress/t/*.pl; do
    start=$(date +%s)
    out=$(cd "$tapdir" && as_pg env PATH="$PGBIN:$PATH" TESTDIR="$tapdir" PG_REGRESS="$pgxs_dir/test/regress/pg_regress" \
          PERL5LIB="$pgxs_dir/test/perl" prove -v "$t" 2>&1); rc=$?
    echo "$out" >>"$top/.run/tap.log"
    p=$(echo "$out" | grep -cE "^ok "); f=$(echo "$out" | grep -cE "^not ok ")
    [ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
    echo "  $(basename "$t"): $p passed, $f failed ($(( $(date +%s) - start )) s)"
    if [ "$f" != 0 ]; then
      echo "$out" | grep -A12 -E "^not ok " | sed 's/^/    /' | head -60
      [ "$(echo "$out" | grep -cE "^not ok ")" = 0 ] && echo "$out" | tail -20 | sed 's/^/    /'
      { echo "$out" | grep -A12 -E "^not ok " | head -30; echo "$out" | tail -8; } | remember "TAP $(basename "$t")"
    fi
    count "$p" "$f"
  done
fi

# 5. the Debian package (its own header and one line per check; one to two minutes)
scripts/deb-test.sh 2>&1 | tee "$top/.run/deb-test.log" | grep -v "^deb: "
rc=${PIPESTATUS[0]}
p=$(awk '/^deb: [0-9]+ passed/ {print $2}' "$top/.run/deb-test.log"); f=$(awk '/^deb: [0-9]+ passed/ {print $4}' "$top/.run/deb-test.log")
[ "$rc" != 0 ] && [ "${f:-0}" = 0 ] && f=1
echo "  Debian package: ${p:-0} passed, ${f:-0} failed"
[ "${f:-0}" != 0 ] && grep -E "not ok|FAIL" "$top/.run/deb-test.log" | remember "Debian package"
count "${p:-0}" "${f:-0}"

[ -n "$recap" ] && { echo "== what failed (again, in short)"; printf '%s' "$recap"; }
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

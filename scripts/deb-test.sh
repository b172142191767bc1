#!/usr/bin/env bash
# deb-test.sh -- the Debian package, built and installed as a Debian 12 user would.
#
# 1. scripts/deb-build.sh builds postgresql-15-udf with dpkg-buildpackage, and
#    the .deb is checked: udf.so has no rpath and needs libnode.so.108, no
#    libnode is shipped, and it depends on libnode108 and postgresql-15.
# 2. debootstrap makes a clean Debian 12 (bookworm, minbase) root from the
#    mirror apt uses here; its apt gets bookworm, -updates and -security as a
#    Debian 12 system has them, and `apt-get install ./postgresql-15-udf_*.deb`
#    must pull postgresql-15, libnode108 and the libraries from Debian by the
#    package's own Depends. Nothing but minbase is included beforehand (an
#    --include of the dependencies would hide a missing Depends), and no
#    cluster is made by postgresql-common nor started by invoke-rc.d.
# 3. In the root, as postgres: initdb and pg_ctl make a cluster that listens on
#    a socket only (no port to share with the host), then CREATE EXTENSION udf,
#    udf_deploy of a small module, and udf_invoke of its query and mutations,
#    whose answers are compared; the backend must have mapped
#    /usr/lib/x86_64-linux-gnu/libnode.so.108 (libnode108's) and run from the
#    build's startup snapshot. Then the installed udf.so's snapshot is made to
#    carry another V8 version (as after a libnode108 update with another V8
#    build): calls must still work, without the snapshot, and no backend crash.
#
# It prints one line per check and ends with "deb: N passed, N failed". When the
# mirror cannot be reached it says so and ends "deb: 0 passed, 0 failed" (skipped);
# any other failure counts. The root, its mounts and its server are removed on
# every exit (trap). UDF_DEB_MIRROR / UDF_DEB_SECURITY_MIRROR override the mirrors.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/.run/deb
root=$out/root
passed=0; failed=0
say() { echo "deb-test.sh: $*"; }
# check NAME OK(0/1) [DETAIL]: one counted line
check() {
  if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "  ok   $1"
  else failed=$((failed + 1)); echo "  FAIL $1${3:+: $3}"; fi
}
began=$(date +%s)
finish() {
  say "$(( $(date +%s) - began )) s in all"
  echo "deb: $passed passed, $failed failed"; exit $([ "$failed" = 0 ] && echo 0 || echo 1)
}

# The first URI apt has here for a suite, from one-line .list or deb822 .sources files.
apt_uri() {
  local f
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] && awk -v s="$1" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] && awk -v s="$1" 'BEGIN { RS = "" } { u = ""; t = ""; q = ""; n = split($0, L, "\n")
        for (j = 1; j <= n; j++) {
          if (L[j] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", L[j]); u = L[j] }
          if (L[j] ~ /^Types:/) t = " " L[j] " "
          if (L[j] ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", L[j]); q = " " L[j] " " } }
        if (index(q, " " s " ") && index(t, " deb ")) { split(u, U, " "); print U[1]; exit } }' "$f"
    done
  } 2>/dev/null | head -1
}

# Run a command in the root, with a clean environment.
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
# Run a command in the root as its postgres user.
as_pg_root() { in_root runuser -u postgres -- "$@"; }

# Stop the root's server, unmount what was mounted in it, remove it.
cleanup() {
  local pidfile=$root/tmp/pgdata/postmaster.pid pid m
  if [ -f "$pidfile" ]; then
    pid=$(head -1 "$pidfile")
    chroot "$root" runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdata -m immediate -w stop >/dev/null 2>&1 ||
      { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; }
  fi
  for m in dev/shm proc; do
    mountpoint -q "$root/$m" 2>/dev/null && { umount "$root/$m" 2>/dev/null || umount -l "$root/$m"; }
  done
  # never remove through a mount that is still there
  if [ -d "$root" ] && ! findmnt -rn -o TARGET | grep -q "^$root/"; then rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
cleanup

# 1. the package
echo "== Debian package (dpkg-buildpackage, then installed in a debootstrap'd Debian 12)"
start=$(date +%s)
if ! "$top/scripts/deb-build.sh" "$out"; then check "dpkg-buildpackage builds postgresql-15-udf" 1; finish; fi
deb=$(ls "$out"/postgresql-15-udf_*_amd64.deb)
check "dpkg-buildpackage builds postgresql-15-udf ($(( $(date +%s) - start )) s)" 0
files=$(dpkg-deb -c "$deb" | awk '{print $NF}')
echo "$files" | grep -qx './usr/lib/postgresql/15/lib/udf.so' && ! echo "$files" | grep -q libnode
check "the package holds udf.so and no libnode" $? "$(echo "$files" | grep -E 'udf.so|libnode' | tr '\n' ' ')"
x=$out/unpacked; rm -rf "$x"; dpkg-deb -x "$deb" "$x"
dyn=$(objdump -p "$x/usr/lib/postgresql/15/lib/udf.so" | grep -E 'NEEDED|RPATH|RUNPATH'); rm -rf "$x"
echo "$dyn" | grep -q 'NEEDED *libnode\.so\.108$' && ! echo "$dyn" | grep -qE 'RPATH|RUNPATH'
check "udf.so needs libnode.so.108 and has no rpath" $? "$(echo "$dyn" | tr -s ' \n' ' ')"
depends=$(dpkg-deb -f "$deb" Depends)
echo "$depends" | grep -qE '(^|, )libnode108 \(>= 18\.' && echo "$depends" | grep -qE '(^|, )postgresql-15 \(>= 15\.[0-9]+\)'
check "Depends: $depends" $?

# 2. a clean Debian 12 with the package installed from its .deb
[ "$(id -u)" = 0 ] || { check "running as root (debootstrap, mount and chroot need it)" 1; finish; }
mirror=${UDF_DEB_MIRROR:-$(apt_uri bookworm)}; mirror=${mirror:-http://deb.debian.org/debian}
security=${UDF_DEB_SECURITY_MIRROR:-$(apt_uri bookworm-security)}; security=${security:-http://deb.debian.org/debian-security}
if ! curl -fsS -m 20 -o /dev/null "$mirror/dists/bookworm/InRelease" 2>"$out/mirror.err"; then
  say "skipped the install in Debian 12: debootstrap cannot reach the mirror $mirror ($(head -1 "$out/mirror.err"))"
  finish
fi
command -v debootstrap >/dev/null || { check "debootstrap is installed (scripts/deps.sh installs it)" 1; finish; }
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1
rc=$?
check "debootstrap --variant=minbase bookworm from $mirror ($(( $(date +%s) - start )) s)" $rc "$(tail -3 "$out/debootstrap.log" | tr '\n' ' ')"
[ "$rc" = 0 ] || finish

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
printf '#!/bin/sh\n# no services start in this root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.d/no-main.conf"
mount -t proc proc "$root/proc" && mount -t tmpfs -o mode=1777 shm "$root/dev/shm" ||
  { check "mount /proc and /dev/shm in the root" 1; finish; }
cp "$deb" "$root/tmp/"
start=$(date +%s)
{ in_root apt-get update -q && in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")"; } >"$out/apt.log" 2>&1
rc=$?
check "apt-get install ./$(basename "$deb") in the root ($(( $(date +%s) - start )) s, $(grep -oE '^[0-9]+ upgraded, [0-9]+ newly installed' "$out/apt.log" | sed 's/.*, //'))" \
  $rc "$(tail -5 "$out/apt.log" | tr '\n' ' ')"
[ "$rc" = 0 ] || finish
pulled=$(in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' libnode108 postgresql-15 2>&1)
[ "$(echo "$pulled" | grep -c ' install ok installed$')" = 2 ]
check "it pulled $(echo "$pulled" | awk '{print $1, $2}' | paste -sd, - | sed 's/,/, /')" $? "$pulled"
ldd=$(in_root ldd /usr/lib/postgresql/15/lib/udf.so 2>&1)
lib=$(echo "$ldd" | awk '$1 == "libnode.so.108" {print $3}')
[ -n "$lib" ] && [ "$(in_root readlink -f "$lib")" = /usr/lib/x86_64-linux-gnu/libnode.so.108 ] && ! echo "$ldd" | grep -q "not found"
check "udf.so resolves libnode.so.108 to /usr/lib/x86_64-linux-gnu/libnode.so.108" $? "$(echo "$ldd" | grep -E 'node|not found' | tr -s ' \n\t' ' ')"

# 3. a fresh cluster in the root
mkdir -p "$root/tmp/sock"; in_root chown postgres /tmp/sock
as_pg_root /usr/lib/postgresql/15/bin/initdb -D /tmp/pgdata -A trust -U postgres >"$out/initdb.log" 2>&1 &&
  as_pg_root /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pgdata -l /tmp/pgdata/server.log -w -t 60 \
    -o "-c listen_addresses= -k /tmp/sock" start >>"$out/initdb.log" 2>&1
rc=$?
check "initdb and pg_ctl start a cluster in the root" $rc "$(tail -3 "$out/initdb.log" | tr '\n' ' ')"
[ "$rc" = 0 ] || finish
cat >"$root/tmp/udf-test.sql" <<'EOF'
\set ON_ERROR_STOP 1
CREATE EXTENSION udf;
SELECT jsonb_array_length(udf_deploy($app${
  "notes.js": "import { query, mutation } from './_generated/server';\nimport { v } from 'convex/values';\nexport const add = mutation({ args: { text: v.string() }, handler: async (ctx, { text }) => { await ctx.db.insert('notes', { text }); return text.length; } });\nexport const list = query({ args: {}, handler: async (ctx) => (await ctx.db.query('notes').collect()).map((n) => n.text).join(',') });\nexport const sum = query({ args: { a: v.number(), b: v.number() }, handler: async (ctx, { a, b }) => a + b });"
}$app$)->'functions');
SELECT udf_invoke('notes:sum', '{"a": 40, "b": 2}');
SELECT udf_invoke('notes:add', '{"text": "hello"}');
SELECT udf_invoke('notes:add', '{"text": "debian"}');
SELECT udf_invoke('notes:list');
SELECT udf_info()->'snapshot'->>'in_use';
SELECT DISTINCT regexp_replace(l, '^.* ', '') FROM regexp_split_to_table(pg_read_file('/proc/self/maps'), E'\n') AS l
 WHERE l LIKE '%libnode%';
EOF
got=$(as_pg_root psql -X -q -At -h /tmp/sock -d postgres -f /tmp/udf-test.sql 2>&1)
rc=$?
want='3
42
5
6
"hello,debian"
true
/usr/lib/x86_64-linux-gnu/libnode.so.108'
first=$(echo "$got" | head -1)
[ "$rc" = 0 ] && [ "$first" = 3 ]
check "CREATE EXTENSION udf, then udf_deploy of a module with 3 functions" $? "$(echo "$got" | head -3 | tr '\n' ' ')"
[ "$rc" = 0 ] && [ "$(echo "$got" | sed -n 2,5p)" = "$(echo "$want" | sed -n 2,5p)" ]
check "udf_invoke: a query's answer, two ctx.db inserts and the query that reads them back" $? "$(echo "$got" | sed -n 2,5p | tr '\n' ' ')"
[ "$rc" = 0 ] && [ "$(echo "$got" | sed -n 6p)" = true ]
check "the backend runs from the build's startup snapshot" $? "in_use: $(echo "$got" | sed -n 6p)"
[ "$rc" = 0 ] && [ "$(echo "$got" | sed -n '7,$p')" = /usr/lib/x86_64-linux-gnu/libnode.so.108 ]
check "the backend mapped libnode108's /usr/lib/x86_64-linux-gnu/libnode.so.108" $? "$(echo "$got" | sed -n '7,$p' | tr '\n' ' ')"
# libnode108 updated under the package to another V8 build: V8 aborts on a
# snapshot of another version, so udf must start without it. The root's udf.so
# gets its snapshot's V8 version string changed by one digit (the one place
# udf.so has it), as a new libnode would see it.
lib=$root/usr/lib/postgresql/15/lib/udf.so
perl -0777 -e 'binmode STDIN; binmode STDOUT; local $_ = <STDIN>; my $n = () = /\d+\.\d+\.\d+\.\d+-node\.\d+\0/g;
  die "the V8 version string is in udf.so $n times, not once\n" unless $n == 1;
  s/(\d+\.\d+\.\d+\.\d+-node\.\d*)(\d)\0/$1 . (($2 + 1) % 10) . "\0"/e; print' <"$lib" >"$lib.new" 2>"$out/patch.err" &&
  chmod 644 "$lib.new" && mv "$lib.new" "$lib"
rc=$?
check "udf.so's snapshot made to look as if another V8 built it" $rc "$(cat "$out/patch.err")"
if [ "$rc" = 0 ]; then
  got=$(as_pg_root psql -X -q -At -h /tmp/sock -d postgres \
    -c "SELECT udf_invoke('notes:sum', '{\"a\": 1, \"b\": 2}'), udf_info()->'snapshot'->>'in_use'" 2>&1)
  [ "$got" = "3|false" ] && grep -q "udf: the startup snapshot in udf.so was made by another V8" "$root/tmp/pgdata/server.log"
  check "with a snapshot of another V8, calls still work without it (and the log says why)" $? "$got"
fi
if grep -q "terminated by signal" "$root/tmp/pgdata/server.log"; then
  check "no backend crashed" 1 "$(grep -A2 "terminated by signal" "$root/tmp/pgdata/server.log" | tr '\n' ' ')"
fi
finish

#!/usr/bin/env bash
# deb-build.sh [OUTDIR] -- build the Debian package postgresql-15-udf from this
# checkout, into OUTDIR (default .run/deb).
#
# dpkg-buildpackage cleans the tree it builds in and writes its results beside
# it, so the build runs in a copy (OUTDIR/src: the files git tracks or would
# track, as they are in the work tree) and leaves the .deb files in OUTDIR; the
# checkout's own build is not touched. The copy shares the checkout's
# udf-runtime/node_modules (the npm packages the runtime bundle is made from)
# and .deps (V8's headers), which scripts/deps.sh puts there.
#
# libnode-dev is a build dependency that cannot be installed beside the
# machine's Node.js 20, so the build uses the profile
# pkg.postgresql-udf.unpacked-libnode: V8's headers and the libnode108
# dependency come from the libnode108/libnode-dev that deps.sh unpacked into
# .deps (debian/README.source). Every other build dependency is checked.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/.run/deb}" && cd "${1:-$top/.run/deb}" && pwd)
say() { echo "deb-build.sh: $*"; }

[ -f "$top/.deps/libnode/usr/include/node/v8.h" ] && [ -d "$top/udf-runtime/node_modules" ] || {
  say "run scripts/deps.sh (make deps) first: it unpacks V8's headers into .deps and runs npm ci" >&2; exit 1; }
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || {
  say "dpkg-buildpackage and debhelper are needed (apt-get install dpkg-dev debhelper; deps.sh installs them)" >&2; exit 1; }

src=$out/src
rm -rf "$src" "$out"/postgresql-15-udf*.deb "$out"/postgresql-udf_*
mkdir -p "$src"
# the work tree's version of every file git knows or would add (not its build
# products); outside a git checkout, the tree less what is never part of a build
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$top" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
     [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -C "$src" -xf -
else
  (cd "$top" && tar --exclude=./.git --exclude=./.run --exclude=./.deps --exclude=node_modules -cf - .) | tar -C "$src" -xf -
fi
ln -sfn "$top/udf-runtime/node_modules" "$src/udf-runtime/node_modules"
ln -sfn "$(readlink -f "$top/.deps")" "$src/.deps"

say "dpkg-buildpackage -b -us -uc --build-profiles=pkg.postgresql-udf.unpacked-libnode (a full build, about half a minute)"
start=$(date +%s)
(cd "$src" && dpkg-buildpackage -b -us -uc --build-profiles=pkg.postgresql-udf.unpacked-libnode -j"$(nproc)") >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2; say "dpkg-buildpackage failed (whole log: $out/build.log)" >&2; exit 1; }
rm -rf "$src"
deb=$(ls "$out"/postgresql-15-udf_*.deb)
say "built $(basename "$deb") in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# deps.sh -- install everything udf needs to build and test, idempotently.
#
# Debian packages: PostgreSQL 15 (server, PGXS headers), jansson, libmicrohttpd (the HTTP
# endpoint) and curl (its tests), build tools, debhelper and debootstrap (building the
# Debian package and installing it in a Debian 12 root, scripts/deb-test.sh), the Perl
# modules TAP tests use, and the shared libraries libnode108 links against.
# V8 itself comes from Debian's libnode108/libnode-dev, which cannot be apt-installed
# beside the machine's Node.js 20, so their .deb files are fetched with `apt-get download`
# and unpacked into .deps/ (ignored by git). The version pinned below is tried first;
# when the archive no longer has it (a security update replaced it), the candidate
# version apt offers is used, and what is checked is the V8 version the build needs
# (V8_WANTED, read from the unpacked v8-version.h), not the package's.
# Node.js 20+ and npm install the pinned `convex` package, the web polyfills the runtime
# bundles (whatwg-url, web-streams-polyfill) and esbuild for bundling the runtime, and the CLI's packages; `npm ci` runs again whenever a package-lock.json
# changes. Nothing of Node runs in PostgreSQL. Every step that can take a while says so.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps=$top/.deps
LIBNODE_VERSION=${LIBNODE_VERSION:-18.20.4+dfsg-1~deb12u3}
V8_WANTED=10.2

say() { echo "deps.sh: $*"; }

pkgs=(postgresql-15 postgresql-server-dev-15 postgresql-contrib libjansson-dev libcurl4-openssl-dev libssl-dev build-essential
      libipc-run-perl libmicrohttpd-dev curl debhelper debootstrap libbrotli1 libc-ares2 libicu72 libnghttp2-14 libssl3 libuv1 zlib1g)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages: ${missing[*]}" >&2
    say "run this script as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get update (package lists)"
  apt-get update -qq
  say "apt-get install ${missing[*]} (this can take a few minutes)"
  start=$(date +%s)
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "installed ${#missing[@]} packages in $(( $(date +%s) - start )) s"
fi

# The V8 version of the unpacked headers, as MAJOR.MINOR (empty when absent).
v8_version() {
  awk '/#define V8_MAJOR_VERSION/ {M=$3} /#define V8_MINOR_VERSION/ {m=$3} END {if (M != "") print M "." m}' \
    "$1/usr/include/node/v8-version.h" 2>/dev/null || true
}

# apt-get download libnode108 + libnode-dev of one version into the current folder.
download_libnode() {
  apt-get download "libnode108=$1" "libnode-dev=$1" >/dev/null 2>&1
}

# libnode108 + libnode-dev unpacked under .deps/libnode (headers + libnode.so.108)
if [ ! -f "$deps/libnode/usr/lib/x86_64-linux-gnu/libnode.so.108" ] || \
   [ "$(v8_version "$deps/libnode")" != "$V8_WANTED" ]; then
  rm -rf "$deps/libnode" "$deps/debs"
  mkdir -p "$deps/debs" "$deps/libnode"
  version=$LIBNODE_VERSION
  say "fetching libnode108 $version (about 15 MB)"
  cd "$deps/debs"
  if ! download_libnode "$version"; then
    # the package lists may be stale or missing on a fresh machine
    if [ "$(id -u)" = 0 ]; then say "apt-get update (package lists)"; apt-get update -qq; fi
    if ! download_libnode "$version"; then
      candidate=$(apt-cache policy libnode108 2>/dev/null | awk '/Candidate:/ {print $2}')
      if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
        say "libnode108 $version is not in the archive and apt offers no other version" >&2
        say "check /etc/apt/sources.list for bookworm and bookworm-security, or set LIBNODE_VERSION" >&2
        exit 1
      fi
      say "libnode108 $version is gone from the archive; using the candidate $candidate"
      version=$candidate
      download_libnode "$version" || { say "apt-get download libnode108=$version failed" >&2; exit 1; }
    fi
  fi
  cd "$top"
  for deb in "$deps"/debs/*.deb; do dpkg-deb -x "$deb" "$deps/libnode"; done
  got=$(v8_version "$deps/libnode")
  if [ "$got" != "$V8_WANTED" ]; then
    say "libnode108 $version carries V8 ${got:-?}, but udf is built against V8 $V8_WANTED" >&2
    say "set LIBNODE_VERSION to a libnode108 with V8 $V8_WANTED (Debian 12's 18.x line)" >&2
    rm -rf "$deps/libnode"
    exit 1
  fi
  echo "$version" >"$deps/libnode/.version"
  say "libnode108 $version unpacked (V8 $got)"
fi

# Node.js 20+ and npm, needed at build time only
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "Node.js 20 (or later) and npm are needed to build udf and to run its CLI, and were not found" >&2
  say "use the machine's Node.js 20, nodejs.org's or NodeSource's Node.js 20 packages, or the npm" >&2
  say "registry's node package (npm install -g node@20); Debian 12's own nodejs is 18, too old" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  say "Node.js $(node --version) at $(command -v node) is too old: udf needs Node.js 20 or later" >&2
  say "use nodejs.org's or NodeSource's Node.js 20 packages, or npm install -g node@20" >&2
  exit 1
fi

# npm ci in a folder unless its node_modules already matches its package-lock.json
npm_ci() {
  if ! node "$top/scripts/npm-current.mjs" "$1"; then
    say "npm ci in ${1#$top/} (packages from the npm registry)"
    start=$(date +%s)
    ( cd "$1" && npm ci --loglevel=error --no-audit --no-fund >/dev/null )
    say "npm ci in ${1#$top/}: $(( $(date +%s) - start )) s"
  fi
}
npm_ci "$top/udf-runtime"  # the pinned convex package and esbuild, for the runtime bundle
npm_ci "$top/cli"          # the CLI: esbuild, pg, typescript, the convex types
say "ok"

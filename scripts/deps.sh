#!/usr/bin/env bash
# deps.sh -- install everything udf needs to build and test, idempotently.
#
# Debian packages: PostgreSQL 15 (server, PGXS headers), jansson, libmicrohttpd (the HTTP
# endpoint) and curl (its tests), build tools, the Perl
# modules TAP tests use, and the shared libraries libnode108 links against.
# V8 itself comes from Debian's libnode108/libnode-dev, which cannot be apt-installed
# beside the machine's Node.js 20, so their .deb files are fetched with `apt-get download`
# and unpacked into .deps/ (ignored by git). Node.js 20 + npm install the pinned `convex`
# package and esbuild for bundling the runtime; nothing of Node runs in PostgreSQL.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps=$top/.deps
LIBNODE_VERSION=${LIBNODE_VERSION:-18.20.4+dfsg-1~deb12u3}

pkgs=(postgresql-15 postgresql-server-dev-15 postgresql-contrib libjansson-dev build-essential
      libipc-run-perl libmicrohttpd-dev curl libbrotli1 libc-ares2 libicu72 libnghttp2-14 libssl3 libuv1 zlib1g)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
    echo "deps.sh: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libnode108 + libnode-dev unpacked under .deps/libnode (headers + libnode.so.108)
if [ ! -f "$deps/libnode/usr/lib/x86_64-linux-gnu/libnode.so.108" ] || \
   [ ! -f "$deps/libnode/usr/include/node/v8.h" ] || \
   [ "$(cat "$deps/libnode/.version" 2>/dev/null)" != "$LIBNODE_VERSION" ]; then
  echo "deps.sh: fetching libnode108 $LIBNODE_VERSION"
  rm -rf "$deps/libnode" "$deps/debs"
  mkdir -p "$deps/debs" "$deps/libnode"
  ( cd "$deps/debs"
    if ! apt-get download "libnode108=$LIBNODE_VERSION" "libnode-dev=$LIBNODE_VERSION" >/dev/null 2>&1; then
      # the package lists may be stale or missing on a fresh machine
      [ "$(id -u)" = 0 ] && apt-get update -qq
      apt-get download "libnode108=$LIBNODE_VERSION" "libnode-dev=$LIBNODE_VERSION" >/dev/null
    fi )
  for deb in "$deps"/debs/*.deb; do dpkg-deb -x "$deb" "$deps/libnode"; done
  echo "$LIBNODE_VERSION" >"$deps/libnode/.version"
fi

# the pinned convex package and esbuild, for bundling the runtime at build time
if [ ! -f "$top/udf-runtime/node_modules/convex/package.json" ] || \
   [ ! -x "$top/udf-runtime/node_modules/.bin/esbuild" ]; then
  command -v npm >/dev/null || { echo "deps.sh: npm (Node.js 20) is required at build time" >&2; exit 1; }
  echo "deps.sh: npm install in udf-runtime"
  ( cd "$top/udf-runtime" && npm ci --loglevel=error )
fi
echo "deps.sh: ok"

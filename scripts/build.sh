#!/usr/bin/env bash
# build.sh -- deps, build and install udf into the local PostgreSQL 15 (needs root
# for the install step, as any PGXS `make install` into system directories does).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
start=$(date +%s%N)
make -s -j"$(nproc)" >/dev/null
echo "build: $(( ($(date +%s%N) - start) / 1000000 )) ms"
if [ -w "$(pg_config --pkglibdir)" ]; then
  make -s install >/dev/null
else
  echo "build.sh: $(pg_config --pkglibdir) is not writable; run as root (or sudo make install)" >&2
  exit 1
fi

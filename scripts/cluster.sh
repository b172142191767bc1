# cluster.sh -- sourced by demo.sh, test.sh and bench.sh: a throwaway PostgreSQL 15
# cluster under .run/<name>, owned by an unprivileged user (PostgreSQL refuses
# root), on a free port, with udf preloadable.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# run a command as the cluster's owner
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# first free TCP port from $1 upwards
free_port() {
  local p=$1
  while (echo >/dev/tcp/127.0.0.1/"$p") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$p" ]; do p=$((p + 1)); done
  echo "$p"
}

# cluster_start NAME [extra postgresql.conf lines] -> sets PGDATA_DIR, PGPORT, PGHOST
cluster_start() {
  local name=$1 extra=${2:-}
  local top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  PGDATA_DIR=$top/.run/$name
  PGHOST=$top/.run/sock-$name
  PGPORT=$(free_port "${PORT_BASE:-54400}")
  export PGHOST PGPORT PGDATA_DIR
  cluster_stop "$name" 2>/dev/null || true
  rm -rf "$PGDATA_DIR" "$PGHOST"
  mkdir -p "$PGDATA_DIR" "$PGHOST"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGDATA_DIR" "$PGHOST"
    chmod 755 "$top/.run"
    # the postgres user must reach the run folder
    local d=$top; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
  fi
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$PGDATA_DIR/postgresql.conf" <<CONF
port = $PGPORT
listen_addresses = ''
unix_socket_directories = '$PGHOST'
fsync = off
synchronous_commit = off
$extra
CONF
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w start >/dev/null
}

cluster_stop() {
  local top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local dir=$top/.run/$1
  [ -f "$dir/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  return 0
}

psql_pg() {
  "$PGBIN/psql" -X -q -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 "$@"
}

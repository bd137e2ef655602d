# Sourced by the bench scripts: starts a throwaway PostgreSQL and stops it on exit.
#
#   . "$root/bench/lib/cluster.sh"; start_cluster DEFAULT_PORT
#
# Binaries from PGBIN (default /usr/lib/postgresql/15/bin); port PORT, else DEFAULT_PORT or the
# next free one; a temporary directory holding the data directory, the socket and server.log; as
# root the server runs as user postgres. max_locks_per_transaction=1024 as bench/apply (2,000
# tables in one transaction need it), fsync off. Sets pgbin, port, work and as_pg, and creates the
# database `bench`.
start_cluster() {
  pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
  port=${PORT:-$1}
  while "$pgbin/pg_isready" -q -h localhost -p "$port" >/dev/null 2>&1 || [ $? -ne 2 ]; do
    port=$((port + 1)) # taken: try the next one
  done
  work=$(mktemp -d)
  as_pg=""
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$work"
    as_pg="runuser -u postgres --"
  fi
  trap stop_cluster EXIT INT TERM
  $as_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
  $as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
    -o "-p $port -k $work -c max_locks_per_transaction=1024 -c fsync=off -c synchronous_commit=off" start >/dev/null
  "$pgbin/psql" -X -q -h localhost -p "$port" -U postgres -d postgres -c "create database bench"
}

stop_cluster() {
  $as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

#!/bin/sh
# Lock-plan recording benchmark: P1's rehearsal of the 10,000-statement workload (b of
# bench/apply) with and without measuring the lock plan, alternating, median of ROUNDS (default 3).
#
#   bench/lockplan.sh [ROUNDS] [UNITS]
#
# The measuring code is the test class dev.cutter.core.lock.LockPlanBench (tagged bench, skipped
# unless -Dcutter.bench.port is given), run through Maven offline against the throwaway server.
#
# Starts a throwaway PostgreSQL from PGBIN (default /usr/lib/postgresql/15/bin) on PORT (default
# 54339, or the next free one) in a temporary directory, with max_locks_per_transaction=1024 as
# bench/apply (2,000 tables in one transaction need it); as root it runs the server as postgres.
set -eu
rounds=${1:-3}
units=${2:-2000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
port=${PORT:-54339}
while "$pgbin/pg_isready" -q -h localhost -p "$port" >/dev/null 2>&1 || [ $? -ne 2 ]; do
  port=$((port + 1))
done
work=$(mktemp -d)
as_pg=""
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  as_pg="runuser -u postgres --"
fi
stop() {
  $as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT INT TERM
$as_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust >/dev/null
$as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c max_locks_per_transaction=1024 -c fsync=off -c synchronous_commit=off" start >/dev/null
"$pgbin/psql" -X -q -h localhost -p "$port" -U postgres -d postgres -c "create database bench"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$root"
mvn -B -o -q -pl core -am test -Dtest=LockPlanBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcutter.bench.port="$port" -Dcutter.bench.rounds="$rounds" -Dcutter.bench.units="$units" \
  -Dsurefire.printSummary=false | grep -E '(round [0-9]|plan:|statements, median)' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

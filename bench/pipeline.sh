#!/bin/sh
# Pipelined apply benchmark (issue 14): the transactional apply step alone, one statement at a
# time against pipelined, alternating, median of ROUNDS (default 5), on workloads b (10,000
# statements over 2,000 tables) and c (600 PL/pgSQL functions) of bench/apply. DELAY_MS (default
# 0) puts a proxy in the path that delays every chunk that many ms each way (a network hop).
#
#   bench/pipeline.sh [ROUNDS] [DELAY_MS] [WORKLOADS]
#
# The measuring code is the test class dev.cutter.core.exec.PipelineBench (tagged bench, skipped
# unless -Dcutter.bench.port is given), run through Maven offline against a throwaway server from
# PGBIN (default /usr/lib/postgresql/15/bin) with max_locks_per_transaction=1024 as bench/apply.
set -eu
rounds=${1:-5}
delay=${2:-0}
workloads=${3:-bc}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
port=${PORT:-54439}
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
mvn -B -o -q -pl core -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcutter.bench.port="$port" -Dcutter.bench.rounds="$rounds" -Dcutter.bench.delayMs="$delay" \
  -Dcutter.bench.workloads="$workloads" -Dsurefire.printSummary=false | grep -E 'workload [bc]' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

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
. "$root/bench/lib/cluster.sh"
start_cluster 54339
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$root"
mvn -B -o -q -pl core -am test -Dtest=LockPlanBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcutter.bench.port="$port" -Dcutter.bench.rounds="$rounds" -Dcutter.bench.units="$units" \
  -Dsurefire.printSummary=false | grep -E '(round [0-9]|plan:|statements, median)' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

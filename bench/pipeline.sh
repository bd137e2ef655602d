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
. "$root/bench/lib/cluster.sh"
start_cluster 54439
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
cd "$root"
mvn -B -o -q -pl core -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcutter.bench.port="$port" -Dcutter.bench.rounds="$rounds" -Dcutter.bench.delayMs="$delay" \
  -Dcutter.bench.workloads="$workloads" -Dsurefire.printSummary=false | grep -E 'workload [bc]' || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

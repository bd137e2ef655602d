#!/bin/sh
# Times `cutter sql split` on a generated 10,000-statement DDL file against plain JVM start-up.
# Usage: bench/split-cli.sh [RUNS]   (builds cli/target/cutter.jar and bench/target/benchmarks.jar if missing)
set -eu
runs=${1:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -f cli/target/cutter.jar ] || [ ! -f bench/target/benchmarks.jar ]; then
  mvn -q -B -DskipTests -Pbench -pl cli,bench -am package
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/ddl-10k.sql
java -cp bench/target/benchmarks.jar dev.cutter.bench.DdlScript 10000 "$file"

# the JVM options bin/cutter uses, so "JVM start" is measured on equal terms
opts=${CUTTER_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto}

# best wall-clock time of $runs runs of a command, in milliseconds
best_ms() {
  best=""
  i=0
  while [ "$i" -lt "$runs" ]; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    i=$((i + 1))
  done
  echo "$best"
}

statements=$(bin/cutter sql split --json "$file" | grep -c '"index"')
bytes=$(wc -c < "$file")
jvm=$(best_ms java $opts -version)
version=$(best_ms bin/cutter --version)
split=$(best_ms bin/cutter sql split "$file")
json=$(best_ms bin/cutter sql split --json "$file")

echo "file: $statements statements, $bytes bytes; best of $runs runs (ms)"
echo "java -version (JVM start):        $jvm"
echo "cutter --version (JVM + picocli): $version"
echo "cutter sql split FILE:            $split   (beyond JVM start: $((split - jvm)))"
echo "cutter sql split --json FILE:     $json   (beyond JVM start: $((json - jvm)))"

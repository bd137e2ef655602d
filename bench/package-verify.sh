#!/bin/sh
# Times `cutter package verify` on a package with three signatures and a 50 MiB artifact
# against its floor: `sha256sum` of the same artifact plus the start of the JVM
# (`cutter --version`). Prints the median of RUNS runs of each, in milliseconds.
#
# Three JVM configurations are measured: the launcher's default options (C1 only), full tiered
# compilation (C2 compiles the digest loop to the SHA-NI intrinsic), and full tiered compilation
# with an application class-data archive (AppCDS) made by one verify run.
#
#   mvn -q -B -DskipTests -pl cli -am package     # builds cli/target/cutter.jar
#   bench/package-verify.sh
#   RUNS=15 SIZE_MB=200 bench/package-verify.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cutter="$here/bin/cutter"
runs=${RUNS:-9}
size_mb=${SIZE_MB:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# time_runs CMD...: runs the command $runs times after one warm-up; prints "WALL_MS CPU_MS RSS_MB" medians
# (CPU = user + system time: on a shared machine it is steadier than the wall clock)
time_runs() {
  "$@" >/dev/null 2>&1 || true
  samples="$work/samples"
  : > "$samples"
  i=0
  while [ "$i" -lt "$runs" ]; do
    /usr/bin/time -a -o "$samples" -f "%e %U %S %M" "$@" >/dev/null 2>&1 || true
    i=$((i + 1))
  done
  wall=$(awk '{ print int($1 * 1000) }' "$samples" | median)
  cpu=$(awk '{ print int(($2 + $3) * 1000) }' "$samples" | median)
  rss=$(awk '{ print int($4 / 1024) }' "$samples" | median)
  echo "$wall $cpu $rss"
}

pkg="$work/pkg"
mkdir -p "$pkg/ddl"
# a realistic large artifact: one INSERT per line, whole statements, about SIZE_MB MiB
head -c $((size_mb * 800 * 1024)) /dev/urandom | base64 -w 60 \
  | awk -v max=$((size_mb * 1024 * 1024)) '{ line = sprintf("insert into bench.t values (%d, \047%s\047);", NR, $0)
      n += length(line) + 1; print line; if (n >= max) exit }' > "$pkg/ddl/change.sql"
sha=$(sha256sum "$pkg/ddl/change.sql" | cut -d' ' -f1)
cat > "$pkg/package.yaml" <<YAML
apiVersion: cutter/v1
kind: ApplyPackage
id: bench-verify
title: Benchmark of package verify
authorization:
  ref: BENCH-1
  expires_at: 2099-01-01T00:00:00Z
  risk: low
target:
  database: bench
  system_identifier: "7611578671664259111"
  apply_role: bench_owner
artifact:
  path: ddl/change.sql
  sha256: $sha
YAML

BENCH_PASSPHRASE=bench-only-passphrase
export BENCH_PASSPHRASE
: > "$work/approvers.asc"
for who in ann bob cid; do
  "$cutter" keys generate --name "$who <$who@example.org>" --out "$work/keys" --passphrase-env BENCH_PASSPHRASE >/dev/null
  "$cutter" package sign "$pkg" --key "$work/keys/$who.sec.asc" --passphrase-env BENCH_PASSPHRASE >/dev/null
  cat "$work/keys/$who.pub.asc" >> "$work/approvers.asc"
done
printf 'keyring: approvers.asc\nrequire: 3\n' > "$work/trust.yaml"

"$cutter" package verify "$pkg" --trust "$work/trust.yaml"

set -- $(time_runs sha256sum "$pkg/ddl/change.sql"); sha_wall=$1; sha_cpu=$2
echo "artifact: $(wc -l < "$pkg/ddl/change.sql") INSERT statements, $(wc -c < "$pkg/ddl/change.sql") bytes"
echo "artifact: ${size_mb} MiB, signatures: 3, runs: $runs (medians, ms), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sha256sum: wall $sha_wall, cpu $sha_cpu"

# measure LABEL: JVM start, verify and the ratios under the current CUTTER_JAVA_OPTS
measure() {
  set -- "$1" $(time_runs "$cutter" --version) $(time_runs "$cutter" package verify "$pkg" --trust "$work/trust.yaml")
  awk -v l="$1" -v sw="$sha_wall" -v sc="$sha_cpu" -v jw="$2" -v jc="$3" -v vw="$5" -v vc="$6" -v vr="$7" 'BEGIN {
    printf "%s\n  wall: JVM start %5d  floor %5d  verify %5d  ratio %.2f\n", l, jw, sw + jw, vw, vw / (sw + jw)
    printf "  cpu:  JVM start %5d  floor %5d  verify %5d  ratio %.2f   (target <= 1.50)   verify max RSS %d MiB\n", jc, sc + jc, vc, vc / (sc + jc), vr }'
}

measure "launcher default JVM options (bin/cutter):"
CUTTER_JAVA_OPTS="-XX:+UseSerialGC -Xshare:auto" measure "CUTTER_JAVA_OPTS='-XX:+UseSerialGC -Xshare:auto' (C2 on):"

# An application class-data archive (AppCDS) made by one verify run, then used by both sides.
CUTTER_JAVA_OPTS="-XX:+UseSerialGC -XX:ArchiveClassesAtExit=$work/cutter.jsa" \
  "$cutter" package verify "$pkg" --trust "$work/trust.yaml" >/dev/null 2>&1 || true
CUTTER_JAVA_OPTS="-XX:+UseSerialGC -XX:SharedArchiveFile=$work/cutter.jsa" measure "CUTTER_JAVA_OPTS='-XX:+UseSerialGC -XX:SharedArchiveFile=cutter.jsa' (C2 on, AppCDS):"

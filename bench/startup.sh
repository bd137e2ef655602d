#!/usr/bin/env bash
# Start-up of cutter (issue 14): wall and CPU time of `cutter --version` (the floor), `cutter apply
# --help`, `cutter package verify` of a signed copy of packages-examples/registry-12-tables and
# `cutter preflight` of it up to a database that is not there,
# for one or more configurations measured interleaved (every round runs every configuration
# once, in turn), then the medians; plus, per configuration, the classes each command loads and
# how many of them came from a class-data archive.
#
#   bench/startup.sh ROUNDS LABEL=JAR[=JAVA_OPTS] ...
#   bench/startup.sh 15 main=/tmp/main/cutter.jar new=cli/target/cutter.jar
#   bench/startup.sh 15 "now=cli/target/cutter.jar" "parallel=cli/target/cutter.jar=-XX:+UseParallelGC"
#
# Each JAR runs through bin/cutter (CUTTER_JAR), so with the launcher's options and the archive
# next to the jar, unless JAVA_OPTS is given (then it replaces the launcher's options; write
# @JSA@ for the archive next to the jar).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:?ROUNDS}; shift
[ $# -ge 1 ] || { echo "usage: $0 ROUNDS LABEL=JAR[=JAVA_OPTS] ..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

labels=(); jars=(); optss=()
for c in "$@"; do
  labels+=("${c%%=*}"); rest=${c#*=}
  jar=$(cd "$(dirname "${rest%%=*}")" && pwd)/$(basename "${rest%%=*}")
  jars+=("$jar")
  if [ "$rest" != "${rest#*=}" ]; then optss+=("$(echo "${rest#*=}" | sed "s|@JSA@|${jar%.jar}.jsa|g")"); else optss+=(""); fi
done

# a signed copy of the 12-table example and a trust policy for its key
export STARTUP_PASS=startup-bench
CUTTER_JAR=${jars[0]} "$ROOT/bin/cutter" keys generate --name "Bench <bench@cutter.invalid>" --out "$work/keys" \
  --passphrase-env STARTUP_PASS >/dev/null
printf 'keyring: bench.pub.asc\nrequire: 1\n' >"$work/keys/trust.yaml"
cp -r "$ROOT/packages-examples/registry-12-tables" "$work/pkg"
CUTTER_JAR=${jars[0]} "$ROOT/bin/cutter" package sign "$work/pkg" --key "$work/keys/bench.sec.asc" \
  --passphrase-env STARTUP_PASS >/dev/null

# preflight up to a database that is not there (nothing listens on port 1): the start of a whole
# apply (package, signature, gates, the connection attempt, the BLOCKED report), without a server
commands=("--version" "apply --help" "package verify $work/pkg --trust $work/keys/trust.yaml"
  "preflight $work/pkg --trust $work/keys/trust.yaml --target postgresql://127.0.0.1:1/none --report-dir $work/reports")
names=("--version" "apply --help" "package verify" "preflight, no server")

run() { # i cmd... : one run of configuration i
  local i=$1; shift
  if [ -n "${optss[$i]}" ]; then
    CUTTER_JAR=${jars[$i]} CUTTER_JAVA_OPTS=${optss[$i]} "$ROOT/bin/cutter" "$@"
  else
    CUTTER_JAR=${jars[$i]} "$ROOT/bin/cutter" "$@"
  fi
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# exit codes: 0 for each command with every configuration, 3 (BLOCKED) for the preflight
for i in "${!labels[@]}"; do
  for k in "${!commands[@]}"; do
    want=0; [ "$k" -eq 3 ] && want=3
    # shellcheck disable=SC2086
    code=0; run "$i" ${commands[$k]} >/dev/null 2>&1 || code=$?
    [ "$code" -eq "$want" ] || { echo "${labels[$i]}: cutter ${names[$k]} exited $code" >&2; exit 1; }
  done
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for k in "${!commands[@]}"; do
    for i in "${!labels[@]}"; do
      start=$(date +%s%N)
      # shellcheck disable=SC2086
      /usr/bin/time -o "$work/cpu" -f "%U %S" env ${optss[$i]:+CUTTER_JAVA_OPTS="${optss[$i]}"} CUTTER_JAR="${jars[$i]}" \
        "$ROOT/bin/cutter" ${commands[$k]} >/dev/null 2>&1 || true
      end=$(date +%s%N)
      echo "$(( (end - start) / 1000000 ))" >>"$work/wall.$i.$k"
      awk '{ print int(($1 + $2) * 1000) }' "$work/cpu" >>"$work/cpuall.$i.$k"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "medians of $rounds interleaved rounds, ms (wall / user+sys CPU)"
printf '| configuration |'; for n in "${names[@]}"; do printf ' %s |' "$n"; done; echo
printf '|---|'; for n in "${names[@]}"; do printf -- '---|'; done; echo
for i in "${!labels[@]}"; do
  printf '| %s |' "${labels[$i]}"
  for k in "${!commands[@]}"; do printf ' %s / %s |' "$(median <"$work/wall.$i.$k")" "$(median <"$work/cpuall.$i.$k")"; done
  echo
done
echo
echo "classes loaded: total / from a class-data archive"
for i in "${!labels[@]}"; do
  printf '| %s |' "${labels[$i]}"
  for k in "${!commands[@]}"; do
    log="$work/cl.$i.$k"
    base="-XX:+UseSerialGC -Xshare:auto"
    [ -f "${jars[$i]%.jar}.jsa" ] && base="$base -XX:SharedArchiveFile=${jars[$i]%.jar}.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
    base=${optss[$i]:-$base}
    # shellcheck disable=SC2086
    CUTTER_JAVA_OPTS="$base -Xlog:class+load=info:file=$log" CUTTER_JAR=${jars[$i]} "$ROOT/bin/cutter" ${commands[$k]} >/dev/null 2>&1 || true
    printf ' %s / %s |' "$(grep -c 'source:' "$log")" "$(grep -c 'source: shared objects file' "$log")"
  done
  echo
done

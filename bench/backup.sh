#!/usr/bin/env bash
# Backup benchmark: `cutter backup` (the shaded jar through bin/cutter, heap capped at 64 MB)
# against plain pg_dump, on a pgbench database in a throwaway PostgreSQL 15 cluster.
#
#   bench/backup.sh [SCALE] [ROUNDS]     (defaults: scale 100, 7 rounds; as root it runs the server
#                                         as the postgres user through runuser; scale 0: a database of
#                                         one empty table, for the fixed cost, cutter minus pg_dump)
#   ALT_JAVA_OPTS="-XX:TieredStopAtLevel=1" bench/backup.sh 100 7
#                                        (also times both cutter runs with these JVM flags added)
#
# Each round times, in this order: pg_dump -Fc -f FILE; cutter backup without encryption;
# pg_dump -Fc | gpg --encrypt -z 0; cutter backup with encryption (each cutter run followed by
# its ALT_JAVA_OPTS twin when set). Prints every time, the medians
# and the ratios, with the CPU seconds (user + sys, children included) beside the wall times: on a
# machine shared with other work the wall times scatter, the CPU times much less. The cutter runs
# include the JVM start and loading and verifying the signed package.
#
#   FORMAT=directory JOBS=2 bench/backup.sh 300 3
#                                        (the packages ask for backup.format: directory, jobs: JOBS;
#                                         each round also times pg_dump -Fd -j JOBS -f DIR; the bar
#                                         compares the encrypted directory backup with
#                                         pg_dump -Fc | gpg --encrypt -z 0: at most 0.8)
#
#   COMPRESSION=1 bench/backup.sh 100 5  (the packages ask for backup.compression: 1, pg_dump's gzip
#                                         level; the reference dumps keep pg_dump's default, the
#                                         restore proof's reference archive (PROVE=1) and the bare
#                                         pg_dump -Fd of FORMAT=directory are made at it)
#
#   PROVE=1 bench/backup.sh 100 5        (the restore proof instead: each round times pg_restore of
#                                         an archive of the same database into an empty database
#                                         plus the exact row counts of its tables (one query), then
#                                         cutter backup --prove --restore-into the same cluster,
#                                         which dumps, restores alongside and compares)
#
#   PROVE=1 SCRATCH=embedded bench/backup.sh 100 3
#                                        (the proof restores into its default scratch, the embedded
#                                         server, instead of --restore-into the same cluster;
#                                         SCRATCH=both times both in each round)
#   PROVE=1 BASE_JAR=/path/cutter.jar bench/backup.sh 100 3
#                                        (each cutter run is followed by the same run with that jar,
#                                         e.g. one built from main: A/B interleaved, paired by round)
#   PROVE=1 SCRATCH=embedded CUTTER_USER=postgres bench/backup.sh 100 3
#                                        (as root: every cutter run as that user through runuser, with
#                                         a home and cache of its own under the work directory, so
#                                         that the embedded scratch may run from the host's own
#                                         server binaries, which refuse root; one untimed proof of
#                                         each jar first makes its scratch template there)
#   BUILD=0 ...                          (uses the jar already built instead of building it first)
set -euo pipefail

SCALE=${1:-100}
ROUNDS=${2:-7}
FORMAT=${FORMAT:-custom}
JOBS=${JOBS:-1}
COMPRESSION=${COMPRESSION:-}
case "$COMPRESSION" in
  "" | [0-9]) ;;
  *) echo "COMPRESSION must be a gzip level 0 to 9, got $COMPRESSION" >&2; exit 2 ;;
esac
case "$FORMAT" in
  custom | directory) ;;
  *) echo "FORMAT must be custom or directory, got $FORMAT" >&2; exit 2 ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-55432}
WORK=$(mktemp -d /tmp/cutter-bench-backup.XXXXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$WORK"
  RUNAS=(runuser -u postgres --)
fi

cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  gpgconf --homedir "$WORK/gnupg" --kill all >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SCRATCH=${SCRATCH:-cluster}
case "$SCRATCH" in
  cluster | embedded | both) ;;
  *) echo "SCRATCH must be cluster, embedded or both, got $SCRATCH" >&2; exit 2 ;;
esac
CUTTER_USER=${CUTTER_USER:-}
CUTTER_RUNAS=""
if [ -n "$CUTTER_USER" ]; then
  [ "$(id -u)" = 0 ] || { echo "CUTTER_USER needs root (runuser)" >&2; exit 2; }
  mkdir -p "$WORK/home"
  chown "$CUTTER_USER" "$WORK/home"
  chmod 755 "$WORK"
  CUTTER_RUNAS="runuser -u $CUTTER_USER -- env HOME=$WORK/home XDG_CACHE_HOME=$WORK/home/.cache"
fi
export CUTTER_RUNAS
BASE_JAR=${BASE_JAR:-}
if [ -n "$BASE_JAR" ] && [ ! -f "$BASE_JAR" ]; then
  echo "BASE_JAR: no such file: $BASE_JAR" >&2; exit 2
fi
if [ "${BUILD:-1}" != 0 ]; then
  echo "== build"
  (cd "$ROOT" && mvn -q -B -DskipTests -pl cli -am package >/dev/null)
fi
CUTTER="$ROOT/bin/cutter"
export PGBIN WORK CUTTER PORT
# the launcher's own flags (bin/cutter): serial GC, the class-data archive, the JIT directives and the
# compile thresholds (read from bin/cutter), plus the 64 MB heap cap
CUTTER_JAVA_OPTS="-Xmx64m -XX:+UseSerialGC -Xshare:auto -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput"
CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS -XX:CompilerDirectivesFile=$ROOT/bin/cutter.jit"
CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS $(sed -n 's/^  opts="$opts \(-XX:Tier.*\)"$/\1/p' "$ROOT/bin/cutter" | tr '\n' ' ')"
if [ -f "$ROOT/cli/target/cutter.jsa" ]; then
  CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS -XX:SharedArchiveFile=$ROOT/cli/target/cutter.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
fi
export CUTTER_JAVA_OPTS

echo "== cluster and pgbench -i -s $SCALE (scale 0: one empty table, the fixed cost's database)"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
"$PGBIN/createdb" bench
if [ "$SCALE" = 0 ]; then
  "$PGBIN/psql" -q -c "create table empty(id int)" bench
else
  "$PGBIN/pgbench" -q -i -s "$SCALE" bench >/dev/null 2>&1
fi
"$PGBIN/psql" -qAt -c "select 'database size: ' || pg_size_pretty(pg_database_size('bench'))" bench

# cutter backup checks that the target is the approved one
SYSID=$("$PGBIN/psql" -qAt -c "select system_identifier from pg_control_system()" bench)
echo "== recipient key, approver key, signed packages"
mkdir -m 700 "$WORK/gnupg"
export GNUPGHOME=$WORK/gnupg
gpg --batch --passphrase '' --quick-gen-key "Bench <bench@example.invalid>" future-default default never 2>/dev/null
export BENCH_GPG_FPR
BENCH_GPG_FPR=$(gpg --with-colons --list-keys bench@example.invalid | awk -F: '/^fpr:/ {print $10; exit}')
export BENCH_APPROVER_PASS=bench-only-passphrase
"$CUTTER" keys generate --name "Bench Approver <approver@example.invalid>" --out "$WORK/keys" \
  --passphrase-env BENCH_APPROVER_PASS >/dev/null
printf 'keyring: bench-approver.pub.asc\nrequire: 1\n' >"$WORK/keys/trust.yaml"
for kind in plain enc; do
  mkdir -p "$WORK/pkg-$kind/ddl"
  echo "select 1;" >"$WORK/pkg-$kind/ddl/noop.sql"
  sha=$(sha256sum "$WORK/pkg-$kind/ddl/noop.sql" | cut -d' ' -f1)
  enc=""
  [ "$kind" = enc ] && enc='  encrypt_to: [ "${BENCH_GPG_FPR}" ]'
  [ -n "$COMPRESSION" ] && enc="$enc
  compression: $COMPRESSION"
  cat >"$WORK/pkg-$kind/package.yaml" <<YAML
apiVersion: cutter/v1
kind: ApplyPackage
id: bench-$kind
title: backup benchmark
authorization: { ref: BENCH, expires_at: 2099-01-01T00:00:00Z, risk: low }
target: { database: bench, system_identifier: "$SYSID", apply_role: postgres }
artifact: { path: ddl/noop.sql, sha256: $sha }
backup:
  required: true
  scope: database
  dir: $WORK/out-$kind
  min_bytes: 1024
  format: $FORMAT
  jobs: $JOBS
$enc
YAML
  "$CUTTER" package sign "$WORK/pkg-$kind" --key "$WORK/keys/bench-approver.sec.asc" \
    --passphrase-env BENCH_APPROVER_PASS >/dev/null
done

cutter_backup() { # $1 = plain | enc
  "$CUTTER" backup "$WORK/pkg-$1" --target "postgresql://postgres@127.0.0.1:$PORT/bench" \
    --trust "$WORK/keys/trust.yaml" --pg-bin "$PGBIN" >"$WORK/last.out" || { cat "$WORK/last.out" >&2; exit 1; }
}
plain_dump() { "$PGBIN/pg_dump" -Fc -f "$WORK/plain.dump" bench; }
dir_dump() { "$PGBIN/pg_dump" -Fd -j "$JOBS" ${COMPRESSION:+--compress=$COMPRESSION} -f "$WORK/plain.dump.dir" bench; }
gpg_dump() { "$PGBIN/pg_dump" -Fc bench | gpg --batch --trust-model always --encrypt -z 0 -r "$BENCH_GPG_FPR" >"$WORK/plain.dump.gpg"; }
cutter_plain() { cutter_backup plain; }
cutter_enc() { cutter_backup enc; }
# ALT_JAVA_OPTS (optional): JVM flags appended for a second pair of cutter runs in each round
cutter_plain_alt() { CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS $ALT_JAVA_OPTS" cutter_backup plain; }
cutter_enc_alt() { CUTTER_JAVA_OPTS="$CUTTER_JAVA_OPTS $ALT_JAVA_OPTS" cutter_backup enc; }
KINDS="plain_dump cutter_plain gpg_dump cutter_enc"
# PROVE=1: pg_restore + row counts against cutter backup --prove, restoring into the same cluster
restore_counts() {
  "$PGBIN/dropdb" --if-exists restored && "$PGBIN/createdb" -T template0 restored
  "$PGBIN/pg_restore" --no-owner --no-privileges --exit-on-error -d restored "$WORK/ref.dump"
  "$PGBIN/psql" -qAt -d restored -c "select string_agg(format('select %L, count(*) from only %I.%I', c.oid::regclass,
    n.nspname, c.relname), ' union all ') from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')" | "$PGBIN/psql" -qAt -d restored >/dev/null
}
prove_with() { # $1 = cluster | embedded (the scratch server); CUTTER_JAR chooses the jar
  local into=(--restore-into "postgresql://postgres@127.0.0.1:$PORT/postgres")
  [ "$1" = embedded ] && into=()
  $CUTTER_RUNAS "$CUTTER" backup "$WORK/pkg-plain" --target "postgresql://postgres@127.0.0.1:$PORT/bench" --prove "${into[@]}" \
    --trust "$WORK/keys/trust.yaml" --pg-bin "$PGBIN" >"$WORK/last.out" || { cat "$WORK/last.out" >&2; exit 1; }
  grep -q "^restore_proof: " "$WORK/last.out" || { cat "$WORK/last.out" >&2; exit 1; }
}
cutter_prove() { prove_with cluster; }
# BASE_JAR's runs use its own class-data archive (the launcher makes it next to that jar at its first run)
base_opts() { echo "${CUTTER_JAVA_OPTS/$ROOT\/cli\/target\/cutter.jsa/${BASE_JAR%.jar}.jsa}"; }
cutter_prove_base() { CUTTER_JAR=$BASE_JAR CUTTER_JAVA_OPTS=$(base_opts) prove_with cluster; }
cutter_prove_embedded() { prove_with embedded; }
cutter_prove_embedded_base() { CUTTER_JAR=$BASE_JAR CUTTER_JAVA_OPTS=$(base_opts) prove_with embedded; }
if [ -n "${PROVE:-}" ]; then
  KINDS="restore_counts"
  [ "$SCRATCH" != embedded ] && KINDS="$KINDS cutter_prove${BASE_JAR:+ cutter_prove_base}"
  [ "$SCRATCH" != cluster ] && KINDS="$KINDS cutter_prove_embedded${BASE_JAR:+ cutter_prove_embedded_base}"
  # the same kind of archive as cutter's: with COMPRESSION, the reference is made at that level too
  "$PGBIN/pg_dump" -Fc ${COMPRESSION:+--compress=$COMPRESSION} -f "$WORK/ref.dump" bench
fi
[ -n "${ALT_JAVA_OPTS:-}" ] && KINDS="plain_dump cutter_plain cutter_plain_alt gpg_dump cutter_enc cutter_enc_alt"
[ "$FORMAT" = directory ] && [ -z "${PROVE:-}" ] && KINDS="plain_dump dir_dump cutter_plain gpg_dump cutter_enc"
export ALT_JAVA_OPTS JOBS COMPRESSION BASE_JAR ROOT
[ -n "$BASE_JAR" ] && CUTTER_JAR=$BASE_JAR CUTTER_JAVA_OPTS= "$CUTTER" --version >/dev/null
if [ -n "$CUTTER_USER" ] && [ -n "${PROVE:-}" ] && [ "$SCRATCH" != cluster ]; then
  echo "== one untimed embedded proof of each jar as $CUTTER_USER (makes its scratch template)"
  for k in $KINDS; do
    case $k in
      cutter_prove_embedded*) bash -c "$(declare -f "$k" prove_with base_opts); $k"; grep "^restore_proof: " "$WORK/last.out" ;;
    esac
  done
fi

measure() { # wall and CPU (user+sys, children included) seconds of a function, as "WALL CPU"
  /usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" bash -c "$(declare -f "$1" cutter_backup prove_with base_opts); $1" >/dev/null
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$WORK/time.txt"
}

echo "== $ROUNDS rounds (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
declare -A T C
for r in $(seq 1 "$ROUNDS"); do
  for k in $KINDS; do
    read -r wall cpu < <(measure $k)
    T[$k]="${T[$k]:-} $wall"
    C[$k]="${C[$k]:-} $cpu"
    printf 'round %d %-16s %7.2f s wall %7.2f s cpu\n' "$r" "$k" "$wall" "$cpu"
  done
  [ -n "${PROVE:-}" ] || du -sb "$WORK"/plain.dump* "$WORK"/out-*/*.dump* | awk '{print "  " $1 " bytes " $2}'
  rm -rf "$WORK"/out-* "$WORK"/plain.dump*
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
if [ -n "${PROVE:-}" ]; then
  R=$(median "${T[restore_counts]}")
  echo "== medians of $ROUNDS rounds, pgbench scale $SCALE (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf 'pg_restore into an empty db + row counts        %7.2f s wall %7.2f s cpu\n' "$R" "$(median "${C[restore_counts]}")"
  for k in $KINDS; do
    [ "$k" = restore_counts ] && continue
    V=$(median "${T[$k]}")
    case $k in
      cutter_prove) label="cutter backup --prove --restore-into" ;;
      cutter_prove_base) label="  the same, BASE_JAR" ;;
      cutter_prove_embedded) label="cutter backup --prove (embedded)" ;;
      cutter_prove_embedded_base) label="  the same, BASE_JAR" ;;
    esac
    printf '%-47s %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 1.20)\n' "$label" "$V" \
      "$(median "${C[$k]}")" "$(echo "$V / $R" | bc -l)"
  done
  if [ -n "$BASE_JAR" ]; then # paired by round: this jar's time over BASE_JAR's
    for k in cutter_prove cutter_prove_embedded; do
      [ -n "${T[${k}_base]:-}" ] || continue
      P=$(paste <(tr ' ' '\n' <<<"${T[$k]}" | grep -v '^$') <(tr ' ' '\n' <<<"${T[${k}_base]}" | grep -v '^$') \
        | awk '{printf "%s ", $1 / $2}')
      printf '%-47s paired ratios to BASE_JAR: %s(median %.3f)\n' "$k" "$P" "$(median "$P")"
    done
  fi
  exit 0
fi
if [ "$FORMAT" = directory ]; then
  P=$(median "${T[plain_dump]}"); D=$(median "${T[dir_dump]}"); Q=$(median "${T[cutter_plain]}")
  G=$(median "${T[gpg_dump]}"); E=$(median "${T[cutter_enc]}")
  echo "== medians of $ROUNDS rounds, pgbench scale $SCALE, format directory, jobs $JOBS (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
  printf 'pg_dump -Fc -f FILE                  %7.2f s wall %7.2f s cpu\n' "$P" "$(median "${C[plain_dump]}")"
  printf 'pg_dump -Fd -j %-2s -f DIR             %7.2f s wall %7.2f s cpu   wall ratio to pg_dump -Fc | gpg %.3f\n' "$JOBS" \
    "$D" "$(median "${C[dir_dump]}")" "$(echo "$D / $G" | bc -l)"
  printf 'cutter backup, directory, plain      %7.2f s wall %7.2f s cpu   wall ratio to pg_dump -Fd %.3f\n' "$Q" \
    "$(median "${C[cutter_plain]}")" "$(echo "$Q / $D" | bc -l)"
  printf 'pg_dump -Fc | gpg --encrypt -z 0     %7.2f s wall %7.2f s cpu\n' "$G" "$(median "${C[gpg_dump]}")"
  printf 'cutter backup, directory, encrypted  %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 0.80)\n' "$E" \
    "$(median "${C[cutter_enc]}")" "$(echo "$E / $G" | bc -l)"
  exit 0
fi
P=$(median "${T[plain_dump]}"); Q=$(median "${T[cutter_plain]}")
G=$(median "${T[gpg_dump]}"); E=$(median "${T[cutter_enc]}")
echo "== medians of $ROUNDS rounds, pgbench scale $SCALE (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf 'pg_dump -Fc -f FILE               %7.2f s wall %7.2f s cpu\n' "$P" "$(median "${C[plain_dump]}")"
printf 'cutter backup, no encryption      %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 1.10)\n' "$Q" \
  "$(median "${C[cutter_plain]}")" "$(echo "$Q / $P" | bc -l)"
printf 'pg_dump -Fc | gpg --encrypt -z 0  %7.2f s wall %7.2f s cpu\n' "$G" "$(median "${C[gpg_dump]}")"
printf 'cutter backup, encrypted          %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 1.10)\n' "$E" \
  "$(median "${C[cutter_enc]}")" "$(echo "$E / $G" | bc -l)"
[ "$SCALE" = 0 ] && printf 'fixed cost (cutter minus pg_dump): %.2f s plain, %.2f s encrypted (bar 0.5 s)\n' \
  "$(echo "$Q - $P" | bc -l)" "$(echo "$E - $G" | bc -l)"
if [ -n "${ALT_JAVA_OPTS:-}" ]; then
  A=$(median "${T[cutter_plain_alt]}"); B=$(median "${T[cutter_enc_alt]}")
  echo "== with ALT_JAVA_OPTS=\"$ALT_JAVA_OPTS\" added"
  printf 'cutter backup, no encryption      %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 1.10)\n' "$A" \
    "$(median "${C[cutter_plain_alt]}")" "$(echo "$A / $P" | bc -l)"
  printf 'cutter backup, encrypted          %7.2f s wall %7.2f s cpu   wall ratio %.3f (bar 1.10)\n' "$B" \
    "$(median "${C[cutter_enc_alt]}")" "$(echo "$B / $G" | bc -l)"
fi

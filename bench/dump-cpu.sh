#!/usr/bin/env bash
# How fast any dump of a pgbench database can be on this machine: the CPU that the work itself
# takes, whoever does it, set against the cores there are.
#
#   bench/dump-cpu.sh [SCALE] [ROUNDS]     (defaults: scale 300, 3 rounds; as root it runs the
#                                           server as the postgres user through runuser)
#
# Each round times, on a throwaway PostgreSQL 15 cluster:
#   ref      pg_dump -Fc | gpg --encrypt -z 0 > FILE      (the reference of issue 15's bars)
#   z0       pg_dump -Fc -Z 0 -f FILE                     (the same dump, uncompressed)
#   dir      pg_dump -Fd -j JOBS -f DIR                   (pg_dump's own parallel dump, default level)
#   dir-z1   pg_dump -Fd -j JOBS -Z 1 -f DIR
# and for each: wall seconds, the client's CPU (pg_dump and gpg, user + system, from the kernel's
# accounting of children), and the CPU of the server backends serving the dump (summed over every
# backend of the database, read from /proc every 0.1 s: a lower bound, the last tenth of a second
# of each backend may be missed).
#
# What it prints at the end (medians): the compression's CPU (ref's pg_dump minus z0's), the
# serving backend's CPU, and the floor of any tool that writes the same archive at the same level:
#   floor = max(backend CPU of the largest table's COPY, (backend + compression) / cores)
# against the reference's wall time. The backend that sends one table is one process: a table is
# sent by one COPY, so it is the first bound; everything else must share the cores.
set -euo pipefail

SCALE=${1:-300}
ROUNDS=${2:-3}
JOBS=${JOBS:-2}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PORT:-55433}
CORES=$(nproc)
WORK=$(mktemp -d /tmp/cutter-bench-dumpcpu.XXXXXX)
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

echo "== cluster and pgbench -i -s $SCALE ($CORES cores)"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=256MB" start >/dev/null
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
"$PGBIN/createdb" bench
"$PGBIN/pgbench" -q -i -s "$SCALE" bench >/dev/null 2>&1
"$PGBIN/psql" -qAt -c "select 'database size: ' || pg_size_pretty(pg_database_size('bench'))" bench
POSTMASTER=$(head -1 "$WORK/data/postmaster.pid")

mkdir -m 700 "$WORK/gnupg"
export GNUPGHOME=$WORK/gnupg
gpg --batch --passphrase '' --quick-gen-key "Bench <bench@example.invalid>" future-default default never 2>/dev/null
FPR=$(gpg --with-colons --list-keys bench@example.invalid | awk -F: '/^fpr:/ {print $10; exit}')
TCK=$(getconf CLK_TCK)

# measure NAME CMD...: runs CMD through bash, prints "NAME wall client_cpu backend_cpu"
measure() {
  local name=$1; shift
  local times="$WORK/times.$name"
  /usr/bin/time -f "%e %U %S" -o "$times" bash -c "$*" &
  local cmd=$!
  declare -A last=()
  while kill -0 "$cmd" 2>/dev/null; do
    for p in $(pgrep -P "$POSTMASTER"); do
      if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q 'postgres: postgres bench'; then
        local s
        s=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && last[$p]=$s
      fi
    done
    sleep 0.1
  done
  wait "$cmd"
  local ticks=0 p
  for p in "${!last[@]}"; do ticks=$((ticks + last[$p])); done
  awk -v n="$name" -v t="$ticks" -v hz="$TCK" '{printf "%s %.2f %.2f %.2f\n", n, $1, $2 + $3, t / hz}' "$times"
}

RESULTS="$WORK/results"
: >"$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  rm -rf "$WORK/out"; mkdir "$WORK/out"
  measure ref "'$PGBIN/pg_dump' -Fc bench | gpg --batch --encrypt -z 0 --recipient $FPR -o '$WORK/out/ref.gpg'" | tee -a "$RESULTS"
  measure z0 "'$PGBIN/pg_dump' -Fc -Z 0 -f '$WORK/out/z0.dump' bench" | tee -a "$RESULTS"
  measure dir "'$PGBIN/pg_dump' -Fd -j $JOBS -f '$WORK/out/dir' bench" | tee -a "$RESULTS"
  measure dir-z1 "'$PGBIN/pg_dump' -Fd -j $JOBS -Z 1 -f '$WORK/out/dir1' bench" | tee -a "$RESULTS"
done
rm -rf "$WORK/out"

echo "== medians (wall s, client CPU s, backend CPU s)"
python3 - "$RESULTS" "$CORES" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    n, w, c, b = line.split()
    rows.setdefault(n, []).append((float(w), float(c), float(b)))
cores = int(sys.argv[2])
med = {n: tuple(statistics.median(x[i] for x in v) for i in range(3)) for n, v in rows.items()}
for n, (w, c, b) in med.items():
    print(f"  {n:7s} wall {w:6.2f}  client CPU {c:6.2f}  backend CPU {b:6.2f}  cores busy {(c + b) / w:4.2f}")
ref_w, ref_c, ref_b = med["ref"]
z0_w, z0_c, z0_b = med["z0"]
compression = ref_c - z0_c
floor = max(ref_b, (ref_b + compression) / cores)
print(f"  compression at pg_dump's default level: {compression:.2f} CPU s (ref's client minus z0's; gpg's share included)")
print(f"  floor of any tool writing the same archive on {cores} cores: {floor:.2f} s = {floor / ref_w:.3f} x the reference")
PY

#!/bin/sh
# Preflight benchmark: `cutter preflight` of a signed package with 20 checks (plus the always-on
# identity, journal and derived privilege checks, and a rehearsal of 12 CREATE TABLE statements)
# against a database holding 20,000 relations, compared with the JVM start of `cutter --version`.
#
#   mvn -q -B -DskipTests -pl cli -am package && bench/preflight/preflight.sh [RUNS]
#
# Starts a throwaway PostgreSQL from PGBIN (default /usr/lib/postgresql/15/bin) on PORT (default
# 54329, or the next free one) in a temporary directory; as root it runs the server as user postgres. Prints the
# median wall time of RUNS runs (default 5) of each command and their difference.
set -eu
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cutter="$root/bin/cutter"
. "$root/bench/lib/cluster.sh"
start_cluster 54329
psql() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h localhost -p "$port" -U postgres "$@"; }

echo "populating 20,000 relations ..." >&2
psql -d bench <<'SQL'
create role gov_owner login;
create role bench_backup login;
create schema gov authorization gov_owner;
create schema big;
-- 4,000 tables x (table, serial sequence, primary key index, TOAST table, TOAST index) = 20,000 relations
do $$ begin
  for i in 1..4000 loop
    execute format('create table big.t%s (id serial primary key, v text)', i);
  end loop;
end $$;
grant usage on schema gov, big to bench_backup;
grant usage on schema big to gov_owner;
grant select on big.t1 to gov_owner;
grant select on all tables in schema big, gov to bench_backup;
grant select on all sequences in schema big to bench_backup;
SQL
psql -d bench -t -A -c "select 'relations: ' || count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('big', 'pg_toast') and c.relname !~ '^pg_'" >&2

"$cutter" init --target "postgresql://postgres@localhost:$port/bench" --grant gov_owner >/dev/null
psql -d bench -c "grant usage on schema cutter to bench_backup; grant select on all tables in schema cutter to bench_backup;
  grant select on all sequences in schema cutter to bench_backup"
sysid=$(psql -d bench -t -A -c "select system_identifier from pg_control_system()")
major=$(psql -d bench -t -A -c "select current_setting('server_version_num')::int / 10000")

pkg="$work/pkg"
mkdir -p "$pkg/ddl"
i=1
while [ $i -le 12 ]; do
  echo "create table gov.registry_$i (id bigint primary key, owner_id bigint, note text not null);" >>"$pkg/ddl/change.sql"
  i=$((i + 1))
done
cat >"$pkg/package.yaml" <<YAML
apiVersion: cutter/v1
kind: ApplyPackage
id: bench-preflight
title: Preflight benchmark (20 checks, 20000 relations)
authorization: { ref: BENCH-1, expires_at: 2100-01-01T00:00:00Z, risk: low }
target:
  database: bench
  system_identifier: "$sysid"
  server_version: "$major"
  apply_role: gov_owner
  backup_role: bench_backup
artifact: { path: ddl/change.sql, sha256: "0000000000000000000000000000000000000000000000000000000000000000" }
preflight:
  - schema_exists: gov
  - schema_exists: big
  - objects_absent: { schema: gov, tables: [registry_1, registry_2, registry_3, registry_4, registry_5, registry_6] }
  - objects_absent: { schema: gov, tables: [registry_7, registry_8, registry_9, registry_10, registry_11, registry_12] }
  - objects_present: { schema: big, tables: [t1, t2, t3, t4000], sequences: [t1_id_seq], indexes: [t1_pkey] }
  - objects_present: { roles: [gov_owner, bench_backup] }
  - baseline: { schema: big, constraints: { p: 4000, f: 0 }, relations: { r: 4000, S: 4000, i: 4000, v: 0 } }
  - baseline: { schema: gov, relations: { r: 0 } }
  - privilege: { role: gov_owner, schema: gov, has: [USAGE, CREATE, OWNER] }
  - privilege: { role: bench_backup, schema: big, has: [USAGE], lacks: [CREATE] }
  - privilege: { role: bench_backup, schema: big, table: t1, has: [SELECT], lacks: [INSERT, UPDATE, DELETE] }
  - privilege: { role: gov_owner, has: [MEMBER OF gov_owner] }
  - sql: { name: tables in big, query: "select count(*) from pg_tables where schemaname = 'big'", expect: 4000 }
  - sql: { name: no registry yet, query: "select count(*) from pg_tables where schemaname = 'gov'", expect: 0 }
  - sql: { query: "select count(*) from big.t1", expect: 0 }
  - sql: { query: "select current_setting('transaction_read_only')", expect: "on" }
  - sql: { query: "select 1", expect: 1 }
  - server_version: "$major"
  - journal_writable: true
  - rehearse: true
backup:
  required: true
  scope: database
  dir: $work/backups
  min_bytes: 1024
YAML
"$cutter" package hash "$pkg" >/dev/null
export BENCH_PASSPHRASE=bench-only-passphrase
"$cutter" keys generate --name "Bench Approver <bench@example.org>" --out "$work/keys" --passphrase-env BENCH_PASSPHRASE >/dev/null
"$cutter" package sign "$pkg" --key "$work/keys/bench-approver.sec.asc" --passphrase-env BENCH_PASSPHRASE >/dev/null
printf 'keyring: keys/bench-approver.pub.asc\nrequire: 1\n' >"$work/trust.yaml"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { date +%s%3N; }
# prints "wall_ms cpu_ms" of one run (cpu = user + sys of the JVM, when /usr/bin/time is there)
one_run() {
  t0=$(ms)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%U %S" -o "$work/cpu.txt" "$@" >"$work/out.txt" 2>&1
  else
    "$@" >"$work/out.txt" 2>&1
    echo "0 0" >"$work/cpu.txt"
  fi
  t1=$(ms)
  echo "$((t1 - t0)) $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/cpu.txt")"
}
time_runs() {
  n=0
  : >"$work/runs.txt"
  while [ $n -lt "$runs" ]; do
    one_run "$@" >>"$work/runs.txt" || { cat "$work/out.txt" >&2; exit 1; }
    n=$((n + 1))
  done
  echo "$(cut -d' ' -f1 "$work/runs.txt" | median) $(cut -d' ' -f2 "$work/runs.txt" | median)"
}

target="postgresql://gov_owner@localhost:$port/bench"
"$cutter" preflight "$pkg" --target "$target" --trust "$work/trust.yaml" >&2
set -- $(time_runs "$cutter" --version)
jvm=$1 jvm_cpu=$2
set -- $(time_runs "$cutter" preflight "$pkg" --target "$target" --trust "$work/trust.yaml")
pre=$1 pre_cpu=$2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "cutter --version (JVM start):  median wall ${jvm} ms, cpu ${jvm_cpu} ms ($runs runs)"
echo "cutter preflight (20 checks):  median wall ${pre} ms, cpu ${pre_cpu} ms ($runs runs)"
echo "preflight beyond JVM start:    wall $((pre - jvm)) ms, cpu $((pre_cpu - jvm_cpu)) ms"

#!/usr/bin/env bash
# Side-by-side apply benchmark (psql, cutter, Flyway, Liquibase). Needs the shaded jar
# (mvn -DskipTests -pl cli -am package), psql and the PostgreSQL server binaries (pg_config --bindir).
# Usage: bench/apply/run.sh [--repeat N] [--json FILE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
exec python3 "$here/bench.py" --tools-cp "$here/target/classes:$(cat "$here/target/cp.txt")" "$@"

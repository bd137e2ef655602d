#!/usr/bin/env bash
# The whole command against psql and Flyway (issue 14): 12 tables, 10,000 statements, 600
# functions; `cutter --version` as the floor; `cutter preflight` of the 10,000-statement package.
# Needs the shaded jar (mvn -DskipTests -pl cli -am package), psql, the PostgreSQL server binaries
# (pg_config --bindir) and Python 3; brings Flyway from Maven Central for its runner (bench/apply).
# Usage: bench/whole-apply.sh [--rounds 3] [--jar cutter.jar] [--java-home JDK] [--java-opts OPTS] [--workloads abc]
#   [--before-jar OTHER/cutter.jar] [--before-java-opts OPTS] [--before-java-home JDK] [--flyway abc]
#   [--flyway-java-home JDK]... [--json FILE]
set -euo pipefail
here="$(cd "$(dirname "$0")/apply" && pwd)"
(cd "$here" && mvn -q -B compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
exec python3 "$here/whole.py" --tools-cp "$here/target/classes:$(cat "$here/target/cp.txt")" "$@"

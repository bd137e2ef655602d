#!/usr/bin/env python3
"""The whole command, side by side (issue 14): psql, `cutter apply`, Flyway's bare migrate,
`cutter --version` (the floor) and `cutter preflight`, on one throwaway server, in one run.

Run through bench/whole-apply.sh (it builds the Flyway runner first). Reuses bench.py's cluster,
workloads and package builder. Every cell is a median of ROUNDS runs; the rounds interleave the
tools (and the builds, with --before-jar), so that a drift of the machine's speed falls on all alike.
Every run applies into a fresh database; none is dropped before the end, so that no run follows the
deletion of another run's files (see the comment where the databases are made). Not part of the test suite.
"""
import argparse
import json
import resource
import os
import statistics
import subprocess
import sys
import tempfile
import shutil
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench/apply/bench.py)

ROOT = bench.ROOT
NAMES = {"a": "12 tables, 24 statements", "b": "2,000 tables, 10,000 statements", "c": "600 PL/pgSQL functions"}


CPU = {}  # id(process result) -> CPU seconds (user + system) of the command and its children


def timed(cmd, env=None, cwd=None):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, cwd=cwd, text=True, capture_output=True)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[id(p)] = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, p


def ms(x):
    return f"{x * 1000:,.0f} ms" if x is not None else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="runs per cell; the median is shown (default 3)")
    ap.add_argument("--workloads", default="abc")
    ap.add_argument("--jar", help="the cutter.jar timed as 'cutter' (default: the one bin/cutter finds)")
    ap.add_argument("--before-jar", help="a cutter.jar (with its .jsa next to it) of another build, timed as 'before'")
    ap.add_argument("--before-java-opts", help="CUTTER_JAVA_OPTS for the 'before' build (the launcher's JVM options"
                    " replaced, e.g. to time it without bin/cutter.jit)")
    ap.add_argument("--java-opts", help="CUTTER_JAVA_OPTS for the 'cutter' build")
    ap.add_argument("--java-home", help="JAVA_HOME for the 'cutter' build's timed runs (the launcher's JVM)")
    ap.add_argument("--before-java-home", help="JAVA_HOME for the 'before' build's timed runs")
    ap.add_argument("--flyway-java-home", action="append", default=[],
                    help="time Flyway on this JDK as well (repeatable; 'flyway' alone is the default java)")
    ap.add_argument("--flyway", default="a", help="workloads Flyway migrates too (default a; '' for none)")
    ap.add_argument("--tools-cp", required=True, help="classpath of the Flyway runner")
    ap.add_argument("--json", help="write every run's figures here")
    args = ap.parse_args()

    launcher = str(ROOT / "bin" / "cutter")
    base_env = dict(os.environ, **{bench.PASS_VAR: "bench-passphrase"})
    builds = {"cutter": dict(base_env, **({"CUTTER_JAR": str(Path(args.jar).resolve())} if args.jar else {}))}
    if args.java_opts:
        builds["cutter"]["CUTTER_JAVA_OPTS"] = args.java_opts
    if args.before_jar:
        builds["before"] = dict(base_env, CUTTER_JAR=str(Path(args.before_jar).resolve()))
        if args.before_java_opts:
            builds["before"]["CUTTER_JAVA_OPTS"] = args.before_java_opts
    # the JVM of a build's timed runs only; init and signing run on the default one
    timed_env = {b: dict(e) for b, e in builds.items()}
    if args.java_home:
        timed_env["cutter"]["JAVA_HOME"] = args.java_home
    if args.before_java_home and "before" in timed_env:
        timed_env["before"]["JAVA_HOME"] = args.before_java_home
    flyways = {"flyway": "java"}
    for i, home in enumerate(args.flyway_java_home):
        flyways[f"flyway{i + 2}"] = str(Path(home) / "bin" / "java")
    workloads = list(args.workloads)

    work = Path(tempfile.mkdtemp(prefix="cutter-whole-"))
    cluster = bench.Cluster(work)
    runs = {}  # (row, tool) -> [seconds]
    cpu = {}  # (row, tool) -> [CPU seconds of the client process: the JVM for cutter and Flyway, psql itself]
    failures = []
    load = [os.getloadavg()[0]]
    try:
        cluster.psql("postgres", "create role gov_owner login; create role gov_reader nologin")
        sysid = cluster.psql("postgres", "select system_identifier::text from pg_control_system()")
        keys = work / "keys"
        bench.sh([launcher, "keys", "generate", "--name", "Bench <bench@example.invalid>", "--out", str(keys),
                  "--passphrase-env", bench.PASS_VAR], env=base_env)
        sec = next(keys.glob("*.sec.asc"))
        trust = work / "trust.yaml"
        trust.write_text(f"keyring: {next(keys.glob('*.pub.asc'))}\nrequire: 1\n")
        scripts = {"a": ROOT / "packages-examples" / "registry-12-tables" / "ddl" / "create-registry.sql",
                   "b": work / "b.sql", "c": work / "c.sql"}
        bench.workload_b(scripts["b"])
        bench.workload_c(scripts["c"])
        schema = {"a": "governance", "b": "bench", "c": "bench"}
        reports = work / "reports"

        def fresh(name, w, env):
            cluster.psql("postgres", f"create database {name}")
            if w == "a":
                cluster.psql_file(name, ROOT / "packages-examples" / "registry-12-tables" / "sandbox" / "schema.sql")
            if env is not None:
                cluster.psql("postgres", f"grant create on database {name} to gov_owner")
                bench.sh([launcher, "init", "--target", cluster.uri(name), "--grant", "gov_owner"], env=env)
                pkg = work / f"pkg-{name}"
                bench.cutter_package(pkg, scripts[w], w, name, sysid)
                bench.sh([launcher, "package", "sign", str(pkg), "--key", str(sec), "--passphrase-env",
                          bench.PASS_VAR], env=env)
                return pkg
            return None

        # `cutter preflight` of the 10,000-statement package: one prepared database, read-only runs
        pf_pkg = fresh("preflight_b", "b", base_env)
        expected = {}
        n = 0

        def record(key, seconds, p, what):
            runs.setdefault(key, []).append(seconds)
            cpu.setdefault(key, []).append(CPU.pop(id(p), 0.0))
            if p.returncode != 0:
                lines = (p.stdout + p.stderr).strip().splitlines()
                failures.append(f"{what}: exit {p.returncode}: {' / '.join(lines[-3:])}")

        for rnd in range(args.rounds):
            load.append(os.getloadavg()[0])
            order = list(builds)
            if rnd % 2:
                order.reverse()  # alternate which build runs first in a round
            for b in order:
                t, p = timed([launcher, "--version"], env=timed_env[b])
                record(("floor", b), t, p, f"{b} --version")
            for w in workloads:
                tools = ["psql"] + order + (list(flyways) if w in args.flyway else [])
                for tool in tools:
                    n += 1
                    db = f"w{w}_{tool}_{rnd}"
                    pkg = fresh(db, w, builds.get(tool))
                    if tool == "psql":
                        t, p = timed(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", cluster.uri(db), "-f",
                                      str(scripts[w])])
                    elif tool in builds:
                        t, p = timed([launcher, "apply", str(pkg), "--target", cluster.uri(db), "--trust", str(trust),
                                      "--report-dir", str(reports)], env=timed_env[tool])
                    else:
                        tool_dir = work / f"tool-{db}"
                        t, p = timed([flyways[tool], "-cp", args.tools_cp, "dev.cutter.bench.apply.Tools", "flyway",
                                      cluster.jdbc(db), str(scripts[w]), str(tool_dir)], cwd=work)
                    record((w, tool), t, p, f"{w} {tool} round {rnd + 1}")
                    got = bench.counts(cluster, db, schema[w])
                    if tool == "psql":
                        expected[w] = got
                    elif got != expected.get(w):
                        failures.append(f"{w} {tool} round {rnd + 1}: objects {got}, psql made {expected.get(w)}")
                    # kept until the cluster goes: a run just after a DROP DATABASE of (b)'s ~10,000 files
                    # creates its files several times slower (the file system's inode allocator skips the
                    # inodes freed in the last minute one by one), so dropping here would time the order
                    # of the tools, not the tools (docs/performance.md, "The apply gate's extra time")
            for b in order:
                t, p = timed([launcher, "preflight", str(pf_pkg), "--target", cluster.uri("preflight_b"), "--trust",
                              str(trust), "--report-dir", str(reports)], env=timed_env[b])
                record(("preflight", b), t, p, f"{b} preflight round {rnd + 1}")
        load.append(os.getloadavg()[0])
    finally:
        cluster.stop()

    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"medians of {args.rounds} interleaved rounds; load average (1 min) {min(load):.2f}–{max(load):.2f}")
    print()
    head = "| workload | psql | `cutter apply` | ratio |" + ("".join(" before | ratio |" for _ in builds if _ != "cutter"))
    print(head + ((" Flyway migrate (" + " / ".join(flyways.values()) + ") |") if args.flyway else ""))
    print("|---" * (head.count("|") - 1 + (1 if args.flyway else 0)) + "|")
    for w in workloads:
        ps = med[(w, "psql")]
        row = f"| {NAMES[w]} | {ms(ps)} |"
        for b in builds:
            row += f" {ms(med[(w, b)])} | {med[(w, b)] / ps:.2f} |"
        if args.flyway:
            row += " " + " / ".join(ms(med.get((w, f))) for f in flyways) + " |"
        print(row)
    for b in builds:
        print(f"| `cutter --version` (floor){'' if b == 'cutter' else ', ' + b} | | {ms(med[('floor', b)])} | |")
    for b in builds:
        print(f"| `cutter preflight`, 10,000 statements{'' if b == 'cutter' else ', ' + b} | | "
              f"{ms(med[('preflight', b)])} | |")
    print()
    for b in builds:
        floor = med[("floor", b)]
        bars = []
        if "b" in workloads:
            bars.append((f"10,000 statements: apply ≤ 1.0× psql ({med[('b', b)] / med[('b', 'psql')]:.2f}×)",
                         med[("b", b)] <= med[("b", "psql")]))
        if "c" in workloads:
            lim = med[("c", "psql")] + floor + 0.6
            bars.append((f"600 functions: apply ≤ psql + floor + 0.6 s ({ms(med[('c', b)])} vs {ms(lim)})",
                         med[("c", b)] <= lim))
        if "a" in workloads:
            bars.append((f"12 tables: apply ≤ floor + 0.6 s ({ms(med[('a', b)])} vs {ms(floor + 0.6)})",
                         med[("a", b)] <= floor + 0.6))
            for f, java in flyways.items():
                if ("a", f) in med:
                    bars.append((f"12 tables: apply < Flyway migrate on {java} ({ms(med[('a', b)])} vs "
                                 f"{ms(med[('a', f)])})", med[("a", b)] < med[("a", f)]))
        bars.append((f"preflight of 10,000 statements ≤ floor + 1.0 s ({ms(med[('preflight', b)])} vs "
                     f"{ms(floor + 1.0)})", med[("preflight", b)] <= floor + 1.0))
        for text, ok in bars:
            print(f"bar ({b}): {text}: {'met' if ok else 'not met'}")
    # the same comparisons round by round (each against psql or Flyway of its own round): steadier where the
    # server's side moves between rounds more than the tools differ; shown beside the bars, not instead of them
    print()
    for b in builds:
        if "b" in workloads:
            r = sorted(x / y for x, y in zip(runs[("b", b)], runs[("b", "psql")]))
            print(f"per round ({b}): 10,000 statements, apply / psql of the same round: median {statistics.median(r):.2f}"
                  f" ({r[0]:.2f} … {r[-1]:.2f})")
        for f in flyways:
            if ("a", f) in runs:
                d = sorted((x - y) * 1000 for x, y in zip(runs[("a", b)], runs[("a", f)]))
                print(f"per round ({b}): 12 tables, apply − Flyway of the same round: median {statistics.median(d):+.0f} ms"
                      f" ({d[0]:+.0f} … {d[-1]:+.0f}), lower in {sum(1 for x in d if x < 0)} of {len(d)}")
    if len(builds) > 1:
        print()
        print("CPU seconds (user + system) of the client process, medians; steadier than wall time on a loaded machine:")
        print()
        print("| row | " + " | ".join(builds) + " |")
        print("|---" * (len(builds) + 1) + "|")
        for row in workloads + ["floor", "preflight"]:
            if all((row, b) in cpu for b in builds):
                label = NAMES.get(row, "`cutter --version`" if row == "floor" else "`cutter preflight` (b)")
                print(f"| {label} | " + " | ".join(f"{statistics.median(cpu[(row, b)]):.2f}" for b in builds) + " |")
        print()
        print("Paired by round (cutter − before), wall ms, median and range:")
        for row in workloads + ["floor", "preflight"]:
            if (row, "before") in runs:
                d = sorted((x - y) * 1000 for x, y in zip(runs[(row, "cutter")], runs[(row, "before")]))
                print(f"  {row}: median {statistics.median(d):+.0f} ms ({d[0]:+.0f} … {d[-1]:+.0f})")
    for f in failures:
        print("FAILED " + f)
    if args.json:
        Path(args.json).write_text(json.dumps({"wall": {f"{k[0]}-{k[1]}": v for k, v in runs.items()},
                                               "cpu": {f"{k[0]}-{k[1]}": v for k, v in cpu.items()}}, indent=1))
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

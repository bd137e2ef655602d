#!/usr/bin/env python3
"""Whole `cutter apply` runs under several builds or JVM options, rounds interleaved (issue 14).

    python3 bench/apply/jvm-configs.py ROUNDS WORKLOADS NAME[@JAVA_HOME]=JAR[=JAVA_OPTS]...

WORKLOADS is any of a, b, c (bench.py's workloads); each NAME runs JAR through bin/cutter, with
CUTTER_JAVA_OPTS=JAVA_OPTS when given (@JSA@ stands for the jar's class-data archive) and
JAVA_HOME=JAVA_HOME when given (the timed apply only; init and signing run on the default JVM). Every apply
goes into a fresh database of one throwaway cluster. Prints, per workload and configuration, the
median wall time and the median CPU time (user + system) of the client, and every run's figures.
XLOG=DIR adds a class-loading log with uptime per run. Not part of the test suite.
"""
import os, sys, statistics, subprocess, tempfile, time, resource, shutil
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench
ROOT = bench.ROOT
rounds = int(sys.argv[1]); wls = sys.argv[2]
cfgs = []
for a in sys.argv[3:]:
    parts = a.split("=", 2)
    name, jar = parts[0], str(Path(parts[1]).resolve())
    name, _, home = name.partition("@")
    opts = parts[2].replace("@JSA@", jar[:-4] + ".jsa") if len(parts) > 2 else None
    cfgs.append((name, jar, opts, home))
launcher = str(ROOT / "bin" / "cutter")
base = dict(os.environ, **{bench.PASS_VAR: "bench-passphrase"})
work = Path(tempfile.mkdtemp(prefix="probe-"))
cl = bench.Cluster(work)
res = {}
try:
    cl.psql("postgres", "create role gov_owner login; create role gov_reader nologin")
    sysid = cl.psql("postgres", "select system_identifier::text from pg_control_system()")
    keys = work / "keys"
    bench.sh([launcher, "keys", "generate", "--name", "B <b@example.invalid>", "--out", str(keys), "--passphrase-env", bench.PASS_VAR], env=base)
    sec = next(keys.glob("*.sec.asc")); trust = work / "trust.yaml"
    trust.write_text(f"keyring: {next(keys.glob('*.pub.asc'))}\nrequire: 1\n")
    scripts = {"a": ROOT / "packages-examples/registry-12-tables/ddl/create-registry.sql", "b": work / "b.sql", "c": work / "c.sql"}
    bench.workload_b(scripts["b"]); bench.workload_c(scripts["c"])
    n = 0
    for r in range(rounds):
        order = cfgs if r % 2 == 0 else cfgs[::-1]
        for w in wls:
            for name, jar, opts, home in order:
                n += 1
                db = f"p{w}{n}"
                cl.psql("postgres", f"create database {db}")
                if w == "a":
                    cl.psql_file(db, ROOT / "packages-examples/registry-12-tables/sandbox/schema.sql")
                cl.psql("postgres", f"grant create on database {db} to gov_owner")
                env = dict(base, CUTTER_JAR=jar)
                bench.sh([launcher, "init", "--target", cl.uri(db), "--grant", "gov_owner"], env=env)
                pkg = work / f"pkg-{db}"
                bench.cutter_package(pkg, scripts[w], w, db, sysid)
                bench.sh([launcher, "package", "sign", str(pkg), "--key", str(sec), "--passphrase-env", bench.PASS_VAR], env=env)
                if opts is not None:
                    env["CUTTER_JAVA_OPTS"] = opts
                if home:
                    env["JAVA_HOME"] = home
                if os.environ.get("XLOG"):
                    o = env.get("CUTTER_JAVA_OPTS") or f"-XX:+UseSerialGC -Xshare:auto -XX:SharedArchiveFile={jar[:-4]}.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
                    env["CUTTER_JAVA_OPTS"] = o + f" -Xlog:class+load:file={os.environ['XLOG']}/{name}-{w}-{r}.log:uptime"
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.monotonic()
                p = subprocess.run([launcher, "apply", str(pkg), "--target", cl.uri(db), "--trust", str(trust), "--report-dir", str(work / "reports" / f"{name}-{w}-{r}")], env=env, text=True, capture_output=True)
                wall = time.monotonic() - t0; r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                if p.returncode != 0:
                    print("FAIL", name, w, p.returncode, p.stdout[-500:], p.stderr[-500:])
                res.setdefault((w, name), []).append((wall, cpu))
                # not dropped before the end: a run after a DROP of (b)'s files creates its own files slower (whole.py)
        print(f"round {r+1} load {os.getloadavg()[0]:.2f}", flush=True)
finally:
    cl.stop()
    shutil.rmtree(work, ignore_errors=True)
print("| wl | cfg | wall med | cpu med | walls | cpus |")
for (w, name), v in res.items():
    print(f"| {w} | {name} | {statistics.median(x[0] for x in v)*1000:.0f} | {statistics.median(x[1] for x in v)*1000:.0f} | "
          + " ".join(f"{x[0]*1000:.0f}" for x in v) + " | " + " ".join(f"{x[1]*1000:.0f}" for x in v) + " |")

#!/usr/bin/env python3
"""Side-by-side apply benchmark: psql, cutter, Flyway and Liquibase on one throwaway server.

Run through bench/apply/run.sh (it builds the Flyway/Liquibase runner first). Starts a private
PostgreSQL from the local server binaries (pg_config --bindir) on a free port, generates three DDL
workloads, applies each with each tool into a fresh database, times it, counts the objects, and
prints a Markdown table. Not part of the test suite.
"""
import argparse
import hashlib
import json
import os
import re
import statistics
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PASS_VAR = "CUTTER_BENCH_PASSPHRASE"


def sh(cmd, env=None, check=True, capture=True):
    r = subprocess.run(cmd, env=env, text=True, capture_output=capture)
    if check and r.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}")
    return r


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


class Cluster:
    def __init__(self, work):
        self.bin = Path(sh(["pg_config", "--bindir"]).stdout.strip())
        self.root = work / "cluster"
        self.root.mkdir()
        os.chmod(work, 0o777)
        os.chmod(self.root, 0o777)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        sh(as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                        "--no-sync"]))
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c log_disconnections=on "
                f"-c log_line_prefix='%m [%p] app=%a ' -c max_connections=50 -c max_locks_per_transaction=1024")
        sh(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", opts, "start"]))

    def stop(self):
        sh(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]), check=False)

    def uri(self, db):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def jdbc(self, db):
        return f"jdbc:postgresql://127.0.0.1:{self.port}/{db}?user=postgres"

    def psql(self, db, sql):
        return sh(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.uri(db), "-c", sql]).stdout.strip()

    def psql_file(self, db, path):
        sh(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.uri(db), "-f", str(path)])


# ---------------------------------------------------------------- workloads

def workload_b(path):
    """10,000 statements over 2,000 tables: table, index, view, E-string comments."""
    out = ["create schema bench;"]
    for i in range(2000):
        out.append(f"create table bench.t{i} (id bigint primary key, name text not null, v numeric(12,2), "
                   f"created timestamptz default now());")
        out.append(f"create index t{i}_name on bench.t{i} (name);")
        out.append(f"create view bench.v{i} as select id, name from bench.t{i} where v > 0;")
        out.append(f"comment on table bench.t{i} is E'table {i}\\nit''s \\\\ quoted; with a semicolon';")
        out.append(f"comment on column bench.t{i}.name is E'name of {i}\\t(tab)';")
    path.write_text("\n".join(out[:1] + out[1:]) + "\n")
    return len(out)


def workload_c(path):
    """600 PL/pgSQL functions with tagged dollar quotes and nested comments."""
    out = ["create schema bench;"]
    for i in range(600):
        out.append(
            f"/* function {i} /* nested comment ; with a semicolon */ still a comment */\n"
            f"create function bench.f{i}(x int) returns int language plpgsql as $fn{i}$\n"
            f"declare\n  s text := $q$it's ; $$ not the end$q$;\n"
            f"begin\n  -- a line comment; with $$ inside\n  if x > {i} then\n    return x - {i};\n  end if;\n"
            f"  return x + length(s);\nend\n$fn{i}$;")
    path.write_text("\n".join(out) + "\n")
    return len(out)


# ---------------------------------------------------------------- cutter packages

def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cutter_package(pkg, artifact, workload, db, sysid):
    pkg.mkdir(parents=True)
    if workload == "a":
        src = ROOT / "packages-examples" / "registry-12-tables"
        shutil.copytree(src / "ddl", pkg / "ddl")
        shutil.copytree(src / "sandbox", pkg / "sandbox")
        text = (src / "package.yaml").read_text()
        text = re.sub(r"(?m)^(  database: ).*$", r"\g<1>" + db, text)
        text = re.sub(r"(?m)^(  system_identifier: ).*$", r'\g<1>"' + sysid + '"', text)
        text = re.sub(r"(?m)^(backup:\n)(?:  .*\n)+", r"\1  required: false\n", text)
        (pkg / "package.yaml").write_text(text)
        return
    shutil.copy(artifact, pkg / "change.sql")
    (pkg / "package.yaml").write_text(f"""apiVersion: cutter/v1
kind: ApplyPackage
id: bench-{workload}
title: bench workload {workload}
authorization: {{ ref: BENCH-{workload}, expires_at: 2030-12-31T23:00:00Z, risk: low }}
target: {{ database: {db}, system_identifier: "{sysid}", apply_role: gov_owner }}
artifact: {{ path: change.sql, sha256: "{sha256(pkg / 'change.sql')}" }}
preflight: []
backup: {{ required: false }}
apply: {{ mode: transaction, lock_timeout: 5s, statement_timeout: 30min }}
verify: []
""")


def apply_gate_seconds(log, start_offset):
    """Session time of the longest 'cutter apply' connection after start_offset in the server log: the
    session that ran the statements (cutter may open a short one first, to see what the login holds)."""
    longest = None
    with open(log, errors="replace") as f:
        f.seek(start_offset)
        for line in f:
            if "app=cutter apply" in line and "disconnection: session time:" in line:
                h, m, s = re.search(r"session time: (\d+):(\d+):([\d.]+)", line).groups()
                t = int(h) * 3600 + int(m) * 60 + float(s)
                longest = t if longest is None else max(longest, t)
    return longest


# ---------------------------------------------------------------- main

def counts(cluster, db, schema):
    q = (f"select (select count(*) from pg_tables where schemaname = '{schema}') || ',' || "
         f"(select count(*) from pg_indexes where schemaname = '{schema}') || ',' || "
         f"(select count(*) from pg_views where schemaname = '{schema}') || ',' || "
         f"(select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = '{schema}')")
    return tuple(int(x) for x in cluster.psql(db, q).split(","))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cutter", default=str(ROOT / "bin" / "cutter"))
    ap.add_argument("--cutter-before", help="another build's bin/cutter, run as tool 'cutter-before' in the same rounds")
    ap.add_argument("--workloads", default="abc", help="which workloads to run, e.g. b")
    ap.add_argument("--tools", default="psql,cutter,flyway,liquibase", help="comma-separated tools to run")
    ap.add_argument("--tools-cp", required=True, help="classpath of the Flyway/Liquibase runner")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool and workload; the best is kept")
    ap.add_argument("--json", help="write raw results here")
    args = ap.parse_args()
    tools = args.tools.split(",") + (["cutter-before"] if args.cutter_before else [])
    workloads = list(args.workloads)

    work = Path(tempfile.mkdtemp(prefix="cutter-bench-"))
    cluster = Cluster(work)
    results = {}
    try:
        cluster.psql("postgres", "create role gov_owner login; create role gov_reader nologin")
        sysid = cluster.psql("postgres", "select system_identifier::text from pg_control_system()")
        env = dict(os.environ, **{PASS_VAR: "bench-passphrase"})
        keys = work / "keys"
        sh([args.cutter, "keys", "generate", "--name", "Bench <bench@example.invalid>", "--out", str(keys),
            "--passphrase-env", PASS_VAR], env=env)
        pub = next(keys.glob("*.pub.asc"))
        sec = next(keys.glob("*.sec.asc"))
        trust = work / "trust.yaml"
        trust.write_text(f"keyring: {pub}\nrequire: 1\n")

        scripts = {"a": ROOT / "packages-examples" / "registry-12-tables" / "ddl" / "create-registry.sql",
                   "b": work / "b.sql", "c": work / "c.sql"}
        workload_b(scripts["b"])
        workload_c(scripts["c"])
        schema = {"a": "governance", "b": "bench", "c": "bench"}
        n = 0
        runs = {}
        for w in workloads:
            # the rounds interleave the tools, so that a drift of the machine's speed falls on all alike
            for rep in range(args.repeat):
                for tool in tools:
                    n += 1
                    db = f"w{w}_{tool.replace('-', '_')}_{rep}"
                    cluster.psql("postgres", f"create database {db}")
                    if w == "a":
                        for f in ("schema.sql",):
                            cluster.psql_file(db, ROOT / "packages-examples" / "registry-12-tables" / "sandbox" / f)
                    r = {"ok": True}
                    if tool == "psql":
                        t0 = time.monotonic()
                        p = sh(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", cluster.uri(db), "-f",
                                str(scripts[w])], check=False)
                        r["wall"] = time.monotonic() - t0
                        r["apply"] = r["wall"]
                    elif tool in ("cutter", "cutter-before"):
                        exe = args.cutter if tool == "cutter" else args.cutter_before
                        # apply_role is an ordinary role that may create here, never the journal's owner
                        cluster.psql("postgres", f"grant create on database {db} to gov_owner")
                        sh([exe, "init", "--target", cluster.uri(db), "--grant", "gov_owner"])
                        pkg = work / f"pkg-{db}"
                        cutter_package(pkg, scripts[w], w, db, sysid)
                        sh([exe, "package", "sign", str(pkg), "--key", str(sec), "--passphrase-env", PASS_VAR],
                           env=env)
                        offset = cluster.log.stat().st_size
                        t0 = time.monotonic()
                        p = sh([exe, "apply", str(pkg), "--target", cluster.uri(db), "--trust", str(trust),
                                "--report-dir", str(work / "reports")], check=False)
                        r["wall"] = time.monotonic() - t0
                        time.sleep(0.3)
                        r["apply"] = apply_gate_seconds(cluster.log, offset)
                    else:
                        tool_dir = work / f"tool-{db}"
                        tool_dir.mkdir()
                        t0 = time.monotonic()
                        p = subprocess.run(["java", "-cp", args.tools_cp, "dev.cutter.bench.apply.Tools", tool,
                                            cluster.jdbc(db), str(scripts[w]), str(tool_dir)], text=True,
                                           capture_output=True, cwd=tool_dir)
                        r["wall"] = time.monotonic() - t0
                        m = re.search(r"apply_seconds=([\d.]+)", p.stdout)
                        r["apply"] = float(m.group(1)) if m else None
                    r["exit"] = p.returncode
                    if p.returncode != 0:
                        lines = (p.stdout + p.stderr).strip().splitlines()
                        reasons = [l.strip() for l in lines if "Reason:" in l or "ERROR:" in l]
                        r["error"] = reasons[:2] if reasons else lines[-3:]
                    r["counts"] = counts(cluster, db, schema[w])
                    runs.setdefault((w, tool), []).append(r)
        for key, rs in runs.items():
            best = min(rs, key=lambda r: r["apply"] or 1e9)
            applies = [r["apply"] for r in rs if r.get("apply") is not None]
            best = dict(best, median_wall=statistics.median(r["wall"] for r in rs), applies=applies,
                        median_apply=statistics.median(applies) if applies else None)
            results[key] = best

        t0 = time.monotonic()
        dr = sh([args.cutter, "dry-run", str(ROOT / "packages-examples" / "registry-12-tables"), "--report-dir",
                 str(work / "reports")], check=False)
        dry = (time.monotonic() - t0, dr.returncode)
    finally:
        cluster.stop()

    print("| workload | tool | exit | whole (s) | median whole (s) | apply step (s) | apply ÷ psql | tables/indexes/views/functions | correct |")
    print("|---|---|---|---|---|---|---|---|---|")
    names = {"a": "(a) 12-table registry", "b": "(b) 10,000 stmts / 2,000 tables", "c": "(c) 600 PL/pgSQL functions"}
    for w in workloads:
        ref = results[(w, "psql")]
        for tool in tools:
            r = results[(w, tool)]
            ratio = f"{r['apply'] / ref['apply']:.2f}×" if r.get("apply") and ref["apply"] else "n/a"
            ok = r["exit"] == 0 and r["counts"] == ref["counts"] and ref["exit"] == 0
            apply = f"{r['apply']:.2f}" if r.get("apply") is not None else "n/a"
            print(f"| {names[w]} | {tool} | {r['exit']} | {r['wall']:.2f} | {r['median_wall']:.2f} | {apply} | {ratio} | "
                  f"{'/'.join(map(str, r['counts']))} | {'yes' if ok else 'NO'} |")
    print()
    print(f"cutter dry-run registry-12-tables: {dry[0]:.2f} s (exit {dry[1]})")
    for key, r in results.items():
        if r.get("error"):
            print(f"{key}: {' / '.join(r['error'])}")
    if args.json:
        Path(args.json).write_text(json.dumps({f"{w}-{t}": r for (w, t), r in results.items()}, indent=1, default=str))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

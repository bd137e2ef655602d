package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.backup.ArchiveVerifier;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of a real {@code cutter apply} process in each phase. After each: the target is fully
 * changed with its journal row or fully unchanged, no file at a backup's final name fails
 * verification, the run lock of the dead run never blocks, and the next run says what happened.
 */
@WithPostgres
class FaultInjectionIT {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private String role(TestDatabase db) {
    String role = db.createRole("fi");
    db.execute("grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  private ChildCutter start(Path pkg, TestDatabase db) {
    return ChildCutter.start(dir.resolve("logs"), Map.of(), "apply", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString(), "--report-dir", dir.resolve("reports").toString());
  }

  private Cli run(Path pkg, TestDatabase db) {
    return start(pkg, db).await(120);
  }

  /** Waits until a session other than ours runs a statement containing {@code marker}. */
  static void awaitStatement(TestDatabase db, ChildCutter child, String marker) throws InterruptedException {
    // not a test session's own poll (its text holds the marker too), which may linger as it closes
    awaitActivity(db, child, "query like '%" + marker + "%' and query not like '%pg_stat_activity%'");
  }

  static void awaitActivity(TestDatabase db, ChildCutter child, String condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!"0".equals(db.queryValue("select count(*) from pg_stat_activity where pid <> pg_backend_pid() and "
          + condition))) {
        return;
      }
      if (!child.alive()) {
        throw new AssertionError("cutter ended before the phase was reached:\n" + child.output());
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the phase was not reached in time:\n" + child.output());
  }

  static void awaitCondition(ChildCutter child, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (!child.alive() || System.nanoTime() > deadline) {
        throw new AssertionError("the phase was not reached:\n" + child.output());
      }
      Thread.sleep(5);
    }
  }

  /** Waits until no session runs a statement containing {@code marker} (the server noticed the dead client). */
  static void awaitGone(TestDatabase db, String marker) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if ("0".equals(db.queryValue("select count(*) from pg_stat_activity where pid <> pg_backend_pid() and query like '%"
          + marker + "%' and state = 'active'"))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("a statement of the killed run is still running after 30 s");
  }

  private static String journal(TestDatabase db) {
    return db.queryValue("select coalesce(string_agg(verdict, ',' order by id), '') from cutter.journal");
  }

  private static boolean exists(TestDatabase db, String table) {
    return "t".equals(db.queryValue("select to_regclass('public." + table + "') is not null"));
  }

  @Test
  void killedDuringPreflightLeavesTheTargetUnchangedAndTheLockFree(TestDatabase db) throws Exception {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "fi-preflight", db, role, "create table fi_pre (id int);\n",
        "[ { sql: { name: slow preflight, query: \"select 0 from pg_sleep(2.01)\", expect: 0 } } ]", "[]", null);

    ChildCutter child = start(pkg, db);
    awaitStatement(db, child, "pg_sleep(2.01)");
    child.kill();

    assertThat(exists(db, "fi_pre")).isFalse();
    assertThat(journal(db)).isEmpty();
    Cli next = run(pkg, db);
    assertThat(next.exit()).as("the dead run's lock does not block: " + next.out() + next.err()).isZero();
    assertThat(exists(db, "fi_pre")).isTrue();
    assertThat(journal(db)).isEqualTo("PASS");
  }

  @Test
  void killedMidApplyBeforeCommitLeavesTheTargetUnchanged(TestDatabase db) throws Exception {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "fi-apply", db, role,
        "create table fi_a (id int);\nselect pg_sleep(2.02);\ncreate table fi_b (id int);\n", "[]", "[]", null);

    ChildCutter child = start(pkg, db);
    awaitStatement(db, child, "pg_sleep(2.02)");
    child.kill();
    awaitGone(db, "pg_sleep(2.02)");

    assertThat(exists(db, "fi_a")).as("nothing of the open transaction survives").isFalse();
    assertThat(exists(db, "fi_b")).isFalse();
    assertThat(journal(db)).isEmpty();
    Cli next = run(pkg, db);
    assertThat(next.exit()).as(next.out() + next.err()).isZero();
    assertThat(exists(db, "fi_a") && exists(db, "fi_b")).isTrue();
    assertThat(journal(db)).isEqualTo("PASS");
  }

  @Test
  void killedBetweenCommitAndReportIsDetectedByTheNextRun(TestDatabase db) throws Exception {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "fi-verify", db, role, "create table fi_v (id int);\n", "[]",
        "[ { sql: { name: slow verify, query: \"select 0 from pg_sleep(2.03)\", expect: 0 } } ]", null);

    ChildCutter child = start(pkg, db);
    // the change commits, then verification sleeps: kill as soon as the commit is visible
    awaitCondition(child, () -> exists(db, "fi_v"));
    child.kill();

    assertThat(exists(db, "fi_v")).as("committed").isTrue();
    assertThat(journal(db)).as("the row committed with the change, never finished").isEqualTo("COMMITTED");
    Cli next = run(pkg, db);
    assertThat(next.exit()).isEqualTo(3);
    assertThat(next.out()).contains("verdict: BLOCKED").contains("committed this package").contains("cutter verify");
    assertThat(reportOf(next)).as("the report says what happened").contains("never finished")
        .contains("run 'cutter verify'");
    assertThat(journal(db)).isEqualTo("COMMITTED");
  }

  @Test
  void aKilledRunsStatementThatRunsOnInTheServerKeepsTheNextRunOut(TestDatabase db) throws Exception {
    String role = role(db);
    db.execute("create table acct (id int primary key, balance int); insert into acct values (1, 100);"
        + " grant select, update on acct to " + role);
    Path pkg = approver.write(dir.resolve("pkg"), "fi-double", db, role,
        "update acct set balance = balance * 2 from pg_sleep(30.07);\n", "[]", "[]", null);
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("mode: transaction", "mode: autocommit"));
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);

    ChildCutter child = start(pkg, db);
    awaitStatement(db, child, "pg_sleep(30.07)");
    child.kill();
    // the client is gone and its run lock with it; its statement runs on and will commit

    Cli next = run(pkg, db);

    assertThat(next.exit()).as("the next run may not start while the statement runs: " + next.out() + next.err())
        .isEqualTo(3);
    assertThat(next.out()).contains("verdict: BLOCKED");
    assertThat(reportOf(next)).as("the report names the session still running").contains("cutter apply ");
    // end the orphaned statement rather than wait for it: the re-run added nothing to it
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where query like '%pg_sleep(30.07)%'"
        + " and pid <> pg_backend_pid()");
    assertThat(db.queryValue("select balance from acct")).as("the re-run did not double it").isEqualTo("100");
  }

  @Test
  @Tag("pgdump")
  void killedMidDumpLeavesNoUnverifiableBackupAtAFinalName(TestDatabase db) throws Exception {
    String role = role(db);
    db.execute("create table big as select g as id, md5(g::text) || md5((g + 1)::text) as v "
        + "from generate_series(1, 1500000) g");
    Path backups = dir.resolve("backups");
    Path pkg = approver.write(dir.resolve("pkg"), "fi-dump", db, role, "create table fi_d (id int);\n", "[]", "[]",
        backups);

    ChildCutter child = start(pkg, db);
    awaitActivity(db, child, "query like 'COPY public.big %' and datname = current_database()");
    Thread.sleep(200);
    child.kill();

    assertThat(exists(db, "fi_d")).isFalse();
    assertThat(journal(db)).isEmpty();
    assertFinalBackupsVerify(backups);
    // the kill leaves the hidden temporary file: exactly what the next run must sweep
    List<String> left = temporaries(backups);
    assertThat(left).singleElement().asString().matches("\\.fi-dump-\\d{8}T\\d{6}Z-[0-9a-f]{4}\\.dump\\.partial");
    Cli next = run(pkg, db);
    assertThat(next.exit()).as(next.out() + next.err()).isZero();
    assertThat(journal(db)).isEqualTo("PASS");
    assertThat(finalBackups(backups)).as("the next run's backup is at its final name").isNotEmpty();
    assertFinalBackupsVerify(backups);
    assertThat(temporaries(backups)).as("no temporary file is left behind").isEmpty();
    assertThat(backups.resolve("quarantine").resolve(left.get(0).substring(1))).exists();
    assertThat(backups.resolve("quarantine").resolve(left.get(0).substring(1) + ".reason")).exists();
  }

  /** The YAML report a run names on stdout. */
  static String reportOf(Cli run) throws IOException {
    String path = run.out().lines().filter(l -> l.startsWith("report: ") && l.endsWith(".yaml")).findFirst()
        .orElseThrow(() -> new AssertionError("no report named in:\n" + run.out())).substring("report: ".length());
    return Files.readString(Path.of(path));
  }

  @Test
  void serverRestartMidApplyLeavesTheTargetUnchangedAndTheNextRunPasses() throws Exception {
    Path bin = LocalCluster.binaries();
    assumeTrue(bin != null, "the PostgreSQL server binaries (pg_config --bindir) are not installed");
    try (LocalCluster c = LocalCluster.start(bin)) {
      c.execute("postgres", "create database fi");
      c.execute("fi", "create role fi_restart login; grant create on schema public to fi_restart");
      Cli init = Cli.run("init", "--target", c.uri("fi"), "--grant", "fi_restart");
      assertThat(init.exit()).as(init.err()).isZero();
      String sysid = c.queryValue("fi", "select system_identifier::text from pg_control_system()");
      Path pkg = approver.write(dir.resolve("pkg"), "fi-restart", "fi", sysid, "fi_restart",
          "create table fi_r1 (id int);\nselect pg_sleep(8.05);\ncreate table fi_r2 (id int);\n", "[]", "[]", null);
      String[] args = {"apply", pkg.toString(), "--target", c.uri("fi"), "--trust", approver.trust().toString(),
          "--report-dir", dir.resolve("reports").toString()};

      ChildCutter child = ChildCutter.start(dir.resolve("logs"), Map.of(), args);
      awaitCondition(child, () -> !"0".equals(c.queryValue("fi", "select count(*) from pg_stat_activity where "
          + "pid <> pg_backend_pid() and application_name like 'cutter apply %' and query like '%pg_sleep(8.05)%'")));
      c.restartImmediate();
      Cli cut = child.await(120);

      // the change is proven rolled back, but the run lock's session died with the server: the baseline cannot be
      // re-read under the lock, so the run escalates rather than claim a verified unchanged target
      assertThat(cut.exit()).as("the run whose server restarted does not pass: " + cut.out() + cut.err()).isEqualTo(6);
      assertThat(cut.out()).contains("verdict: ESCALATE (exit 6), production changed: no");
      assertThat(cut.out()).as("it still reports").contains("verdict: ");
      assertThat(reportOf(cut)).as("the server proved the transaction ended without COMMIT")
          .contains("  transaction: rolled_back\n").contains("the connection was lost before COMMIT was sent and the"
              + " apply's transaction has ended (the change key is free): rolled back");
      String table = "select to_regclass('public.fi_r1') is not null or to_regclass('public.fi_r2') is not null";
      assertThat(c.queryValue("fi", table)).as("nothing of the cut transaction survives").isEqualTo("f");
      assertThat(c.queryValue("fi", "select count(*) from cutter.journal")).isEqualTo("0");
      Cli next = ChildCutter.run(dir.resolve("logs"), Map.of(), 120, args);
      assertThat(next.exit()).as(next.out() + next.err()).isZero();
      assertThat(c.queryValue("fi", table)).isEqualTo("t");
      assertThat(c.queryValue("fi", "select string_agg(verdict, ',') from cutter.journal")).isEqualTo("PASS");
    }
  }

  /** The hidden temporary files in {@code backups} (cutter's own lock file aside). */
  static List<String> temporaries(Path backups) throws IOException {
    try (Stream<Path> s = Files.list(backups)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && !n.equals(".cutter-backup.lock"))
          .sorted().toList();
    }
  }

  static List<Path> finalBackups(Path backups) throws IOException {
    if (!Files.isDirectory(backups)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(backups)) {
      return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> p.getFileName().toString().endsWith(".dump")).toList();
    }
  }

  static void assertFinalBackupsVerify(Path backups) throws IOException {
    for (Path f : finalBackups(backups)) {
      assertThatCode(() -> {
        try (InputStream in = Files.newInputStream(f)) {
          ArchiveVerifier.verify(in);
        }
      }).as("%s at its final name verifies", f.getFileName()).doesNotThrowAnyException();
    }
  }
}

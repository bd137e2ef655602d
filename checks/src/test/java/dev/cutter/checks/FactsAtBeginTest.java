package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19.6: what P1 proved is proved again inside the apply's transaction. The backup is the
 * slow step between the two; here a stand-in backup lets another session act during it, with
 * the real P1 checks, the real apply engine and the real server.
 */
@WithPostgres
class FactsAtBeginTest {

  @TempDir
  Path dir;


  /** The apply role of the test: owner of schema app, granted the journal, not its owner. */
  private String app;

  private ApplyPackage pkg(TestDatabase db, String sql) throws Exception {
    ApplyPackage p = Packages.write(dir, db, app, sql, Packages.FLAGGED_CHECK);
    BackupPolicy backup = new BackupPolicy(true, List.of(), dir.resolve("backups"), 0, List.of(), Optional.empty());
    return Packages.with(p, p.preflight(), backup);
  }

  private void seed(TestDatabase db) throws SQLException {
    app = Packages.seedFlagged(db);
  }

  /**
   * A partitioned app.orders and a table of schema billing with a row, both apply_role's, and the package of {@code sql}
   * with a backup scoped to app.
   */
  private ApplyPackage ordersAndATableOutsideTheScope(TestDatabase db, String sql) throws Exception {
    seed(db);
    db.execute("create table app.orders (id int, y int) partition by range (y)");
    db.execute("alter table app.orders owner to " + app);
    db.execute("create schema billing");
    db.execute("create table billing.orders_2021 (id int, y int)");
    db.execute("alter table billing.orders_2021 owner to " + app);
    db.execute("insert into billing.orders_2021 values (1, 2021)");
    ApplyPackage p = pkg(db, sql);
    return Packages.with(p, p.preflight(),
        new BackupPolicy(true, List.of("app"), dir.resolve("backups"), 0, List.of(), Optional.empty()));
  }

  /** A backup that lets {@code meanwhile} run from another session, then reports PASS. */
  static Steps.Backup slowBackup(TestDatabase db, String meanwhile) {
    return (target, p, runId) -> {
      db.execute(meanwhile);
      Instant now = Instant.now();
      return new RunReport.BackupInfo("PASS", "/backups/x.dump", "custom", "1.15", 4096L, "a".repeat(64), null, List.of(),
          10, 1, "15", now, now, null);
    };
  }

  private static RunReport apply(TestDatabase db, ApplyPackage p, String sql, Steps.Backup backup) {
    ConnectionSpec login = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), "postgres", Optional.empty());
    Preflight checks = new Preflight(Preflight.installedTypes(), x -> Packages.statements(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    Steps.Integrity ok = (x, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR"));
    ApplyRun run = new ApplyRun(ok, checks, backup, Clock.systemUTC());
    return run.execute(new ApplyRun.Request(p, Packages.statements(sql), false, List.of(), login, (s, r) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC())), r -> "f".repeat(64));
  }

  private static GateResult applyGate(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow();
  }

  @Test
  void aRowInsertedDuringTheBackupBlocksTheDropP1Cleared(TestDatabase db) throws Exception {
    seed(db);
    String sql = "drop table app.t";
    RunReport r = apply(db, pkg(db, sql), sql, slowBackup(db, "insert into app.t values (2, true)"));

    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.PREFLIGHT)).singleElement()
        .extracting(GateResult::status).as("P1 saw no flagged row").isEqualTo(GateStatus.PASS);
    assertThat(r.verdict()).as("the row appeared between P1 and BEGIN").isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(applyGate(r).message()).contains("no flagged rows");
    assertThat(applyGate(r).checks()).extracting(CheckResult::id).contains("sql#1");
    assertThat(db.queryValue("select count(*) from app.t")).as("table intact, row kept").isEqualTo("2");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  /**
   * B7 at BEGIN: P1 found no partition of app.orders outside the backup scope; another session
   * attaches one from schema billing, with rows, while the backup (scoped to app) runs. The backup
   * does not hold it, and the DELETE would empty it: the reach is read again at BEGIN.
   */
  @Test
  void aPartitionAttachedFromOutsideTheScopeDuringTheBackupBlocksAtBegin(TestDatabase db) throws Exception {
    String sql = "delete from app.orders";
    ApplyPackage scoped = ordersAndATableOutsideTheScope(db, sql);

    RunReport r = apply(db, scoped, sql,
        slowBackup(db, "alter table app.orders attach partition billing.orders_2021 for values from (2021) to (2022)"));

    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.PREFLIGHT)).singleElement()
        .extracting(GateResult::status).as("P1 saw no partition outside the scope").isEqualTo(GateStatus.PASS);
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(r).message()).contains("billing.orders_2021");
    assertThat(db.queryValue("select count(*) from billing.orders_2021")).as("rows kept").isEqualTo("1");
  }

  /**
   * B16: BEGIN's recheck passed and the change holds ROW EXCLUSIVE on app.orders, which ATTACH PARTITION (SHARE UPDATE
   * EXCLUSIVE on the parent) does not wait for: another session attaches billing.orders_2021, with rows, after BEGIN and
   * before the change's DELETE, which empties it. The backup scoped to app never held those rows.
   */
  @Test
  void aPartitionAttachedFromOutsideTheScopeAfterBeginIsNotEmptiedUnseen(TestDatabase db) throws Exception {
    String sql = "select pg_catalog.pg_sleep(4);\ndelete from app.orders;";
    ApplyPackage scoped = ordersAndATableOutsideTheScope(db, sql);
    Thread other = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        if (!db.queryValue("select count(*) from pg_catalog.pg_stat_activity where query like 'select pg_catalog.pg_sleep(4)%'"
            + " and pid <> pg_catalog.pg_backend_pid()").equals("0")) {
          db.execute("alter table app.orders attach partition billing.orders_2021 for values from (2021) to (2022)");
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    other.start();
    RunReport r = apply(db, scoped, sql, slowBackup(db, "select 1"));
    other.join();

    assertThat(db.queryValue("select count(*) from pg_catalog.pg_inherits where inhrelid = 'billing.orders_2021'::regclass"))
        .as("attached while the change ran").isEqualTo("1");
    assertThat(db.queryValue("select count(*) from billing.orders_2021")).as("rows kept (verdict %s)", r.verdict())
        .isEqualTo("1");
    assertThat(r.verdict()).as("the change ran first, the attach waited for it").isEqualTo(Verdict.PASS);
  }

  @Test
  void aColumnAddedBetweenP1AndBeginToATouchedTableBlocksNamingIt(TestDatabase db) throws Exception {
    seed(db);
    String sql = "alter table app.t add column note text";
    RunReport r = apply(db, pkg(db, sql), sql, slowBackup(db, "alter table app.t add column secret_ref int"));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(r).message()).contains("begin:catalog").contains("added: app.t column secret_ref");
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.t'::regclass and attname = 'note'"))
        .as("the change did not run").isEqualTo("0");
  }

  @Test
  void autocommitModeRechecksInATransactionOfItsOwnBeforeTheFirstStatement(TestDatabase db) throws Exception {
    seed(db);
    String sql = "drop table app.t";
    ApplyPackage p = pkg(db, sql);
    ApplyPackage auto = new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(),
        p.target(), p.artifact(), p.preflight(), p.backup(),
        new dev.cutter.core.model.ApplySettings(dev.cutter.core.model.ApplySettings.Mode.AUTOCOMMIT,
            Duration.ofSeconds(2), Duration.ofMinutes(1)), p.verify(), p.rollback(), p.sandbox(), p.source());
    RunReport r = apply(db, auto, sql, slowBackup(db, "insert into app.t values (2, true)"));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.applySettings().mode()).isEqualTo("autocommit");
    assertThat(db.queryValue("select count(*) from app.t")).isEqualTo("2");
  }

  @Test
  void unchangedFactsApplyAndTheLocksAreNamed(TestDatabase db) throws Exception {
    seed(db);
    String sql = "alter table app.t add column note text";
    RunReport r = apply(db, pkg(db, sql), sql, slowBackup(db, "select 1"));

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(applyGate(r).checks()).filteredOn(c -> c.id().equals("begin:locks")).singleElement()
        .extracting(CheckResult::actual).asString().contains("ACCESS EXCLUSIVE on app.t");
  }

  @Test
  void aRecheckCannotWriteInTheApplyTransactionAndLeavesItUsable(TestDatabase db) throws Exception {
    seed(db);
    db.execute("create function app.sneak() returns boolean language sql as"
        + " $$ insert into app.t values (99, false) returning true $$");
    try (Connection c = db.superuser()) {
      c.setAutoCommit(false);
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("insert into app.t values (3, false)");
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.cutter.core.check.BeginRecheck.readOnly(c, x -> {
        try (java.sql.Statement st = x.createStatement()) {
          return st.executeQuery("select app.sneak()").next();
        }
      })).isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("25006");
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("insert into app.t values (4, false)");
      }
      c.commit();
    }
    assertThat(db.queryValue("select string_agg(id::text, ',' order by id) from app.t"))
        .as("the apply transaction writes again after the read-only re-check; the check's write is gone").isEqualTo("1,3,4");
  }

  @Test
  void aCheckThatEndsTheRunLocksSessionStopsTheRunBeforeTheBackup(TestDatabase db) throws Exception {
    seed(db);
    String sql = "alter table app.t add column note text";
    String kill = "select pg_catalog.count(pg_catalog.pg_terminate_backend(l.pid)) >= 0 from pg_catalog.pg_locks l"
        + " where l.locktype = 'advisory' and l.classid = 25461 and l.objid = 1953785202 and l.granted";
    RunReport r = LockSessionAtBeginTest.runWithCheck(db, dir, app, sql, kill);

    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.PREFLIGHT)).singleElement()
        .extracting(GateResult::status).as("the check ran and passed").isEqualTo(GateStatus.PASS);
    assertThat(r.verdict()).as("the run lock is gone").isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.BACKUP)).singleElement()
        .extracting(GateResult::status).isEqualTo(GateStatus.NOT_RUN);
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.t'::regclass and attname = 'note'"))
        .as("the change did not run").isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }
}

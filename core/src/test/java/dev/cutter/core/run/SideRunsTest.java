package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * verify and rollback against a real server. The integrity and check steps are simple stand-ins that
 * ask the real database (their own modules test them); what the database decides — commit,
 * rollback, baseline, journal, lock — is real.
 */
@WithPostgres
class SideRunsTest {

  private static final CheckSpec TABLE_T_EXISTS = ApplyRunTest.TABLE_T_EXISTS;

  private static SideRuns runs(TestDatabase db) {
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    return new SideRuns(ok, ApplyRunTest.checksOn(db), (spec, role) -> Optional.empty(), Clock.systemUTC());
  }

  private static ConnectionSpec login(TestDatabase db) {
    return new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
  }

  private static Rollback rollback(CheckSpec precondition) {
    return new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])),
        List.of(precondition));
  }

  /** A package approved for the test database, applied by apply_role postgres. */
  private static ApplyPackage approved(TestDatabase db, String sha, List<CheckSpec> verify, Rollback rollback) {
    return ApplyRunTest.pkg(sha, ApplyRunTest.targetOf(db, "postgres"), Instant.parse("2099-01-01T00:00:00Z"), verify,
        rollback, ApplySettings.Mode.TRANSACTION);
  }

  /** The journal row an apply of {@code p} leaves on the target. */
  private static void applied(TestDatabase db, ApplyPackage p) {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
      Journal.recordCommit(c, p.id(), p.sha256(), RunIds.next(Clock.systemUTC()), List.of(), "postgres", "postgres",
          Instant.now());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void verifyPassesOnlyWhenTheChangeIsInPlace(TestDatabase db) {
    ApplyPackage p = approved(db, "1".repeat(64), List.of(TABLE_T_EXISTS), null);
    RunReport before = runs(db).verify(p, login(db), "20260101T000000Z-0001");
    assertThat(before.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(before.exitCode()).isEqualTo(3);
    db.execute("create table t(a int)");
    RunReport after = runs(db).verify(p, login(db), "20260101T000000Z-0002");
    assertThat(after.verdict()).isEqualTo(Verdict.PASS);
    assertThat(after.gates()).extracting(GateResult::id).containsExactly(GateIds.SIGNATURE, GateIds.IDENTITY,
        GateIds.VERIFY);    assertThat(after.gates()).as("every gate of the verify verb is timed").allMatch(g -> g.durationMs() != null);
    assertThat(after.statements()).as("no artifact ran").isNull();
  }

  @Test
  void verifyOfAPackageTheIntegrityGateRefusesConnectsNowhere(TestDatabase db) {
    ApplyPackage p = approved(db, "1".repeat(64), List.of(TABLE_T_EXISTS), null);
    Steps.Integrity refused = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.FAIL, null, null, "no valid signature", List.of())),
        List.of());
    ConnectionSpec closedPort = new ConnectionSpec("localhost", 1, db.name(), "postgres", Optional.empty());

    RunReport r = new SideRuns(refused, ApplyRunTest.checksOn(db), (spec, role) -> Optional.empty(), Clock.systemUTC())
        .verify(p, closedPort, "20260101T000000Z-000a");

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.gates()).filteredOn(g -> g.status() == GateStatus.FAIL).extracting(GateResult::id)
        .as("refused by the integrity gate, not by a connection error").containsExactly(GateIds.SIGNATURE);
  }

  @Test
  void verifyAgainstAnotherDatabaseIsBlockedByTheIdentityGate(TestDatabase db) {
    db.execute("create table t(a int)");
    ApplyPackage p = ApplyRunTest.pkg("1".repeat(64), new Target("shop_other", ApplyRunTest.targetOf(db, "postgres")
        .systemIdentifier(), Optional.empty(), "postgres", Optional.empty()), Instant.parse("2099-01-01T00:00:00Z"),
        List.of(TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION);

    RunReport r = runs(db).verify(p, login(db), "20260101T000000Z-000b");

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.IDENTITY)).singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.FAIL));
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.VERIFY)).singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.NOT_RUN));
  }

  @Test
  void rollbackRunsOnlyWhenItsPreconditionHoldsAndRecordsItsOwnRun(TestDatabase db) {
    ApplyPackage notYet = approved(db, "2".repeat(64), List.of(), rollback(TABLE_T_EXISTS));
    applied(db, notYet);
    RunReport refused = runs(db).rollback(notYet, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0003");
    assertThat(refused.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(refused.rollback().status()).isEqualTo(dev.cutter.core.run.RunStatus.Rollback.NOT_APPLICABLE);

    db.execute("create table t(a int)");
    RunReport done = runs(db).rollback(notYet, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0004", r -> "e".repeat(64));
    assertThat(done.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select verdict || ' ' || report_sha256 from cutter.journal where run_id = "
        + "'20260101T000000Z-0004'")).isEqualTo("ROLLBACK_PASS " + "e".repeat(64));

    db.execute("create table t(a int)");
    RunReport twice = runs(db).rollback(notYet, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0007");
    assertThat(twice.verdict()).as("a package is rolled back once").isEqualTo(Verdict.BLOCKED);
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).isEqualTo("t");
  }

  @Test
  void rollbackAgainstAnotherDatabaseOfTheServerIsBlockedAndDropsNothing(TestDatabase db) throws SQLException {
    ApplyPackage p = approved(db, "8".repeat(64), List.of(), rollback(TABLE_T_EXISTS));
    applied(db, p);
    String other = TestDatabase.unique("shop_other");
    db.execute("create database " + other);
    try {
      try (Connection c = db.server().superuserConnection(other); java.sql.Statement st = c.createStatement()) {
        st.execute("create table t(a int)");
      }
      ConnectionSpec otherTarget = new ConnectionSpec("localhost", db.server().port(), other, "postgres",
          Optional.empty());
      // the stand-in precondition looks at the package's own database, where t is: only identity can refuse
      db.execute("create table t(a int)");

      RunReport r = runs(db).rollback(p, ApplyRunTest.stmts("drop table t"), otherTarget, Duration.ZERO,
          "20260101T000000Z-0008");

      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.IDENTITY)).singleElement()
          .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.FAIL));
      try (Connection c = db.server().superuserConnection(other); java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("select to_regclass('public.t') is not null")) {
        rs.next();
        assertThat(rs.getBoolean(1)).as("the other database's table is intact").isTrue();
      }
    } finally {
      db.execute("drop database " + other + " with (force)");
    }
  }

  @Test
  void rollbackOfAPackageNeverAppliedHereIsBlocked(TestDatabase db) {
    ApplyPackage p = approved(db, "9".repeat(64), List.of(), rollback(TABLE_T_EXISTS));
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    db.execute("create table t(a int)");

    RunReport r = runs(db).rollback(p, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0009");

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.JOURNAL)).singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.FAIL));
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("table intact").isEqualTo("t");
  }

  @Test
  void failingRollbackIsRolledBackAndReportedFailed(TestDatabase db) {
    db.execute("create table t(a int)");
    ApplyPackage p = approved(db, "3".repeat(64), List.of(), rollback(TABLE_T_EXISTS));
    applied(db, p);
    RunReport r = runs(db).rollback(p, ApplyRunTest.stmts("drop table t", "drop table nope"), login(db), Duration.ZERO,
        "20260101T000000Z-0005");
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().index()).isEqualTo(2);
    assertThat(r.statements().ran()).as("both statements sent, each timed")
        .extracting(dev.cutter.core.exec.StatementTiming::text).containsExactly("drop table t", "drop table nope");
    assertThat(r.statements().locksHeldMs()).isNotNull();
    assertThat(r.gates()).filteredOn(g -> g.status() != GateStatus.NOT_RUN).allMatch(g -> g.durationMs() != null);
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("first drop undone").isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal where verdict like 'ROLLBACK%'"))
        .as("a rollback that did not commit leaves no row").isEqualTo("0");
  }

  @Test
  void packageWithoutRollbackIsBlocked(TestDatabase db) {
    ApplyPackage p = approved(db, "4".repeat(64), List.of(), null);
    assertThat(runs(db).rollback(p, List.of(), login(db), Duration.ZERO, "20260101T000000Z-0006").verdict())
        .isEqualTo(Verdict.BLOCKED);
  }
}

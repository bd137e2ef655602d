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

  @Test
  void verifyPassesOnlyWhenTheChangeIsInPlace(TestDatabase db) {
    ApplyPackage p = ApplyRunTest.pkg("1".repeat(64), List.of(TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION);
    RunReport before = runs(db).verify(p, login(db), "20260101T000000Z-0001");
    assertThat(before.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(before.exitCode()).isEqualTo(3);
    db.execute("create table t(a int)");
    assertThat(runs(db).verify(p, login(db), "20260101T000000Z-0002").verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void rollbackRunsOnlyWhenItsPreconditionHolds(TestDatabase db) {
    ApplyPackage notYet = ApplyRunTest.pkg("2".repeat(64), List.of(), rollback(TABLE_T_EXISTS), ApplySettings.Mode.TRANSACTION);
    RunReport refused = runs(db).rollback(notYet, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0003");
    assertThat(refused.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(refused.rollback().status()).isEqualTo("NOT_APPLICABLE");

    db.execute("create table t(a int)");
    RunReport done = runs(db).rollback(notYet, ApplyRunTest.stmts("drop table t"), login(db), Duration.ZERO,
        "20260101T000000Z-0004");
    assertThat(done.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }

  @Test
  void failingRollbackIsRolledBackAndReportedFailed(TestDatabase db) {
    db.execute("create table t(a int)");
    ApplyPackage p = ApplyRunTest.pkg("3".repeat(64), List.of(), rollback(TABLE_T_EXISTS), ApplySettings.Mode.TRANSACTION);
    RunReport r = runs(db).rollback(p, ApplyRunTest.stmts("drop table t", "drop table nope"), login(db), Duration.ZERO,
        "20260101T000000Z-0005");
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().index()).isEqualTo(2);
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("first drop undone").isEqualTo("t");
  }

  @Test
  void packageWithoutRollbackIsBlocked(TestDatabase db) {
    ApplyPackage p = ApplyRunTest.pkg("4".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION);
    assertThat(runs(db).rollback(p, List.of(), login(db), Duration.ZERO, "20260101T000000Z-0006").verdict())
        .isEqualTo(Verdict.BLOCKED);
  }
}

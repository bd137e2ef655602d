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
 * The pipeline against a real server. The integrity and check steps are simple stand-ins that
 * ask the real database (their own modules test them); what the database decides — commit,
 * rollback, baseline, journal, lock — is real.
 */
@WithPostgres
class ApplyRunTest {

  static final CheckSpec TABLE_T_EXISTS = new CheckSpec("t_exists", new YamlValue.Scalar("true", true,
      "tag:yaml.org,2002:bool", SourcePosition.UNKNOWN), SourcePosition.UNKNOWN);
  static final CheckSpec ALWAYS_FAILS = new CheckSpec("fails", new YamlValue.Scalar("true", true,
      "tag:yaml.org,2002:bool", SourcePosition.UNKNOWN), SourcePosition.UNKNOWN);

  private final AtomicReference<RunReport> written = new AtomicReference<>();

  static ApplyPackage pkg(String sha, List<CheckSpec> verify, Rollback rollback, ApplySettings.Mode mode) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0]));
    return new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), sha, "test-pkg", "Test",
        new Authorization("REF-1", Instant.parse("2099-01-01T00:00:00Z"), Risk.LOW, List.of()),
        new Target("db", "1", Optional.empty(), "postgres", Optional.empty()), art, List.of(), BackupPolicy.none(),
        new ApplySettings(mode, Duration.ofSeconds(2), Duration.ofMinutes(1)), verify, Optional.ofNullable(rollback),
        Sandbox.empty(), FileContent.of(new byte[0]));
  }

  static List<ExecStatement> stmts(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, texts[i]));
    }
    return out;
  }

  static Steps.Checks checksOn(TestDatabase db) {
    return new Steps.Checks() {
      @Override
      public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
        return List.of(CheckResult.pass("identity", "db", "db", null));
      }

      @Override
      public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> specs) {
        List<CheckResult> out = new ArrayList<>();
        for (CheckSpec s : specs) {
          if (s.name().equals("fails")) {
            out.add(CheckResult.fail("fails", "x", "y", "always fails"));
          } else {
            String exists = db.queryValue("select to_regclass('public.t') is not null");
            out.add("t".equals(exists) ? CheckResult.pass("t_exists", "t", "t", null)
                : CheckResult.fail("t_exists", "table t", "absent", "table t is missing"));
          }
        }
        return out;
      }
    };
  }

  private RunReport run(TestDatabase db, ApplyPackage p, List<ExecStatement> s, List<ExecStatement> rb) {
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    Steps.Backup none = (t, pk, id) -> null;
    ApplyRun run = new ApplyRun(ok, checksOn(db), none, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(p, s, false, rb, login, (spec, role) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return run.execute(req, r -> {
      written.set(r);
      return "f".repeat(64);
    });
  }

  private static void init(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
  }

  @Test
  void passesAndJournalsTheCommit(TestDatabase db) throws SQLException {
    init(db);
    RunReport r = run(db, pkg("1".repeat(64), List.of(TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)"), List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.productionChanged()).isTrue();
    assertThat(written.get()).isSameAs(r);
    assertThat(db.queryValue("select verdict || ' ' || report_sha256 from cutter.journal"))
        .isEqualTo("PASS " + "f".repeat(64));
    assertThat(r.gates()).extracting(GateResult::id).containsExactlyElementsOf(GateIds.APPLY_ORDER);
  }

  @Test
  void replayOfAnAppliedPackageIsBlocked(TestDatabase db) throws SQLException {
    init(db);
    ApplyPackage p = pkg("2".repeat(64), List.of(TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION);
    assertThat(run(db, p, stmts("create table t(a int)"), List.of()).verdict()).isEqualTo(Verdict.PASS);
    RunReport again = run(db, p, stmts("create table t(a int)"), List.of());
    assertThat(again.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(again.gates()).filteredOn(g -> g.id().equals(GateIds.LOCK)).singleElement()
        .extracting(GateResult::message).asString().contains("already applied");
  }

  @Test
  void failedStatementLeavesTargetUnchangedAndVerified(TestDatabase db) throws SQLException {
    init(db);
    RunReport r = run(db, pkg("3".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)", "create table t(a int)"), List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().failedStatement().index()).isEqualTo(2);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42P07");
    assertThat(r.verification().note()).isEqualTo("target unchanged, verified");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void verifyFailureRunsTheRollbackAndRestoresTheBaseline(TestDatabase db) throws SQLException {
    init(db);
    Rollback rb = new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])),
        List.of(TABLE_T_EXISTS));
    RunReport r = run(db, pkg("4".repeat(64), List.of(ALWAYS_FAILS), rb, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)"), stmts("drop table t"));
    assertThat(r.verdict()).isEqualTo(Verdict.ROLLED_BACK);
    assertThat(r.rollback().status()).isEqualTo("EXECUTED");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo("ROLLED_BACK");
  }

  @Test
  void rollbackWhosePreconditionFailsEscalates(TestDatabase db) throws SQLException {
    init(db);
    Rollback rb = new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])),
        List.of(ALWAYS_FAILS));
    RunReport r = run(db, pkg("5".repeat(64), List.of(ALWAYS_FAILS), rb, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)"), stmts("drop table t"));
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.rollback().status()).isEqualTo("NOT_APPLICABLE");
    assertThat(r.exitCode()).isEqualTo(6);
  }

  @Test
  void rollbackThatDoesNotRestoreTheBaselineEscalates(TestDatabase db) throws SQLException {
    init(db);
    Rollback rb = new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])),
        List.of(TABLE_T_EXISTS));
    RunReport r = run(db, pkg("6".repeat(64), List.of(ALWAYS_FAILS), rb, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)", "create table u(a int)"), stmts("drop table t"));
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.rollback().status()).isEqualTo("EXECUTED");
  }

  @Test
  void autocommitFailureAfterACommitEscalatesAndListsWhatCommitted(TestDatabase db) throws SQLException {
    init(db);
    RunReport r = run(db, pkg("7".repeat(64), List.of(), null, ApplySettings.Mode.AUTOCOMMIT),
        stmts("create table t(a int)", "create table t(a int)"), List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.apply().committedStatements()).containsExactly(1);
  }

  @Test
  void autocommitFailureAtTheFirstStatementIsFailed(TestDatabase db) throws SQLException {
    init(db);
    RunReport r = run(db, pkg("8".repeat(64), List.of(), null, ApplySettings.Mode.AUTOCOMMIT),
        stmts("select * from nope", "create table t(a int)"), List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
  }

  @Test
  void secondRunWhileTheLockIsHeldIsBlocked(TestDatabase db) throws SQLException {
    init(db);
    try (Connection holder = db.superuser()) {
      holder.createStatement().execute("select pg_advisory_lock(" + 0x637574746572L + ")");
      RunReport r = run(db, pkg("9".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
          stmts("create table t(a int)"), List.of());
      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.LOCK)).singleElement()
          .extracting(GateResult::actual).asString().contains("pid");
    }
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }
}

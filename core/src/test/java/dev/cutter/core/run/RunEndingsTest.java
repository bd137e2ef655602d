package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.awaitActivity;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.core.model.YamlValue;
import dev.cutter.core.run.RunStatus.Transaction;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every ending of a run against the real server: the verdict, its exit code, the report's
 * transaction and rollback status, and the journal row(s) it leaves — and whether that row keeps
 * a replay of the same package out. Statements carry lines that differ from their indexes (the
 * artifact's statement 2 starts on line 7), so a swap of the two is caught.
 */
@WithPostgres
class RunEndingsTest {

  private final AtomicReference<RunReport> written = new AtomicReference<>();

  /** Statement i (1-based) starts on line 5i - 3: 2, 7, 12, … */
  static List<ExecStatement> lined(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, 5 * (i + 1) - 3, texts[i]));
    }
    return out;
  }

  /** A check the database decides: {@code query} must return true for the login role. */
  static CheckSpec sql(String query) {
    return new CheckSpec("sql", new YamlValue.Scalar(query, false, "tag:yaml.org,2002:str", SourcePosition.UNKNOWN),
        SourcePosition.UNKNOWN);
  }

  /**
   * Checks whose lists run on the real server: {@code sql} specs run their query as the login role
   * and hold when it returns true; the others as {@link ApplyRunTest#checksOn}. Preflight passes.
   */
  static Steps.Checks dbChecks(TestDatabase db) {
    Steps.Checks plain = ApplyRunTest.checksOn(db);
    return new Steps.Checks() {
      @Override
      public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
        return plain.preflight(target, pkg, sandbox);
      }

      @Override
      public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> specs) {
        List<CheckResult> out = new ArrayList<>();
        for (CheckSpec s : specs) {
          if (!s.name().equals("sql")) {
            out.addAll(plain.run(target, pkg, List.of(s)));
            continue;
          }
          String q = ((YamlValue.Scalar) s.args()).value();
          try (Connection c = dev.cutter.core.db.Connections.open(target, "cutter checks");
              java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("select " + q)) {
            rs.next();
            String got = String.valueOf(rs.getBoolean(1));
            out.add(rs.getBoolean(1) ? CheckResult.pass("sql", "true", got, null)
                : CheckResult.fail("sql", new Cause.CheckQueryDiffers("sql", "true", got), "true", got, q + " is false"));
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }
        return out;
      }
    };
  }

  static Rollback rollback(List<CheckSpec> precondition) {
    return new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0])), precondition);
  }

  private String app(TestDatabase db) throws SQLException {
    String role = db.createRole("end");
    db.execute("grant create on schema public to " + role);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(role));
    }
    return role;
  }

  static ApplyPackage pkg(TestDatabase db, String sha, String role, List<CheckSpec> verify, Rollback rb,
      ApplySettings.Mode mode) {
    return ApplyRunTest.pkg(sha, new Target(db.name(), "1", Optional.empty(), role, Optional.empty()),
        Instant.parse("2099-01-01T00:00:00Z"), verify, rb, mode);
  }

  private RunReport run(TestDatabase db, ApplyRun run, String role, ApplyPackage p, List<ExecStatement> s,
      List<ExecStatement> rb, String runId) {
    return run(run, ApplyRunTest.login(db, role), p, s, rb, runId);
  }

  private RunReport run(ApplyRun run, ConnectionSpec login, ApplyPackage p, List<ExecStatement> s,
      List<ExecStatement> rb, String runId) {
    ApplyRun.Request req = new ApplyRun.Request(p, s, false, rb, login, (spec, r) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, runId);
    return run.execute(req, r -> {
      written.set(r);
      return "e".repeat(64);
    });
  }

  private RunReport run(TestDatabase db, String role, ApplyPackage p, List<ExecStatement> s, List<ExecStatement> rb) {
    return run(db, new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), role, p, s, rb,
        RunIds.next(Clock.systemUTC()));
  }

  /** The journal's rows for a package, as "verdict:report digest set" in order. */
  private static String journal(TestDatabase db, String sha) {
    return db.queryValue("select coalesce(string_agg(verdict || ':' || (report_sha256 is not null), ',' order by id),"
        + " '') from cutter.journal where package_sha256 = '" + sha + "'");
  }

  /** Runs {@code p} again: a package whose journal row exists, whatever its verdict, is BLOCKED. */
  private void assertReplayBlocked(TestDatabase db, String role, ApplyPackage p, String verdict, boolean unfinished) {
    RunReport again = run(db, role, p, lined("create table replayed(a int)"), List.of());
    assertThat(again.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(again.exitCode()).isEqualTo(3);
    assertThat(again.productionChanged()).isFalse();
    GateResult lock = gate(again, GateIds.LOCK);
    assertThat(lock.cause()).isInstanceOfSatisfying(Cause.PackageAlreadyConsumed.class, c -> {
      assertThat(c.verdict()).isEqualTo(verdict);
      assertThat(c.unfinished()).isEqualTo(unfinished);
    });
    assertThat(db.queryValue("select to_regclass('public.replayed') is null")).isEqualTo("t");
  }

  static GateResult gate(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- PASS, FAILED, ROLLED_BACK

  @Test
  void passCommitsVerifiesAndFinishesItsRowWhichBlocksAReplay(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "1".repeat(64), role, List.of(sql("to_regclass('public.t') is not null")), null,
        ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)", "insert into t values (1)"), List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(r.exitCode()).isZero();
    assertThat(r.productionChanged()).isTrue();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.COMMITTED);
    assertThat(r.apply().committedStatements()).containsExactly(1, 2);
    assertThat(r.apply().failedStatement()).isNull();
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.NOT_RUN);
    assertThat(journal(db, p.sha256())).isEqualTo("PASS:true");
    assertReplayBlocked(db, role, p, "PASS", false);
  }

  @Test
  void failedRollsBackNamesTheStatementByIndexAndLineAndLeavesNoRow(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "2".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)", "create table t(a int)", "create table u(a int)"),
        List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().statementsExecuted()).isEqualTo(1);
    assertThat(r.apply().failedStatement().index()).isEqualTo(2);
    assertThat(r.apply().failedStatement().line()).isEqualTo(7);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42P07");
    assertThat(gate(r, GateIds.APPLY).cause()).isInstanceOfSatisfying(Cause.SqlError.class, c -> {
      assertThat(c.at()).isEqualTo(Cause.ErrorSite.STATEMENT);
      assertThat(c.statement()).isEqualTo(2);
      assertThat(c.line()).isEqualTo(7);
    });
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.NOT_RUN);
    assertThat(r.verification().status()).isEqualTo(RunStatus.Verification.UNCHANGED);
    assertThat(journal(db, p.sha256())).as("a rolled-back change consumes nothing").isEmpty();
    RunReport again = run(db, role, p, lined("create table t(a int)"), List.of());
    assertThat(again.verdict()).as("the same package may run again").isEqualTo(Verdict.PASS);
    assertThat(journal(db, p.sha256())).isEqualTo("PASS:true");
  }

  @Test
  void rolledBackRestoresTheBaselineAndItsRowBlocksAReplay(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "3".repeat(64), role, List.of(sql("false")),
        rollback(List.of(sql("to_regclass('public.t') is not null"))), ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), lined("drop table t"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ROLLED_BACK);
    assertThat(r.exitCode()).isEqualTo(5);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.COMMITTED);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.EXECUTED);
    assertThat(r.verification().status()).isEqualTo(RunStatus.Verification.FAIL);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(journal(db, p.sha256())).isEqualTo("ROLLED_BACK:true");
    assertReplayBlocked(db, role, p, "ROLLED_BACK", false);
  }

  // ---------------------------------------------------------------- ESCALATE, each cause

  @Test
  void verificationFailedWithoutRollbackEscalatesAndItsRowBlocksAReplay(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "4".repeat(64), role, List.of(sql("false")), null, ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.productionChanged()).isTrue();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.COMMITTED);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.NOT_APPLICABLE);
    assertThat(r.rollback().reason()).isEqualTo("the package has no rollback");
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
    assertReplayBlocked(db, role, p, "ESCALATE", false);
  }

  @Test
  void aRollbackPreconditionTheDatabaseRefusesEscalatesWithoutRunningTheRollback(TestDatabase db)
      throws SQLException {
    String role = app(db);
    // the precondition: the table is still empty; the change itself put a row in it
    ApplyPackage p = pkg(db, "5".repeat(64), role, List.of(sql("false")),
        rollback(List.of(sql("not exists (select 1 from public.t)"))), ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)", "insert into t values (1)"), lined("drop table t"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.NOT_APPLICABLE);
    assertThat(r.rollback().reason()).isEqualTo("precondition failed: sql: not exists (select 1 from public.t) is false");
    assertThat(gate(r, GateIds.ROLLBACK).cause())
        .isEqualTo(new Cause.RollbackRefused(Cause.RollbackRefusal.PRECONDITION_FAILED));
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("the rollback did not run").isEqualTo("t");
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
  }

  @Test
  void aRollbackPreconditionTheDatabaseGrantsLetsTheRollbackRun(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "6".repeat(64), role, List.of(sql("false")),
        rollback(List.of(sql("not exists (select 1 from public.t)"))), ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), lined("drop table t"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ROLLED_BACK);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.EXECUTED);
    assertThat(journal(db, p.sha256())).isEqualTo("ROLLED_BACK:true");
  }

  @Test
  void aRollbackArtifactThatFailsEscalatesNamingItsStatementAndLine(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "7".repeat(64), role, List.of(sql("false")),
        rollback(List.of(sql("true"))), ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), lined("drop table t", "drop table nope"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.FAILED);
    assertThat(r.rollback().reason()).isEqualTo("statement 2 (line 7): table \"nope\" does not exist (SQLSTATE 42P01)");
    assertThat(gate(r, GateIds.ROLLBACK).cause()).isInstanceOfSatisfying(Cause.SqlError.class, c -> {
      assertThat(c.sqlstate()).isEqualTo("42P01");
      assertThat(c.statement()).isEqualTo(2);
      assertThat(c.line()).isEqualTo(7);
    });
    assertThat(db.queryValue("select to_regclass('public.t') is not null"))
        .as("the failed rollback rolled itself back: the change stays").isEqualTo("t");
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
  }

  @Test
  void aPartialAutocommitApplyJournalsItsRowFirstEndsItEscalateAndBlocksTheReplay(TestDatabase db)
      throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "8".repeat(64), role, List.of(), null, ApplySettings.Mode.AUTOCOMMIT);

    RunReport r = run(db, role, p, lined("create table t(a int)", "create table u(a int)", "create table t(a int)"),
        List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.productionChanged()).isTrue();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.PARTIALLY_COMMITTED);
    assertThat(r.apply().committedStatements()).containsExactly(1, 2);
    assertThat(r.apply().failedStatement().index()).isEqualTo(3);
    assertThat(r.apply().failedStatement().line()).isEqualTo(12);
    assertThat(gate(r, GateIds.APPLY).actual()).isEqualTo("statements [1, 2] committed before the error");
    assertThat(db.queryValue("select to_regclass('public.u') is not null")).isEqualTo("t");
    assertThat(journal(db, p.sha256())).as("the row written before the first statement, finished")
        .isEqualTo("ESCALATE:true");
    assertReplayBlocked(db, role, p, "ESCALATE", false);
  }

  @Test
  void anAutocommitApplyWhoseFirstStatementFailsIsFailedButItsRowStillConsumesThePackage(TestDatabase db)
      throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "9".repeat(64), role, List.of(), null, ApplySettings.Mode.AUTOCOMMIT);

    RunReport r = run(db, role, p, lined("select * from nope", "create table t(a int)"), List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().committedStatements()).isEmpty();
    assertThat(r.apply().failedStatement().line()).isEqualTo(2);
    assertThat(journal(db, p.sha256())).isEqualTo("FAILED:true");
    assertReplayBlocked(db, role, p, "FAILED", false);
  }

  @Test
  void aRolledBackApplyWhoseBaselineChangedMeanwhileEscalates(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "a".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> run(db,
        new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), role, p,
        lined("create table t(a int)", "select 1 / (random() * 0)::int from pg_sleep(2.11)"), List.of(), runId));
    awaitActivity(db, "application_name = 'cutter apply " + runId + "' and query like '%pg_sleep(2.11)%'");
    db.execute("create table public.intruder(a int)");

    RunReport r = running.get(60, TimeUnit.SECONDS);

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().failedStatement().line()).isEqualTo(7);
    assertThat(r.verification().status()).isEqualTo(RunStatus.Verification.CHANGED);
    assertThat(journal(db, p.sha256())).isEmpty();
  }

  @Test
  void aRollbackThatRestoresTheStructureButNotTheDroppedDataEscalates(TestDatabase db) throws SQLException {
    String role = app(db);
    db.execute("create table public.keep(a int); insert into public.keep values (1); alter table public.keep owner to "
        + role);
    ApplyPackage p = pkg(db, "0".repeat(63) + "3", role, List.of(sql("false")), rollback(List.of(sql("true"))),
        ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("drop table keep"), lined("create table keep(a int)"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.EXECUTED);
    assertThat(r.verification().note()).isEqualTo("rollback restored the structure, not the data: statement 1 (line 2,"
        + " DROP keep) dropped data that is only in the backup (none was taken: backup.required is false)");
    assertThat(db.queryValue("select count(*) from public.keep")).isEqualTo("0");
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
  }

  @Test
  void aRollbackThatLeavesADifferentBaselineEscalates(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "4", role, List.of(sql("false")), rollback(List.of(sql("true"))),
        ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)", "create table u(a int)"), lined("drop table t"));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.EXECUTED);
    assertThat(gate(r, GateIds.ROLLBACK).cause())
        .isEqualTo(new Cause.RollbackRefused(Cause.RollbackRefusal.BASELINE_DIFFERS));
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
  }

  @Test
  void aRollbackThatCannotGetTheChangeKeyDoesNotRunAndEscalates(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "5", role, List.of(sql("false")), rollback(List.of(sql("true"))),
        ApplySettings.Mode.TRANSACTION);
    try (Connection holder = db.superuser(); java.sql.Statement st = holder.createStatement()) {
      // right after COMMIT another session takes the change key, as a statement running on would hold it
      ApplyRun run = new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()).afterCommit(() -> {
        try {
          st.execute("select pg_advisory_lock(" + (0x637574746572L + 2) + ")");
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });

      RunReport r = run(db, run, role, p, lined("create table t(a int)"), lined("drop table t"),
          RunIds.next(Clock.systemUTC()));

      assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
      assertThat(r.exitCode()).isEqualTo(6);
      assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.FAILED);
      assertThat(gate(r, GateIds.ROLLBACK).cause()).isInstanceOfSatisfying(Cause.RunLockHeld.class,
          c -> assertThat(c.changeStillRunning()).isTrue());
      assertThat(db.queryValue("select to_regclass('public.t') is not null")).as("the rollback did not run")
          .isEqualTo("t");
      assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
    }
  }

  @Test
  void aJournalTheLoginRoleCannotReadBlocksBeforeAnythingBegins(TestDatabase db) throws SQLException {
    String role = app(db);
    db.execute("revoke usage on schema cutter from " + role);
    ApplyPackage p = pkg(db, "0".repeat(63) + "6", role, List.of(), null, ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), List.of());

    assertThat(r.verdict()).as("nothing began: not an escalation").isEqualTo(Verdict.BLOCKED);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.productionChanged()).isFalse();
    assertThat(gate(r, GateIds.LOCK).cause()).isInstanceOfSatisfying(Cause.SqlError.class, c -> {
      assertThat(c.sqlstate()).isEqualTo("42501");
      assertThat(c.at()).isEqualTo(Cause.ErrorSite.CHECK);
    });
    assertThat(gate(r, GateIds.APPLY).status()).isEqualTo(GateStatus.NOT_RUN);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }

  // ---------------------------------------------------------------- the journal itself

  @Test
  void aJournalInsertThatFailsRollsTheChangeBackAndNamesTheJournalRow(TestDatabase db) throws SQLException {
    String role = app(db);
    // the apply role reads the journal but may no longer write its row
    db.execute("revoke execute on function " + Journal.RECORD_COMMIT + " from " + role);
    ApplyPackage p = pkg(db, "b".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);

    RunReport r = run(db, role, p, lined("create table t(a int)"), List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().statementsExecuted()).isEqualTo(1);
    assertThat(r.apply().failedStatement().index()).isEqualTo(-1);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42501");
    assertThat(gate(r, GateIds.APPLY).cause()).isInstanceOfSatisfying(Cause.SqlError.class,
        c -> assertThat(c.at()).isEqualTo(Cause.ErrorSite.JOURNAL_ROW));
    assertThat(db.queryValue("select to_regclass('public.t') is null")).as("the change went with the row").isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void anAutocommitJournalInsertThatFailsRunsNoStatement(TestDatabase db) throws SQLException {
    String role = app(db);
    db.execute("revoke execute on function " + Journal.RECORD_COMMIT + " from " + role);
    ApplyPackage p = pkg(db, "0".repeat(63) + "8", role, List.of(), null, ApplySettings.Mode.AUTOCOMMIT);

    RunReport r = run(db, role, p, lined("create table t(a int)"), List.of());

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().statementsExecuted()).isZero();
    assertThat(r.apply().committedStatements()).isEmpty();
    assertThat(r.apply().failedStatement().index()).isEqualTo(-1);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42501");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void aRowAnotherRunWroteMeanwhileRefusesTheInsertAndTheChangeGoesWithIt(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "9", role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    // after the lock gate found no row, a run that ignores the run lock consumes the same package
    ApplyRun racing = new ApplyRun(INTEGRITY_OK, ApplyRunTest.checks(() -> {
      try (Connection c = db.superuser()) {
        Journal.recordCommit(c, p.id(), p.sha256(), "20260101T000000Z-0000", List.of(), "postgres", "postgres",
            Instant.now());
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }, t -> List.of()), NO_BACKUP, Clock.systemUTC());

    RunReport r = run(db, racing, role, p, lined("create table t(a int)"), List.of(), RunIds.next(Clock.systemUTC()));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo(Journal.ALREADY_CONSUMED);
    assertThat(gate(r, GateIds.APPLY).cause()).isInstanceOfSatisfying(Cause.SqlError.class, c -> {
      assertThat(c.sqlstate()).isEqualTo(Journal.ALREADY_CONSUMED);
      assertThat(c.at()).isEqualTo(Cause.ErrorSite.JOURNAL_ROW);
    });
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(journal(db, p.sha256())).as("only the other run's row").isEqualTo("COMMITTED:false");
  }

  @Test
  void aRowTheFinalUpdateCannotFinishStaysCommittedAndTheReplayIsSentToVerify(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "c".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    // right after COMMIT the apply role loses the function that finishes its row
    ApplyRun run = new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()).afterCommit(() ->
        db.execute("revoke execute on function " + Journal.FINISH_RUN + " from " + role));

    RunReport r = run(db, run, role, p, lined("create table t(a int)"), List.of(), RunIds.next(Clock.systemUTC()));

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(written.get()).as("the report was written before the row could not be finished").isSameAs(r);
    assertThat(journal(db, p.sha256())).as("the row stays COMMITTED, never a verdict it was not given")
        .isEqualTo("COMMITTED:false");
    assertReplayBlocked(db, role, p, Journal.COMMITTED, true);
  }

  // ---------------------------------------------------------------- the connection lost

  /** A change whose COMMIT takes seconds (a deferred trigger sleeps), so that its session can be ended there. */
  private static List<ExecStatement> slowCommit() {
    return lined("create table t(a int)",
        "create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(5); return null;"
            + " end $$",
        "create constraint trigger slow_commit after insert on t deferrable initially deferred for each row "
            + "execute function slow_commit()",
        "insert into t values (1)");
  }

  @Test
  void aSessionTerminatedBeforeCommitIsProvenRolledBack(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "d".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> run(db,
        new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), role, p,
        lined("create table t(a int)", "select pg_sleep(30.12)", "create table u(a int)"), List.of(), runId));
    awaitActivity(db, "application_name = 'cutter apply " + runId + "' and query like '%pg_sleep(30.12)%'");
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter apply "
        + runId + "'");

    RunReport r = running.get(60, TimeUnit.SECONDS);

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().failedStatement().index()).isEqualTo(2);
    assertThat(r.apply().failedStatement().line()).isEqualTo(7);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("57P01");
    assertThat(gate(r, GateIds.APPLY).message()).endsWith("; the connection was lost before COMMIT was sent and the"
        + " apply's transaction has ended (the change key is free): rolled back");
    assertThat(r.rollback().status()).isEqualTo(RunStatus.Rollback.NOT_RUN);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(journal(db, p.sha256())).isEmpty();
  }

  @Test
  void aSessionTerminatedDuringCommitIsProvenAbortedByTheTransactionStatus(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "e".repeat(64), role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> run(db,
        new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), role, p, slowCommit(), List.of(),
        runId));
    awaitActivity(db, "application_name = 'cutter apply " + runId + "' and query = 'COMMIT'");
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter apply "
        + runId + "'");

    RunReport r = running.get(60, TimeUnit.SECONDS);

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.FAILED);
    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.ROLLED_BACK);
    assertThat(r.apply().failedStatement().index()).as("at COMMIT").isZero();
    assertThat(gate(r, GateIds.APPLY).message()).matches(".*; the connection was lost at COMMIT; txid_status\\(\\d+\\)"
        + " on a new session: aborted");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(journal(db, p.sha256())).isEmpty();
  }

  @Test
  void aCommitWhoseReplyIsLostIsProvenCommittedAndTheRunGoesOnToVerify(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "f".repeat(64), role, List.of(sql("to_regclass('public.t') is not null")), null,
        ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    try (ReplyCuttingProxy proxy = new ReplyCuttingProxy(db.server().port(), "cutter apply " + runId)) {
      ConnectionSpec login = new ConnectionSpec("127.0.0.1", proxy.port(), db.name(), role, Optional.empty());

      RunReport r = run(new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), login, p,
          lined("create table t(a int)", "insert into t values (1)"), List.of(), runId);

      assertThat(proxy.replyDropped.getCount()).as("the reply to COMMIT never reached cutter").isZero();
      assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
      assertThat(r.exitCode()).isZero();
      assertThat(r.apply().transaction()).isEqualTo(Transaction.COMMITTED);
      assertThat(r.apply().committedStatements()).containsExactly(1, 2);
      assertThat(gate(r, GateIds.APPLY).message()).matches("the connection was lost at COMMIT; txid_status\\(\\d+\\)"
          + " on a new session: committed");
      assertThat(gate(r, GateIds.VERIFY).status()).isEqualTo(GateStatus.PASS);
      assertThat(journal(db, p.sha256())).isEqualTo("PASS:true");
      assertReplayBlocked(db, role, p, "PASS", false);
    }
  }

  @Test
  void aConnectionCutBeforeCommitWhileTheServerRunsOnIsUnknownNotRolledBack(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "7", role, List.of(), null, ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    // the client loses the connection mid-statement; the server's backend sleeps on, holding the transaction open
    try (ReplyCuttingProxy proxy = new ReplyCuttingProxy(db.server().port(), "cutter apply " + runId,
        "pg_sleep(30.14)".getBytes(java.nio.charset.StandardCharsets.US_ASCII), false)) {
      ConnectionSpec login = new ConnectionSpec("127.0.0.1", proxy.port(), db.name(), role, Optional.empty());

      RunReport r = run(new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), login, p,
          lined("select pg_sleep(30.14)"), List.of(), runId);

      assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
      assertThat(r.exitCode()).isEqualTo(6);
      assertThat(r.productionChanged()).as("not proven unchanged").isTrue();
      assertThat(r.apply().transaction()).isEqualTo(Transaction.UNKNOWN);
      assertThat(r.apply().failedStatement().index()).isEqualTo(1);
      assertThat(r.apply().failedStatement().line()).isEqualTo(2);
      assertThat(gate(r, GateIds.APPLY).cause()).isEqualTo(new Cause.OutcomeUnknown(false));
      assertThat(gate(r, GateIds.APPLY).message()).endsWith("; the apply's transaction had not ended after 10 s (its"
          + " session still holds the change key)");
      assertThat(journal(db, p.sha256())).as("the row commits only with the change").isEmpty();
    } finally {
      db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter apply "
          + runId + "'");
    }
  }

  @Test
  void sessionsTerminatedAfterCommitLeaveTheRowFinishedOnANewSession(TestDatabase db) throws SQLException {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "1", role, List.of(sql("to_regclass('public.t') is not null")), null,
        ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    ApplyRun run = new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()).afterCommit(() ->
        db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name in"
            + " ('cutter apply " + runId + "', 'cutter journal " + runId + "')"));

    RunReport r = run(db, run, role, p, lined("create table t(a int)"), List.of(), runId);

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.PASS);
    assertThat(r.apply().transaction()).isEqualTo(Transaction.COMMITTED);
    assertThat(journal(db, p.sha256())).isEqualTo("PASS:true");
  }

  @Test
  void aConnectionLostInAutocommitModeIsUnknownAndItsRowBlocksTheReplay(TestDatabase db) throws Exception {
    String role = app(db);
    ApplyPackage p = pkg(db, "0".repeat(63) + "2", role, List.of(), null, ApplySettings.Mode.AUTOCOMMIT);
    String runId = RunIds.next(Clock.systemUTC());
    CompletableFuture<RunReport> running = CompletableFuture.supplyAsync(() -> run(db,
        new ApplyRun(INTEGRITY_OK, dbChecks(db), NO_BACKUP, Clock.systemUTC()), role, p,
        lined("create table t(a int)", "select pg_sleep(30.13)"), List.of(), runId));
    awaitActivity(db, "application_name = 'cutter apply " + runId + "' and query like '%pg_sleep(30.13)%'");
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter apply "
        + runId + "'");

    RunReport r = running.get(60, TimeUnit.SECONDS);

    assertThat(r.verdict()).as(String.valueOf(r.rootCause())).isEqualTo(Verdict.ESCALATE);
    assertThat(r.exitCode()).isEqualTo(6);
    assertThat(r.productionChanged()).isTrue();
    assertThat(r.apply().transaction()).isEqualTo(Transaction.UNKNOWN);
    assertThat(r.apply().committedStatements()).containsExactly(1);
    assertThat(r.apply().failedStatement().line()).isEqualTo(7);
    assertThat(gate(r, GateIds.APPLY).cause()).isEqualTo(new Cause.OutcomeUnknown(false));
    assertThat(journal(db, p.sha256())).isEqualTo("ESCALATE:true");
    assertReplayBlocked(db, role, p, "ESCALATE", false);
  }
}

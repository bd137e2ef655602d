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
    return pkg(sha, new Target("db", "1", Optional.empty(), "postgres", Optional.empty()),
        Instant.parse("2099-01-01T00:00:00Z"), verify, rollback, mode);
  }

  static ApplyPackage pkg(String sha, Target target, Instant expiresAt, List<CheckSpec> verify, Rollback rollback,
      ApplySettings.Mode mode) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0]));
    return new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), sha, "test-pkg", "Test",
        new Authorization("REF-1", expiresAt, Risk.LOW, List.of()), target, art, List.of(), BackupPolicy.none(),
        new ApplySettings(mode, Duration.ofSeconds(2), Duration.ofMinutes(1)), verify, Optional.ofNullable(rollback),
        Sandbox.empty(), FileContent.of(new byte[0]));
  }

  /** The test database as a package's target: its real system identifier and name. */
  static Target targetOf(TestDatabase db, String applyRole) {
    return new Target(db.name(), db.queryValue("select system_identifier::text from pg_control_system()"),
        Optional.empty(), applyRole, Optional.empty());
  }

  /** Statements as the splitter gives them: statement N starts on line 2N + 1 (never N, so a swap of the two shows). */
  static List<ExecStatement> stmts(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, 2 * i + 3, texts[i]));
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
            out.add(CheckResult.fail("fails", new dev.cutter.core.cause.Cause.CheckQueryDiffers("fails", "x", "y"), "x", "y", "always fails"));
          } else {
            String exists = db.queryValue("select to_regclass('public.t') is not null");
            out.add("t".equals(exists) ? CheckResult.pass("t_exists", "t", "t", null)
                : CheckResult.fail("t_exists", new dev.cutter.core.cause.Cause.ObjectsAbsent(List.of("table t")), "table t", "absent",
                    "table t is missing"));
          }
        }
        return out;
      }
    };
  }

  private RunReport run(TestDatabase db, ApplyPackage p, List<ExecStatement> s, List<ExecStatement> rb) {
    return run(new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()), login(db, "postgres"), p, s, rb,
        Duration.ZERO, RunIds.next(Clock.systemUTC()));
  }

  static final Steps.Integrity INTEGRITY_OK = (pk, required) -> new Steps.IntegrityOutcome(
      List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
  static final Steps.Backup NO_BACKUP = (t, pk, id) -> null;

  static ConnectionSpec login(TestDatabase db, String user) {
    return new ConnectionSpec("localhost", db.server().port(), db.name(), user, Optional.empty());
  }

  private RunReport run(ApplyRun run, ConnectionSpec login, ApplyPackage p, List<ExecStatement> s,
      List<ExecStatement> rb, Duration lockWait, String runId) {
    ApplyRun.Request req = new ApplyRun.Request(p, s, false, rb, login, (spec, role) -> Optional.empty(), lockWait,
        RunMode.APPLY, runId);
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
    assertThat(r.apply().failedStatement().line()).isEqualTo(5);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42P07");
    assertThat(r.verification().note()).isEqualTo("target unchanged, verified");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void aSyntaxErrorMidJoinedMessageFailsItsStatementAndTheOnesBeforeItInTheMessageDidNotRun(TestDatabase db)
      throws SQLException {
    init(db);
    // one Query message: the server parses it whole first, so 1 and 2 never run
    RunReport r = run(db, pkg("c".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int);", "create table u(a int);", "create table v(a int,, b int);",
            "create table w(a int);"), List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.apply().failedStatement().index()).isEqualTo(3);
    assertThat(r.apply().failedStatement().line()).isEqualTo(7);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42601");
    assertThat(r.apply().statementsExecuted()).as("statements 1 and 2: not run").isZero();
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).singleElement()
        .extracting(GateResult::actual).isEqualTo("0 executed, rolled back");
    assertThat(r.verification().note()).isEqualTo("target unchanged, verified");
    assertThat(db.queryValue("select count(*) from pg_class where relname in ('t', 'u', 'v', 'w')")).isEqualTo("0");
  }

  @Test
  void anAuditTrailOfTriggersRecordingCurrentQuerySeesEachStatementsOwnTextAsUnderPsql(TestDatabase db)
      throws SQLException {
    init(db);
    db.execute("""
        create table public.audit(n serial primary key, q text);
        create function public.audit_q() returns event_trigger language plpgsql
          as $$ begin insert into public.audit(q) values (current_query()); end $$;
        create function public.audit_row() returns trigger language plpgsql
          as $$ begin insert into public.audit(q) values (current_query()); return null; end $$;
        create table public.target(id int);
        create trigger audit_ins after insert on public.target for each row execute function public.audit_row();
        """);
    List<ExecStatement> s = stmts("create table a1(id int);", "comment on table a1 is 'a';",
        "insert into target values (1);", "create table a2(id int);", "insert into target select 2;");
    // a row trigger only: 1-2 may join; each INSERT's row records the INSERT alone
    RunReport r = run(db, pkg("d".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION), s, List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select string_agg(q, ' | ' order by n) from public.audit"))
        .isEqualTo(s.get(2).text() + " | " + s.get(4).text());
    // and an event trigger as well: every DDL statement is recorded with its own text
    db.execute("drop table a1, a2; truncate public.target, public.audit; "
        + "create event trigger audit_ddl on ddl_command_end execute function public.audit_q()");
    r = run(db, pkg("e".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION), s, List.of());
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select string_agg(q, ' | ' order by n) from public.audit"))
        .isEqualTo(String.join(" | ", s.stream().map(ExecStatement::text).toList()));
  }

  @Test
  void verifyFailureRunsTheRollbackAndRestoresTheBaseline(TestDatabase db) throws SQLException {
    init(db);
    Rollback rb = new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])),
        List.of(TABLE_T_EXISTS));
    RunReport r = run(db, pkg("4".repeat(64), List.of(ALWAYS_FAILS), rb, ApplySettings.Mode.TRANSACTION),
        stmts("create table t(a int)"), stmts("drop table t"));
    assertThat(r.verdict()).isEqualTo(Verdict.ROLLED_BACK);
    assertThat(r.rollback().status()).isEqualTo(dev.cutter.core.run.RunStatus.Rollback.EXECUTED);
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
    assertThat(r.rollback().status()).isEqualTo(dev.cutter.core.run.RunStatus.Rollback.NOT_APPLICABLE);
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
    assertThat(r.rollback().status()).isEqualTo(dev.cutter.core.run.RunStatus.Rollback.EXECUTED);
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

  /** A clock the test moves, as minutes passing in P1 and P2 would. */
  static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** Checks whose P1 passes after {@code during} ran, and whose other lists come from {@code run}. */
  static Steps.Checks checks(Runnable during, java.util.function.Function<ConnectionSpec, List<CheckResult>> run) {
    return new Steps.Checks() {
      @Override
      public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
        during.run();
        return List.of(CheckResult.pass("identity", "db", "db", null));
      }

      @Override
      public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> specs) {
        return run.apply(target);
      }
    };
  }

  @Test
  void anAuthorizationThatExpiresDuringTheGatesIsBlockedRightBeforeBegin(TestDatabase db) throws SQLException {
    init(db);
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    MovingClock clock = new MovingClock(t0);
    ApplyPackage p = pkg("a".repeat(64), new Target("db", "1", Optional.empty(), "postgres", Optional.empty()),
        t0.plusSeconds(600), List.of(), null, ApplySettings.Mode.TRANSACTION);
    // integrity passed at t0; P1 (and a backup) then took an hour
    ApplyRun slow = new ApplyRun(INTEGRITY_OK, checks(() -> clock.set(t0.plusSeconds(3600)), t -> List.of()), NO_BACKUP,
        clock);

    RunReport r = run(slow, login(db, "postgres"), p, stmts("create table t(a int)"), List.of(), Duration.ZERO,
        RunIds.next(clock));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.AUTHORIZATION)).singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.FAIL));
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).singleElement()
        .satisfies(g -> assertThat(g.status()).as("nothing began").isEqualTo(GateStatus.NOT_RUN));
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void aServerAtMaxConnectionsAfterCommitEndsInEscalateWithTheJournalRowFinished() throws Exception {
    // a private server with few connections; superusers may take the reserved ones, so the test
    // takes them all, as superuser, right after the commit
    try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres
        .builder().setServerConfig("max_connections", "8").setServerConfig("superuser_reserved_connections", "2")
        .setServerConfig("fsync", "off").start()) {
      try (Connection su = pg.getPostgresDatabase().getConnection(); java.sql.Statement st = su.createStatement()) {
        st.execute("create role app login; grant create on schema public to app");
        Journal.init(su, List.of("app"));
      }
      List<Connection> all = new ArrayList<>();
      Runnable takeEveryConnection = () -> {
        while (true) {
          try {
            all.add(pg.getPostgresDatabase().getConnection());
          } catch (SQLException e) {
            if ("53300".equals(e.getSQLState())) {
              return;
            }
            throw new IllegalStateException(e);
          }
        }
      };
      // verify opens the real check pool, as the login role
      Steps.Checks pool = checks(() -> { }, target -> {
        try (dev.cutter.core.check.CheckPool cp = dev.cutter.core.check.CheckPool.open(target, 1, "cutter checks")) {
          return List.of(CheckResult.pass("t_exists", "t", "t", null));
        }
      });
      ApplyRun run = new ApplyRun(INTEGRITY_OK, pool, NO_BACKUP, Clock.systemUTC()).afterCommit(takeEveryConnection);
      ApplyPackage p = pkg("b".repeat(64), new Target("postgres", "1", Optional.empty(), "app", Optional.empty()),
          Instant.parse("2099-01-01T00:00:00Z"), List.of(TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION);
      ConnectionSpec login = new ConnectionSpec("localhost", pg.getPort(), "postgres", "app", Optional.empty());

      RunReport r;
      try {
        r = run(run, login, p, stmts("create table t(a int)"), List.of(), Duration.ZERO, RunIds.next(Clock.systemUTC()));
      } finally {
        for (Connection c : all) {
          c.close();
        }
      }

      assertThat(all).as("the server was full").isNotEmpty();
      assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
      assertThat(r.exitCode()).isEqualTo(6);
      assertThat(r.productionChanged()).isTrue();
      assertThat(written.get()).as("the report went to the sink, under the package").isSameAs(r);
      assertThat(r.pkg().id()).isEqualTo("test-pkg");
      try (Connection su = pg.getPostgresDatabase().getConnection(); java.sql.Statement st = su.createStatement();
          java.sql.ResultSet rs = st.executeQuery("select (select verdict || ' ' || (report_sha256 is not null)"
              + " from cutter.journal), to_regclass('public.t') is not null")) {
        rs.next();
        assertThat(rs.getString(1)).as("the row is finished, not left COMMITTED").isEqualTo("ESCALATE true");
        assertThat(rs.getBoolean(2)).isTrue();
      }
    }
  }

  /** A change whose COMMIT takes seconds (a deferred trigger sleeps), so that its connection can be cut there. */
  private static List<ExecStatement> slowCommit() {
    return stmts("create table t(a int)",
        "create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(5); return null; end $$",
        "create constraint trigger slow_commit after insert on t deferrable initially deferred for each row "
            + "execute function slow_commit()",
        "insert into t values (1)");
  }

  private RunReport cutAtCommit(TestDatabase db, boolean journalUnreadable) throws Exception {
    String app = db.createRole("lost");
    db.execute("grant create on schema public to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    ApplyPackage p = pkg("c".repeat(64), new Target("db", "1", Optional.empty(), app, Optional.empty()),
        Instant.parse("2099-01-01T00:00:00Z"), List.of(), null, ApplySettings.Mode.TRANSACTION);
    String runId = RunIds.next(Clock.systemUTC());
    java.util.concurrent.CompletableFuture<RunReport> running = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> run(new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()), login(db, app), p, slowCommit(),
            List.of(), Duration.ZERO, runId));
    awaitActivity(db, "application_name = 'cutter apply " + runId + "' and query = 'COMMIT'");
    if (journalUnreadable) {
      // no new session for the login role: the run cannot ask the journal what happened
      db.execute("alter role " + app + " connection limit 0");
    }
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter apply "
        + runId + "'");
    return running.get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void aConnectionLostAtCommitThatTheJournalCannotResolveIsEscalatedAsOutcomeUnknown(TestDatabase db)
      throws Exception {
    RunReport r = cutAtCommit(db, true);

    assertThat(r.verdict()).as("never FAILED 'target unchanged' on counts alone").isEqualTo(Verdict.ESCALATE);
    assertThat(r.productionChanged()).as("it may have changed").isTrue();
    assertThat(r.apply().transaction()).isEqualTo(dev.cutter.core.run.RunStatus.Transaction.UNKNOWN);
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).singleElement()
        .satisfies(g -> assertThat(g.actual()).isEqualTo("outcome unknown"));
  }

  @Test
  void aConnectionLostAtCommitIsResolvedByTheJournal(TestDatabase db) throws Exception {
    RunReport r = cutAtCommit(db, false);

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().transaction()).isEqualTo(dev.cutter.core.run.RunStatus.Transaction.ROLLED_BACK);
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(ApplySettings.Mode.class)
  void aStatementThatRunsOnAfterItsRunLostTheLockKeepsTheNextRunOut(ApplySettings.Mode mode, TestDatabase db)
      throws Exception {
    init(db);
    db.execute("create table acct(id int primary key, balance int); insert into acct values (1, 100)");
    ApplyPackage p = pkg("d".repeat(64), List.of(), null, mode);
    List<ExecStatement> doubling = stmts("update acct set balance = balance * 2 from pg_sleep(6)");
    String first = RunIds.next(Clock.systemUTC());
    java.util.concurrent.CompletableFuture<RunReport> dying = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> run(new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()), login(db, "postgres"), p,
            doubling, List.of(), Duration.ZERO, first));
    awaitActivity(db, "application_name = 'cutter apply " + first + "' and query like 'update acct%'");
    // the run's client is gone (as after kill -9): its lock session ended, its statement runs on
    db.execute("select pg_terminate_backend(pid, 10000) from pg_stat_activity where application_name = 'cutter lock "
        + first + "'");

    RunReport again = run(new ApplyRun(INTEGRITY_OK, checksOn(db), NO_BACKUP, Clock.systemUTC()), login(db, "postgres"),
        p, doubling, List.of(), Duration.ZERO, RunIds.next(Clock.systemUTC()));

    assertThat(again.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(again.gates()).filteredOn(g -> g.id().equals(GateIds.LOCK)).singleElement()
        .extracting(GateResult::actual).asString().as("names the session still running").contains("cutter apply " + first);
    dying.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(db.queryValue("select balance from acct")).as("applied once").isEqualTo("200");
  }

  /** Polls pg_stat_activity until a session matches {@code condition}. */
  static void awaitActivity(TestDatabase db, String condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!"0".equals(db.queryValue("select count(*) from pg_stat_activity where " + condition))) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no session with " + condition);
  }
}

package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.TargetAccess;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.Target;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the apply's session logged in ahead of its use (while P1 still runs): whatever
 * changes on the server between that login and the first statement, the artifact runs only on a
 * session that would pass the checks of a session opened in place right then, or not at all.
 * P1 is a stub that says the identity held, waits until the apply's session ahead is logged in,
 * then lets "another session" change the server.
 */
@WithPostgres
class SessionsAheadAttackTest {

  /** P1 as a stub: the identity holds, the apply's session logs in ahead, then {@code meanwhile} runs; P1 passes. */
  private static Steps.Checks p1(TestDatabase db, Runnable meanwhile) {
    return new IdentityOnlyChecks() {
      @Override
      public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
          Runnable routesKnown) {
        identityHeld.run();
        routesKnown.run();
        assertThat(awaitLoggedIn(db)).as("the apply's session logged in ahead").isNotNull();
        meanwhile.run();
        return passed();
      }
    };
  }

  private static ApplyPackage pkg(String applyRole) {
    return ApplyRunTest.pkg(sha(), new Target("db", "1", Optional.empty(), applyRole, Optional.empty()),
        Instant.parse("2099-01-01T00:00:00Z"), List.of(), null, ApplySettings.Mode.TRANSACTION);
  }

  private static String sha() {
    return (java.util.UUID.randomUUID().toString().replace("-", "") + "0".repeat(64)).substring(0, 64);
  }

  private static RunReport run(TestDatabase db, String login, String applyRole, List<ExecStatement> s,
      Runnable meanwhile) {
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), login, Optional.empty());
    ApplyRun.Request req = new ApplyRun.Request(pkg(applyRole), s, false, List.of(), spec, (c, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(INTEGRITY_OK, p1(db, meanwhile), NO_BACKUP, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
  }

  /** apply_role (NOLOGIN) that may create tables in public and write the journal; deployer, a lean login of it. */
  private static String[] leanLogin(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    db.execute("grant create on schema public to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    return new String[] {app, deployer};
  }

  /** The pid of the apply's session once its login ended (its last query, proving current_user, answered). */
  private static String awaitLoggedIn(TestDatabase db) {
    long end = System.nanoTime() + 10_000_000_000L;
    String pid = null;
    while (pid == null && System.nanoTime() < end) {
      pid = db.queryValue("select max(pid)::text from pg_stat_activity where application_name like 'cutter apply %'"
          + " and state = 'idle' and query = 'select current_user'");
      if (pid == null) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    }
    return pid;
  }

  private static GateResult applyGate(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow();
  }

  @Test
  void aLeanLoginGrantedCreateroleAfterItsSessionLoggedInAheadCannotRunTheArtifact(TestDatabase db) throws SQLException {
    String[] r = leanLogin(db);
    String app = r[0];
    String deployer = r[1];
    String victim = TestDatabase.unique("escaped");
    RunReport report = run(db, deployer, app, stmts("do $$ begin execute 'reset role'; execute 'create role " + victim
        + "'; end $$"), () -> db.execute("alter role " + deployer + " createrole"));

    assertThat(report.verdict()).as(applyGate(report).message()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(report).cause()).isInstanceOfSatisfying(Cause.LoginRoleRefused.class,
        c -> assertThat(c.refusal()).isEqualTo(TargetAccess.Refusal.PRIVILEGED_LOGIN));
    assertThat(db.queryValue("select count(*) from pg_roles where rolname = '" + victim + "'"))
        .as("the artifact never acted as the now privileged login").isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).as("nothing ran").isEqualTo("0");
  }

  @Test
  void aLeanLoginMadeAMemberOfAPrivilegedRoleAfterItsSessionLoggedInAheadCannotRunTheArtifact(TestDatabase db)
      throws SQLException {
    String[] r = leanLogin(db);
    String app = r[0];
    String deployer = r[1];
    RunReport report = run(db, deployer, app, stmts("create table t(a int)"),
        () -> db.execute("grant pg_read_server_files to " + deployer));

    assertThat(report.verdict()).as(applyGate(report).message()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(report).message()).contains("member of pg_read_server_files");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }

  @Test
  void aLoginNoLongerAMemberOfApplyRoleAfterItsSessionLoggedInAheadCannotRunTheArtifact(TestDatabase db)
      throws SQLException {
    String[] r = leanLogin(db);
    String app = r[0];
    String deployer = r[1];
    RunReport report = run(db, deployer, app, stmts("create table t(a int)"),
        () -> db.execute("revoke " + app + " from " + deployer));

    assertThat(report.verdict()).as(applyGate(report).message()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(report).cause()).isInstanceOfSatisfying(Cause.LoginRoleRefused.class,
        c -> assertThat(c.refusal()).isEqualTo(TargetAccess.Refusal.NOT_REACHABLE));
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }

  @Test
  void aLeanLoginThatStaysLeanKeepsItsSessionOpenedAhead(TestDatabase db) throws SQLException {
    String[] r = leanLogin(db);
    String app = r[0];
    String deployer = r[1];
    String[] pidAhead = new String[1];
    RunReport report = run(db, deployer, app, stmts("create table t(a int)", "insert into t select pg_backend_pid()"),
        () -> pidAhead[0] = awaitLoggedIn(db));

    assertThat(report.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select a::text from t")).as("the artifact ran on the session logged in ahead")
        .isEqualTo(pidAhead[0]);
  }

  @Test
  void aSessionTheServerEndedIsReplacedOnlyThroughEveryCheckAgain(TestDatabase db) throws SQLException {
    String[] r = leanLogin(db);
    String app = r[0];
    String deployer = r[1];
    RunReport report = run(db, deployer, app, stmts("create table t(a int)"), () -> {
      db.execute("alter role " + deployer + " createdb");
      String pid = awaitLoggedIn(db);
      assertThat(db.queryValue("select pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
    });

    assertThat(report.verdict()).as(applyGate(report).message()).isEqualTo(Verdict.BLOCKED);
    assertThat(applyGate(report).message()).contains("holds what " + app + " lacks (CREATEDB)");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }

  @Test
  void aReplacementLoginAsApplyRoleDropsARoleItsNewSettingMakesCurrent(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String ops = db.createRole("ops", "nologin");
    db.execute("grant create on schema public to " + app + "; grant " + ops + " to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    RunReport report = run(db, app, app, stmts("create table t(a int)",
        "insert into t select 1 where current_user = session_user"), () -> {
          // a setting that makes every new login of app act as ops, then the session ahead ends
          db.execute("alter role " + app + " set role = '" + ops + "'");
          String pid = awaitLoggedIn(db);
          assertThat(db.queryValue("select pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
        });

    assertThat(report.verdict()).as(applyGate(report).message()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where oid = 'public.t'::regclass"))
        .as("the replacement ran as apply_role, not as the role its setting names").isEqualTo(app);
    assertThat(db.queryValue("select count(*) from t")).isEqualTo("1");
    db.execute("alter role " + app + " reset role");
  }
}

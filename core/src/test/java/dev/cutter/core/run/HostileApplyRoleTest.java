package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.ALWAYS_FAILS;
import static dev.cutter.core.run.ApplyRunTest.checksOn;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A hostile artifact and a hostile apply_role against a whole run: the artifact cannot act as the
 * login role, and no one but the journal's owner can give a consumed authorization back.
 */
@WithPostgres
class HostileApplyRoleTest {

  /** The one place this test builds a package. */
  private static ApplyPackage pkg(String sha, String applyRole, List<CheckSpec> verify, ApplySettings.Mode mode,
      Rollback rollback) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0]));
    return new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), sha, "hostile-pkg", "Test",
        new Authorization("REF-1", Instant.parse("2099-01-01T00:00:00Z"), Risk.LOW, List.of()),
        new Target("db", "1", Optional.empty(), applyRole, Optional.empty()), art, List.of(), BackupPolicy.none(),
        new ApplySettings(mode, Duration.ofSeconds(2), Duration.ofMinutes(1)), verify, Optional.ofNullable(rollback),
        Sandbox.empty(), FileContent.of(new byte[0]));
  }

  private static ApplyPackage pkg(String sha, String applyRole, List<CheckSpec> verify, ApplySettings.Mode mode) {
    return pkg(sha, applyRole, verify, mode, null);
  }

  private static ApplyPackage pkg(String sha, String applyRole) {
    return pkg(sha, applyRole, List.of(), ApplySettings.Mode.TRANSACTION);
  }

  private static RunReport run(TestDatabase db, String login, ApplyPackage p, List<ExecStatement> s, boolean allowPrivileged) {
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), login, Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    ApplyRun run = new ApplyRun(ok, checksOn(db), (t, pk, id) -> null, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(p, s, false, List.of(), spec, (c, role) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, RunIds.next(Clock.systemUTC()), allowPrivileged);
    return run.execute(req, r -> "f".repeat(64));
  }

  private static RunReport run(TestDatabase db, String login, ApplyPackage p, List<ExecStatement> s) {
    return run(db, login, p, s, false);
  }

  /** An apply role that may create tables in public and records in the journal. */
  private static String applyRole(TestDatabase db, String... options) throws SQLException {
    String app = db.createRole("app", options);
    db.execute("grant create on schema public to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  private static String apply(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow().message();
  }

  private static String sqlstateAsApp(TestDatabase db, String app, String sql) {
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      st.execute(sql);
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  // -- the artifact acts as apply_role and nothing more --------------------------------------

  @Test
  void resetRoleFromASuperuserLoginLeadsBackToApplyRoleOnly(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    RunReport r = run(db, "postgres", pkg("1".repeat(64), app), stmts("reset role", "create table escaped(a int)"));

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where relname = 'escaped'"))
        .as("created as apply_role, not as the superuser login").isEqualTo(app);
    assertThat(r.target().roleSession()).isEqualTo("a separate login as " + app + " (login role postgres holds what "
        + app + " lacks (superuser))");
    assertThat(r.target().privilegedLoginAllowed()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "do $$ begin execute 'reset role'; execute 'create role %s superuser'; end $$",
      "do $$ begin perform set_config('role', 'none', false); execute 'create role %s superuser'; end $$",
      "do $$ begin execute 'set session authorization postgres'; execute 'create role %s superuser'; end $$"})
  void noEscapeInsideTheArtifactReachesTheSuperuser(String escape, TestDatabase db) throws SQLException {
    String app = applyRole(db);
    String victim = TestDatabase.unique("escaped");
    RunReport r = run(db, "postgres", pkg("2".repeat(64), app), stmts("create table t(a int)", escape.formatted(victim)));

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42501");
    assertThat(db.queryValue("select count(*) from pg_roles where rolname = '" + victim + "'")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void superuserLoginIsBlockedWhenApplyRoleCannotLogIn(TestDatabase db) throws SQLException {
    String app = applyRole(db, "nologin");
    String victim = TestDatabase.unique("escaped");
    RunReport r = run(db, "postgres", pkg("3".repeat(64), app),
        stmts("do $$ begin execute 'reset role'; execute 'create role " + victim + " superuser'; end $$"));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(apply(r)).startsWith("login role postgres holds what " + app + " lacks (superuser)");
    assertThat(r.gates()).filteredOn(g -> g.id().equals(GateIds.APPLY)).singleElement()
        .extracting(GateResult::actual).isEqualTo("refused: PRIVILEGED_LOGIN");
    assertThat(db.queryValue("select count(*) from pg_roles where rolname = '" + victim + "'")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void aPrivilegedLoginTheTrustPolicyAllowsIsNamedInTheReportHeader(TestDatabase db) throws SQLException {
    String app = applyRole(db, "nologin");
    RunReport r = run(db, "postgres", pkg("4".repeat(64), app), stmts("create table t(a int)"), true);

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.target().privilegedLoginAllowed()).isTrue();
    assertThat(r.target().roleSession()).startsWith("logged in as postgres, SET ROLE " + app)
        .endsWith("allowed by the trust policy (allow_privileged_login), a statement can act as postgres");
  }

  @Test
  void createroleLoginThatIsAMemberOfApplyRoleCannotCreateRoles(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    String ops = db.createRole("ops", "CREATEROLE");
    db.execute("grant " + app + " to " + ops);
    String victim = TestDatabase.unique("planted");
    RunReport r = run(db, ops, pkg("5".repeat(64), app), stmts("reset role", "create role " + victim));

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.target().roleSession()).contains("a separate login as " + app).contains("CREATEROLE");
    assertThat(db.queryValue("select count(*) from pg_roles where rolname = '" + victim + "'")).isEqualTo("0");
  }

  @Test
  void leanLoginStillAppliesBySetRole(TestDatabase db) throws SQLException {
    String app = applyRole(db, "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    RunReport r = run(db, deployer, pkg("6".repeat(64), app), stmts("create table t(a int)"));

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.target().roleSession()).startsWith("logged in as " + deployer + ", SET ROLE " + app);
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where relname = 't'")).isEqualTo(app);
    assertThat(db.queryValue("select login_role || ' ' || apply_role || ' ' || verdict from cutter.journal"))
        .isEqualTo(deployer + " " + app + " PASS");
  }

  @Test
  void aRollbackFromASuperuserLoginCannotActAsTheSuperuser(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    String nologin = applyRole(db, "nologin");
    db.execute("create table t(a int)");
    String victim = TestDatabase.unique("escaped");
    List<ExecStatement> rb = stmts("do $$ begin execute 'reset role'; execute 'create role " + victim + " superuser'; end $$");
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    SideRuns runs = new SideRuns(ok, checksOn(db), (c, role) -> Optional.empty(), Clock.systemUTC());
    ConnectionSpec su = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());

    // a rollback runs only on the approved target, where the package was applied
    try (Connection c = db.superuser()) {
      Journal.recordCommit(c, "hostile-pkg", "d".repeat(64), RunIds.next(Clock.systemUTC()), List.of(), "postgres", app,
          Instant.now());
    }
    RunReport r = runs.rollback(withRollback(db, "d".repeat(64), app), rb, su, Duration.ZERO, RunIds.next(Clock.systemUTC()));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo("42501");

    RunReport blocked = runs.rollback(withRollback(db, "d".repeat(64), nologin), rb, su, Duration.ZERO,
        RunIds.next(Clock.systemUTC()));
    assertThat(blocked.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(blocked.rootCause()).contains("holds what " + nologin + " lacks (superuser)");
    assertThat(db.queryValue("select count(*) from pg_roles where rolname = '" + victim + "'")).isEqualTo("0");
  }

  /** A package with a rollback, pinned to the test database's real identity (a rollback proves its target). */
  private static ApplyPackage withRollback(TestDatabase db, String sha, String applyRole) {
    Rollback rb = new Rollback(new ArtifactRef("rb.sql", Path.of("/x"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0])), List.of(ApplyRunTest.TABLE_T_EXISTS));
    ApplyPackage p = pkg(sha, applyRole, List.of(), ApplySettings.Mode.TRANSACTION, rb);
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(),
        ApplyRunTest.targetOf(db, applyRole), p.artifact(), p.preflight(), p.backup(), p.apply(), p.verify(),
        p.rollback(), p.sandbox(), p.source());
  }

  // -- an authorization is consumed once ------------------------------------------------------

  @Test
  void anEscalatedRunConsumesThePackage(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("7".repeat(64), app, List.of(ALWAYS_FAILS), ApplySettings.Mode.TRANSACTION);
    RunReport first = run(db, "postgres", p, stmts("create table counter(n int)", "insert into counter values (1)"));
    assertThat(first.verdict()).isEqualTo(Verdict.ESCALATE);

    RunReport again = run(db, "postgres", p, stmts("create table counter(n int)", "insert into counter values (1)"));
    assertThat(again.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(again.gates()).filteredOn(g -> g.id().equals(GateIds.LOCK)).singleElement()
        .extracting(GateResult::message).asString().contains("verdict ESCALATE").contains("a re-run needs a new package");
  }

  @Test
  void applyRoleCannotTurnAPassIntoAFailureToReplayThePackage(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("8".repeat(64), app);
    assertThat(run(db, "postgres", p, stmts("create table t(a int)")).verdict()).isEqualTo(Verdict.PASS);

    assertThat(sqlstateAsApp(db, app, "update cutter.journal set verdict = 'FAILED'")).isEqualTo("42501");
    assertThat(sqlstateAsApp(db, app, "delete from cutter.journal")).isEqualTo("42501");
    assertThat(sqlstateAsApp(db, app, "select cutter.finish_run(run_id, 'FAILED', null, null, null) from cutter.journal"))
        .isEqualTo(Journal.NOT_FINISHABLE);
    db.execute("update cutter.journal set verdict = 'FAILED'"); // even the owner's edit gives nothing back
    assertThat(run(db, "postgres", p, stmts("create table t2(a int)")).verdict()).isEqualTo(Verdict.BLOCKED);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "update cutter.journal set verdict = 'FAILED'",
      "delete from cutter.journal",
      "truncate cutter.journal",
      "insert into cutter.journal (package_id, package_sha256, run_id, verdict, login_role, apply_role, started)"
          + " values ('x', 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd', 'x', 'PASS', 'x', 'x', now())",
      "select cutter.finish_run(run_id, 'FAILED', null, null, null) from cutter.journal",
      "select cutter.record_commit('x', package_sha256, 'r-x', '{}', 'x', 'x', now(), null) from cutter.journal"})
  void anArtifactThatTampersWithTheJournalFails(String tamper, TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage first = pkg("9".repeat(64), app);
    assertThat(run(db, "postgres", first, stmts("create table t(a int)")).verdict()).isEqualTo(Verdict.PASS);

    RunReport r = run(db, "postgres", pkg("a".repeat(64), app), stmts("create table u(a int)", tamper));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().sqlstate()).isIn("42501", Journal.NOT_FINISHABLE, Journal.ALREADY_CONSUMED);
    assertThat(db.queryValue("select string_agg(package_sha256 || ':' || verdict, ',') from cutter.journal"))
        .isEqualTo("9".repeat(64) + ":PASS");
    assertThat(run(db, "postgres", first, stmts("create table t3(a int)")).verdict()).isEqualTo(Verdict.BLOCKED);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "do $$ begin commit; end $$",
      "do $$ begin rollback; end $$",
      "call early_commit()"})
  void anArtifactCannotEndCuttersTransactionFromInsideARoutine(String ending, TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("1".repeat(64), app);
    RunReport r = run(db, "postgres", p, stmts("create table first_part(a int)",
        "create procedure early_commit() language plpgsql as $$ begin commit; end $$", ending,
        "create table second_part(a int)"));

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().sqlstate()).as("invalid transaction termination").isEqualTo("2D000");
    assertThat(db.queryValue("select count(*) from pg_tables where tablename in ('first_part', 'second_part')"))
        .as("nothing committed").isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void anAutocommitArtifactCannotFinishItsOwnRun(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("b".repeat(64), app, List.of(), ApplySettings.Mode.AUTOCOMMIT);
    RunReport r = run(db, "postgres", p, stmts("select cutter.finish_run(run_id, 'PASS', null, null, null)"
        + " from cutter.journal where verdict = 'COMMITTED'", "create table t(a int)"));

    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(r.apply().failedStatement().sqlstate()).isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(db.queryValue("select verdict from cutter.journal")).as("finished by cutter, as FAILED").isEqualTo("FAILED");
    assertThat(run(db, "postgres", p, stmts("create table t(a int)")).verdict()).isEqualTo(Verdict.BLOCKED);
  }

  @Test
  void anAutocommitArtifactThatReleasesTheChangeKeyStopsBeforeItsNextStatement(TestDatabase db) throws SQLException {
    // the session-level change key keeps the next run out while a statement of this one may still
    // run in the server (O4); a statement that gives it up would let a later one run unguarded
    String app = applyRole(db);
    ApplyPackage p = pkg("1".repeat(64), app, List.of(), ApplySettings.Mode.AUTOCOMMIT);
    RunReport r = run(db, "postgres", p, stmts("create table t(a int)", "select pg_advisory_unlock_all()",
        "create table u(a int)"));

    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(r.apply().failedStatement().sqlstate()).as("not sent, no server error").isNull();
    assertThat(r.rootCause()).contains("no longer holds the change key");
    assertThat(db.queryValue("select to_regclass('public.u') is null")).as("the statement after never ran").isEqualTo("t");
    assertThat(db.queryValue("select to_regclass('public.t') is not null")).isEqualTo("t");
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo("ESCALATE");
  }

  // -- autocommit: a partial run consumes ------------------------------------------------------

  @Test
  void autocommitRunThatStopsPartWayConsumesThePackage(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("c".repeat(64), app, List.of(), ApplySettings.Mode.AUTOCOMMIT);
    RunReport r = run(db, "postgres", p, stmts("create table t(a int)", "select * from missing", "create table u(a int)"));
    assertThat(r.verdict()).isEqualTo(Verdict.ESCALATE);
    assertThat(db.queryValue("select verdict from cutter.journal")).isEqualTo("ESCALATE");

    RunReport again = run(db, "postgres", p, stmts("create table t(a int)", "select 1", "create table u(a int)"));
    assertThat(again.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(db.queryValue("select to_regclass('public.u') is null")).as("the rest never ran").isEqualTo("t");
  }

  @Test
  void autocommitRunWhoseFirstStatementFailsStillConsumes(TestDatabase db) throws SQLException {
    String app = applyRole(db);
    ApplyPackage p = pkg("e".repeat(64), app, List.of(), ApplySettings.Mode.AUTOCOMMIT);
    RunReport r = run(db, "postgres", p, stmts("select * from missing", "create table t(a int)"));
    assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(db.queryValue("select verdict || ' ' || report_sha256 from cutter.journal")).isEqualTo("FAILED " + "f".repeat(64));
    assertThat(run(db, "postgres", p, stmts("create table t(a int)")).verdict()).isEqualTo(Verdict.BLOCKED);
  }
}

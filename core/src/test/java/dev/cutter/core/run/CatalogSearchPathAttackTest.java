package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.checksOn;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.Risk;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * apply_role that owns the target database sets the database's search_path to {@code app,
 * pg_catalog}: every new session of every role, cutter's own as the login included, then finds
 * apply_role's functions before the catalog's. The run's own sessions as the login (the run lock,
 * the identity, the journal) must call the catalog's, never a look-alike that would run as the
 * login (here a superuser).
 */
@WithPostgres
class CatalogSearchPathAttackTest {

  @Test
  void aDatabaseSearchPathApplyRoleSetRunsNoneOfItsFunctionsInTheRunsOwnSessions(TestDatabase db) throws Exception {
    // the run lock's own function, with the catalog's signature: found first on the path below
    String planted = TestDatabase.unique("planted");
    attack(db, planted, "create function app.pg_try_advisory_lock(k bigint) returns boolean language plpgsql as $$ begin"
        + spy(planted) + " return pg_catalog.pg_try_advisory_lock(k); end $$");
  }

  @Test
  void anOperatorPlantedForTheFingerprintAtBeginIsNotTheOneTheLoginCalls(TestDatabase db) throws Exception {
    // the relations' fingerprint read at BEGIN resolves the change's names through apply_role's
    // search_path, on the login's session: text || text must stay the catalog's there
    String planted = TestDatabase.unique("planted");
    attack(db, planted, "create function app.cat(a text, b text) returns text language plpgsql as $$ begin"
        + spy(planted) + " return pg_catalog.textcat(a, b); end $$",
        "create operator app.|| (leftarg = text, rightarg = text, function = app.cat)");
  }

  @Test
  void anOperatorPlantedForTheLoginsStandingIsNotTheOneARicherLoginCalls(TestDatabase db) throws Exception {
    // before it decides how to reach apply_role, cutter reads what the login holds on the login's
    // own session; a CREATEROLE login that is a member of apply_role would run the planted || there
    // and grant apply_role the right to run programs on the server's host
    String app = db.createRole("app");
    String rich = db.createRole("rich", "createrole");
    db.execute("grant " + app + " to " + rich);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      st.execute("create table app.accounts(id int)");
      st.execute("create function app.cat(a text, b text) returns text language plpgsql as $$ begin"
          + " if current_user = '" + rich + "' then execute 'grant pg_execute_server_program to " + app + "'; end if;"
          + " return pg_catalog.textcat(a, b); end $$");
      st.execute("create operator app.|| (leftarg = text, rightarg = text, function = app.cat)");
      // a privilege the login holds and apply_role (its owner, who revoked it from itself) does not:
      // the standing names it, through ||
      st.execute("create table app.bait(id int)");
      st.execute("grant select on app.bait to " + rich);
      st.execute("revoke select on app.bait from " + app);
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }
    RunReport r = run(db, rich, app);

    assertThat(db.queryValue("select pg_has_role('" + app + "', 'pg_execute_server_program', 'member')"))
        .as("the planted operator ran as the CREATEROLE login").isEqualTo("f");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(r.target().roleSession()).startsWith("a separate login as " + app);
  }

  @ParameterizedTest
  @EnumSource(ApplySettings.Mode.class)
  void aTryLockLookAlikeOnTheArtifactsPathCannotKeepTheApplySessionFromHoldingTheChangeKey(ApplySettings.Mode mode,
      TestDatabase db) throws Exception {
    // the artifact's session keeps apply_role's search_path; the change key taken on it must be
    // the catalog's, or a look-alike answering true leaves an earlier run's statement unseen (O4, O8)
    String app = planted(db, "create function app.pg_try_advisory_xact_lock(k bigint) returns boolean language sql as"
        + " 'select true'", "create function app.pg_try_advisory_lock(k bigint) returns boolean language sql as 'select true'");
    long changeKey = 0x637574746572L + 2;
    RunReport r = run(db, "postgres", app, mode, "create table app.held as select pg_catalog.count(*) as n"
        + " from pg_catalog.pg_locks l where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid()"
        + " and ((l.classid::pg_catalog.int8 << 32) | l.objid::pg_catalog.int8) = " + changeKey);

    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select n from app.held")).as("the apply session held the change key while the artifact ran")
        .isEqualTo("1");
  }

  @Test
  void anOperatorPlantedBeforeTheCatalogCannotKeepTheLocksAtBeginFromBeingTaken(TestDatabase db) throws Exception {
    // the re-check at BEGIN resolves the relations to lock on the apply session, which keeps
    // apply_role's search_path: a look-alike oid = regclass answering false left every relation
    // unlocked between the re-check and the statements, and the report said "none needed"
    String app = planted(db, "create function app.never(a oid, b regclass) returns boolean language sql as 'select false'",
        "create operator app.= (leftarg = oid, rightarg = regclass, function = app.never)");
    RunReport r = run(db, "postgres", app);

    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    GateResult apply = r.gates().stream().filter(g -> g.id().equals(GateIds.APPLY)).findFirst().orElseThrow();
    assertThat(apply.checks()).filteredOn(c -> c.id().equals(dev.cutter.core.check.BeginRecheck.LOCKS))
        .singleElement().satisfies(c -> assertThat(c.actual()).contains("ACCESS EXCLUSIVE").contains("accounts"));
  }

  /**
   * Writes the server file {@code planted} (in the data directory) when it runs as a superuser:
   * what only a superuser may do, and what no rollback undoes.
   */
  private static String spy(String planted) {
    return " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then"
        + " execute pg_catalog.format('copy (select 1) to %L',"
        + " pg_catalog.concat(pg_catalog.current_setting('data_directory'), '/" + planted + "')); end if;";
  }

  /**
   * apply_role "app", owner of the database and of schema app, with {@code app.accounts} and
   * {@code plants} made as app, and the database's search_path {@code app, pg_catalog}.
   */
  private static String planted(TestDatabase db, String... plants) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      st.execute("create table app.accounts(id int)");
      for (String sql : plants) {
        st.execute(sql);
      }
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }
    return app;
  }

  private static void attack(TestDatabase db, String planted, String... plants) throws Exception {
    String app = planted(db, plants);
    RunReport r = run(db, "postgres", app);

    assertThat(db.queryValue("select (pg_catalog.pg_stat_file('" + planted + "', true)).size is not null"))
        .as("apply_role's function ran as the superuser login in one of the run's own sessions").isEqualTo("f");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.accounts'::regclass and attname = 'note'"))
        .isEqualTo("1");
  }

  private static RunReport run(TestDatabase db, String login, String applyRole) {
    return run(db, login, applyRole, ApplySettings.Mode.TRANSACTION, "alter table accounts add column note text");
  }

  private static RunReport run(TestDatabase db, String login, String applyRole, ApplySettings.Mode mode, String sql) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0]));
    ApplyPackage p = new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), "9".repeat(64),
        "search-path-pkg", "Test", new Authorization("REF-1", Instant.parse("2099-01-01T00:00:00Z"), Risk.LOW, List.of()),
        new Target("db", "1", Optional.empty(), applyRole, Optional.empty()), art, List.of(), BackupPolicy.none(),
        new ApplySettings(mode, Duration.ofSeconds(2), Duration.ofMinutes(1)), List.of(),
        Optional.empty(), Sandbox.empty(), FileContent.of(new byte[0]));
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), login, Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    ApplyRun run = new ApplyRun(ok, checksOn(db), (t, pk, id) -> null, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(p, stmts(sql), false, List.of(), spec,
        (c, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()), false);
    return run.execute(req, rep -> "f".repeat(64));
  }
}

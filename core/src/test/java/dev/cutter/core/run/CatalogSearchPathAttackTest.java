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
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
    String app = db.createRole("app");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    String planted = TestDatabase.unique("planted");
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      // the run lock's own function, with the catalog's signature: found first on the path below
      st.execute("create function app.pg_try_advisory_lock(k bigint) returns boolean language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then"
          + " execute 'create role " + planted + " superuser'; end if;"
          + " return pg_catalog.pg_try_advisory_lock(k); end $$");
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }
    RunReport r;
    String made;
    try {
      r = run(db, "postgres", app);
    } finally {
      made = db.queryValue("select count(*) from pg_roles where rolname = '" + planted + "'");
      db.execute("drop role if exists " + planted);
    }

    assertThat(made).as("apply_role's function ran as the superuser login in the run's lock session").isEqualTo("0");
    assertThat(r.verdict()).as("%s", r.gates()).isEqualTo(Verdict.PASS);
    assertThat(db.queryValue("select pg_get_userbyid(relowner) from pg_class where relname = 'made_by_the_change'"))
        .isEqualTo(app);
  }

  private static RunReport run(TestDatabase db, String login, String applyRole) {
    ArtifactRef art = new ArtifactRef("ddl.sql", Path.of("/nonexistent/ddl.sql"), "0".repeat(64), SourcePosition.UNKNOWN,
        FileContent.of(new byte[0]));
    ApplyPackage p = new ApplyPackage(Path.of("/nonexistent/package.yaml"), Path.of("/nonexistent"), "9".repeat(64),
        "search-path-pkg", "Test", new Authorization("REF-1", Instant.parse("2099-01-01T00:00:00Z"), Risk.LOW, List.of()),
        new Target("db", "1", Optional.empty(), applyRole, Optional.empty()), art, List.of(), BackupPolicy.none(),
        new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(2), Duration.ofMinutes(1)), List.of(),
        Optional.empty(), Sandbox.empty(), FileContent.of(new byte[0]));
    ConnectionSpec spec = new ConnectionSpec("localhost", db.server().port(), db.name(), login, Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    ApplyRun run = new ApplyRun(ok, checksOn(db), (t, pk, id) -> null, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(p, stmts("create table app.made_by_the_change(a int)"), false, List.of(), spec,
        (c, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()), false);
    return run.execute(req, rep -> "f".repeat(64));
  }
}

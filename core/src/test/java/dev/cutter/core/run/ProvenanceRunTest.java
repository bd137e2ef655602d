package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.TABLE_T_EXISTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.CutterBuild;
import dev.cutter.core.Verdict;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplySettings;
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

/** The report's provenance: the roles the statements really ran as, each session's login and TLS, the build. */
@WithPostgres
class ProvenanceRunTest {

  private static RunReport apply(TestDatabase db, String applyRole, ApplySettings.Mode mode, String... statements)
      throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, applyRole.startsWith("no_such_role") ? List.of() : List.of(applyRole));
    }
    ApplyRun.Request req = new ApplyRun.Request(ApplyRunTest.pkg("7".repeat(64), ApplyRunTest.targetOf(db, applyRole),
        Instant.parse("2099-01-01T00:00:00Z"), List.of(TABLE_T_EXISTS), null, mode), ApplyRunTest.stmts(statements),
        false, List.of(), ApplyRunTest.login(db, "postgres"), (spec, role) -> Optional.empty(), Duration.ZERO,
        RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(INTEGRITY_OK, ApplyRunTest.checksOn(db), NO_BACKUP, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
  }

  @Test
  void anArtifactThatSwitchesRoleIsReportedAsTheRoleItRanAs(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String elevated = db.createRole("elevated", "NOLOGIN");
    db.execute("grant " + elevated + " to " + app + "; grant create on schema public to " + elevated);

    RunReport r = apply(db, app, ApplySettings.Mode.AUTOCOMMIT, "set role " + elevated, "create table t (a int)");

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.target().applyRole()).as("what was requested").isEqualTo(app);
    Provenance p = r.provenance();
    assertThat(p.beforeFirst()).isEqualTo(new Provenance.Roles(app, app));
    assertThat(p.afterLast()).as("as measured after the last statement").isEqualTo(new Provenance.Roles(elevated, app));
    TlsState plain = new TlsState(false, false, "prefer", null);
    assertThat(p.sessions()).containsExactly(
        new Provenance.Session(Provenance.Purpose.TARGET, "postgres", plain),
        new Provenance.Session(Provenance.Purpose.ARTIFACT, app, plain),
        new Provenance.Session(Provenance.Purpose.JOURNAL, app, plain));
    assertThat(p.cutterVersion()).isEqualTo(CutterBuild.version()).isNotEqualTo(CutterBuild.UNKNOWN);
  }

  @Test
  void inATransactionTheRolesAreMeasuredAfterTheLastStatementBeforeCommit(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.execute("grant create on schema public to " + app);

    RunReport r = apply(db, app, ApplySettings.Mode.TRANSACTION, "create table t (a int)");

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.provenance().beforeFirst()).isEqualTo(new Provenance.Roles(app, app));
    assertThat(r.provenance().afterLast()).isEqualTo(new Provenance.Roles(app, app));
  }

  @Test
  void aRunStoppedBeforeAnySessionAsApplyRoleRecordsOnlyTheTarget(TestDatabase db) throws SQLException {
    RunReport r = apply(db, "no_such_role_" + db.name(), ApplySettings.Mode.TRANSACTION, "create table t (a int)");

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.provenance().beforeFirst()).isNull();
    assertThat(r.provenance().afterLast()).isNull();
    assertThat(r.provenance().sessions()).extracting(Provenance.Session::purpose)
        .containsExactly(Provenance.Purpose.TARGET);
  }
}

package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal row's phase: written with the commit, moved once by the run that recorded it, added to an old journal by init. */
@WithPostgres
class JournalPhaseTest {

  private static String app(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  private static void record(TestDatabase db, String role, String runId) throws SQLException {
    try (Connection c = db.connectAs(role)) {
      Journal.recordCommit(c, "pkg", "a".repeat(64), runId, List.of(), role, role, Instant.now());
    }
  }

  private static String phaseAs(TestDatabase db, String role, String runId, String phase, String key) {
    try (Connection c = db.connectAs(role); Statement st = c.createStatement()) {
      st.execute("select cutter.record_phase('" + runId + "', '" + phase + "', " + (key == null ? "null" : "'" + key + "'")
          + ")");
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  @Test
  void theCommitWritesPhaseTransactionalAndOnlyTheRunMovesItOnce(TestDatabase db) throws SQLException {
    String app = app(db);
    record(db, app, "run1");
    assertThat(db.queryValue("select phase from cutter.journal where run_id = 'run1'")).isEqualTo("transactional");

    assertThat(phaseAs(db, app, "run1", "online_done", "guess")).as("without the run's key").isEqualTo(Journal.NOT_FINISHABLE);
    assertThat(phaseAs(db, app, "run1", "transactional", Journal.finishKey("run1"))).as("not a phase to record")
        .isEqualTo(Journal.NOT_FINISHABLE);
    try (Connection c = db.connectAs(app)) {
      Journal.recordPhase(c, "run1", Journal.Phase.ONLINE_FAILED);
    }
    assertThat(db.queryValue("select phase from cutter.journal where run_id = 'run1'")).isEqualTo("online_failed");
    try (Connection c = db.connectAs(app)) {
      assertThatThrownBy(() -> Journal.recordPhase(c, "run1", Journal.Phase.ONLINE_DONE)).as("once")
          .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo(Journal.NOT_FINISHABLE);
    }
    assertThat(phaseAs(db, app, "run1", "online_done", null)).isEqualTo(Journal.NOT_FINISHABLE);
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("update cutter.journal set phase = 'online_done'"))
          .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("42501");
    }
  }

  @Test
  void theFinishKeyNeverShowsInTheJournalSessionsQueryTextWhichApplyRoleCanRead(TestDatabase db) throws SQLException {
    // cutter's sessions speak the simple protocol, which puts parameters into the query text, and
    // pg_stat_activity shows a session's last query to its own role: between the online step's
    // phase and the final verdict (verify runs meanwhile) apply_role could read the key there and
    // finish the row with a verdict and report digest of its own
    String app = app(db);
    record(db, app, "run1");
    dev.cutter.core.db.ConnectionSpec spec = new dev.cutter.core.db.ConnectionSpec("localhost", db.server().port(),
        db.name(), app, java.util.Optional.empty());
    try (Connection journal = dev.cutter.core.db.Connections.open(spec, "cutter journal run1");
        Connection watcher = db.connectAs(app)) {
      assertThat(journal.unwrap(org.postgresql.PGConnection.class).getPreferQueryMode())
          .isEqualTo(org.postgresql.jdbc.PreferQueryMode.SIMPLE);
      int pid = journal.unwrap(org.postgresql.PGConnection.class).getBackendPID();
      Journal.recordPhase(journal, "run1", Journal.Phase.ONLINE_DONE);
      assertThat(lastQuery(watcher, pid)).contains("cutter.record_phase").doesNotContain(Journal.finishKey("run1"));
      Journal.finish(journal, "run1", "PASS", Instant.now(), "f".repeat(64));
      assertThat(lastQuery(watcher, pid)).contains("cutter.finish_run").doesNotContain(Journal.finishKey("run1"));
      assertThat(journal.unwrap(org.postgresql.PGConnection.class).getPreferQueryMode()).as("given back")
          .isEqualTo(org.postgresql.jdbc.PreferQueryMode.SIMPLE);
    }
    assertThat(db.queryValue("select verdict || ' ' || phase from cutter.journal where run_id = 'run1'"))
        .isEqualTo("PASS online_done");
  }

  @Test
  void theFinishKeyNeverShowsInAnErrorWhateverTheRolesSettingForParametersInErrors(TestDatabase db) throws SQLException {
    // log_parameter_max_length_on_error may be set by any role for itself: a call that fails (a
    // row no longer to finish, a statement cancelled by another session of apply_role's) then
    // reports its bound parameters in the error's context, to the server log and to cutter
    String app = app(db);
    db.execute("alter role " + app + " set log_parameter_max_length_on_error = -1");
    dev.cutter.core.db.ConnectionSpec spec = new dev.cutter.core.db.ConnectionSpec("localhost", db.server().port(),
        db.name(), app, java.util.Optional.empty());
    try (Connection journal = dev.cutter.core.db.Connections.open(spec, "cutter journal run9")) {
      SQLException phase = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
          () -> Journal.recordPhase(journal, "run9", Journal.Phase.ONLINE_DONE));
      SQLException finish = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
          () -> Journal.finish(journal, "run9", "PASS", Instant.now(), "f".repeat(64)));
      for (SQLException e : List.of(phase, finish)) {
        assertThat(e.getSQLState()).isEqualTo(Journal.NOT_FINISHABLE);
        assertThat(String.valueOf(e.getMessage()) + dev.cutter.core.db.DbErrors.ServerError.of(e))
            .doesNotContain(Journal.finishKey("run9"));
      }
    }
  }

  private static String lastQuery(Connection watcher, int pid) throws SQLException {
    try (Statement st = watcher.createStatement();
        java.sql.ResultSet rs = st.executeQuery("select query from pg_stat_activity where pid = " + pid)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void initAddsThePhaseToAJournalThatPredatesIt(TestDatabase db) throws SQLException {
    String app = app(db);
    record(db, app, "old");
    db.execute("drop function cutter.record_phase(text, text, text); alter table cutter.journal drop column phase");
    try (Connection c = db.superuser()) {
      assertThat(Journal.hasPhases(c)).isFalse();
      Journal.init(c, List.of(app));
      assertThat(Journal.hasPhases(c)).isTrue();
    }
    assertThat(db.queryValue("select coalesce(phase, 'none') from cutter.journal where run_id = 'old'"))
        .as("a row from before phases has none").isEqualTo("none");
    assertThat(phaseAs(db, app, "old", "online_done", Journal.finishKey("old")))
        .as("only a row in phase transactional moves").isEqualTo(Journal.NOT_FINISHABLE);
  }
}

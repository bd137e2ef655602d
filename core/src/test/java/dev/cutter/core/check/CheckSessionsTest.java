package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A run's check sessions kept from P1 for verify: the next user gets the same server session,
 * reset, and still in a READ ONLY transaction; what the one before left on it is gone.
 */
@WithPostgres
class CheckSessionsTest {

  private static ConnectionSpec spec(TestDatabase db) {
    return new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Leaves on the session what a careless check could: a setting, a temporary table, an advisory lock, a prepared statement. */
  private static String leaveStateBehind(Connection c) throws SQLException {
    String pid = query(c, "select pg_backend_pid()::text");
    try (Statement st = c.createStatement()) {
      st.execute("select set_config('cutter.left_behind', 'yes', false)");
      st.execute("select pg_advisory_lock(4242)");
      c.commit(); // what commits outlives the check's rollback
      // a new transaction that is not read only: the pool's work never runs like this
      st.execute("rollback; begin read write");
      st.execute("create temporary table left_behind (a int) on commit preserve rows");
      st.execute("prepare left_behind_stmt as select 1");
      c.commit();
    }
    assertThat(query(c, "select current_setting('cutter.left_behind', true)")).isEqualTo("yes");
    assertThat(query(c, "select to_regclass('pg_temp.left_behind') is not null")).isEqualTo("t");
    return pid;
  }

  private static String ask(CheckPool pool, String sql) throws SQLException {
    return pool.<String>readOnly(c -> query(c, sql));
  }

  private static String seen(Connection c) throws SQLException {
    return query(c, "select coalesce(nullif(current_setting('cutter.left_behind', true), ''), '-')"
        + " || ' ' || (to_regclass('pg_temp.left_behind') is not null)"
        + " || ' ' || (select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid())"
        + " || ' ' || (select count(*) from pg_prepared_statements where name = 'left_behind_stmt')"
        + " || ' ' || current_setting('transaction_read_only')");
  }

  @Test
  void theNextUserGetsTheSameSessionResetAndReadOnly(TestDatabase db) throws SQLException {
    try (CheckSessions run = CheckSessions.forRun()) {
      String pid;
      try (CheckSessions.Lease p1 = run.lease(spec(db), 1, "test")) {
        assertThat(p1.own()).isFalse();
        pid = p1.pool().readOnly(CheckSessionsTest::leaveStateBehind);
        assertThat(p1.pool().readOnly(CheckSessionsTest::seen)).as("the same user: no reset between its checks")
            .isEqualTo("yes true 1 1 on");
      }
      try (CheckSessions.Lease verify = run.lease(spec(db), 3, "test")) {
        assertThat(verify.own()).isFalse();
        assertThat(ask(verify.pool(), "select pg_backend_pid()::text")).as("no new login")
            .isEqualTo(pid);
        assertThat(verify.pool().readOnly(CheckSessionsTest::seen)).as("nothing the one before left is seen")
            .isEqualTo("- false 0 0 on");
        assertThat(ask(verify.pool(), "select current_setting('search_path')"))
            .isEqualTo("pg_catalog, pg_temp");
      }
      assertThat(db.queryValue("select count(*) from pg_locks where locktype = 'advisory' and objid = 4242"))
          .isEqualTo("0");
    }
    assertThat(db.queryValue("select count(*) from pg_stat_activity where application_name = 'test'"))
        .as("closed with the run").isEqualTo("0");
  }

  @Test
  void withoutARunEachListOfChecksHasItsOwnPool(TestDatabase db) throws SQLException {
    CheckSessions perUse = CheckSessions.perUse();
    String first;
    try (CheckSessions.Lease a = perUse.lease(spec(db), 1, "test")) {
      assertThat(a.own()).isTrue();
      first = a.pool().readOnly(CheckSessionsTest::leaveStateBehind);
    }
    try (CheckSessions.Lease b = perUse.lease(spec(db), 1, "test")) {
      assertThat(ask(b.pool(), "select pg_backend_pid()::text")).isNotEqualTo(first);
    }
  }

  @Test
  void anotherEndpointIsNotKept(TestDatabase db) throws SQLException {
    try (CheckSessions run = CheckSessions.forRun()) {
      try (CheckSessions.Lease a = run.lease(spec(db), 1, "test")) {
        assertThat(a.own()).isFalse();
      }
      ConnectionSpec other = new ConnectionSpec("localhost", db.server().port(), "postgres", "postgres", Optional.empty());
      try (CheckSessions.Lease b = run.lease(other, 1, "test")) {
        assertThat(b.own()).as("a pool for another database is closed after its use").isTrue();
        assertThat(ask(b.pool(), "select current_database()")).isEqualTo("postgres");
      }
    }
  }

  private static String countNamed(TestDatabase db, String name) {
    return db.queryValue("select count(*) from pg_stat_activity where application_name = '" + name + "'");
  }

  /** Waits (at most 10 s) until {@code n} sessions named {@code name} are logged in; returns how many are. */
  private static String awaitSessions(TestDatabase db, String name, int n) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    String seen = countNamed(db, name);
    while (!seen.equals(String.valueOf(n)) && System.nanoTime() < end) {
      Thread.sleep(20);
      seen = countNamed(db, name);
    }
    return seen;
  }

  @Test
  void aPoolOpenedAheadIsLoggedInBeforeItsLeaseAndIsTheOneLent(TestDatabase db) throws Exception {
    try (CheckSessions run = CheckSessions.forRun()) {
      run.openAhead(spec(db), 3, "ahead");
      assertThat(awaitSessions(db, "ahead", 3)).as("the pool's three logins, before anything leases it").isEqualTo("3");
      try (CheckSessions.Lease p1 = run.lease(spec(db), 3, "ahead")) {
        assertThat(p1.own()).isFalse();
        assertThat(p1.pool().size()).isEqualTo(3);
        assertThat(ask(p1.pool(), "select current_setting('transaction_read_only')")).isEqualTo("on");
        assertThat(countNamed(db, "ahead")).as("no login beyond the pool opened ahead").isEqualTo("3");
      }
      try (CheckSessions.Lease verify = run.lease(spec(db), 3, "ahead")) {
        assertThat(verify.own()).as("kept for the run, as a pool opened in place").isFalse();
      }
    }
    assertThat(awaitSessions(db, "ahead", 0)).as("closed with the run").isEqualTo("0");
  }

  @Test
  void aPoolOpenedAheadThatNobodyLeasesIsClosedWithTheRun(TestDatabase db) throws Exception {
    try (CheckSessions run = CheckSessions.forRun()) {
      run.openAhead(spec(db), 2, "unused");
      assertThat(awaitSessions(db, "unused", 2)).isEqualTo("2");
    }
    assertThat(awaitSessions(db, "unused", 0)).as("closed with the run").isEqualTo("0");
  }

  @Test
  void aPoolOpenedAheadThatCannotConnectFailsItsLeaseAsOpeningInPlaceWould(TestDatabase db) {
    ConnectionSpec nobody = new ConnectionSpec("localhost", db.server().port(), db.name(), "no_such_role_here",
        Optional.empty());
    CutterException inPlace = catchThrowableOfType(() -> CheckPool.open(nobody, 2, "x"), CutterException.class);
    try (CheckSessions run = CheckSessions.forRun()) {
      run.openAhead(nobody, 2, "x");
      CutterException ahead = catchThrowableOfType(() -> run.lease(nobody, 2, "x"), CutterException.class);
      assertThat(ahead).isNotNull();
      assertThat(ahead.exitCode()).isEqualTo(inPlace.exitCode()).isEqualTo(ExitCodes.CHECKS_FAILED);
      assertThat(ahead.typedCause()).isEqualTo(inPlace.typedCause());
      assertThat(ahead.getMessage()).isEqualTo(inPlace.getMessage());
    }
  }

  @Test
  void openingAheadDoesNothingWithoutARunOrOnceAPoolIsKept(TestDatabase db) throws Exception {
    CheckSessions.perUse().openAhead(spec(db), 2, "per-use");
    try (CheckSessions run = CheckSessions.forRun()) {
      try (CheckSessions.Lease a = run.lease(spec(db), 1, "kept")) {
        run.openAhead(spec(db), 2, "late");
        assertThat(ask(a.pool(), "select 1")).isEqualTo("1");
      }
      Thread.sleep(300);
      assertThat(countNamed(db, "per-use")).isEqualTo("0");
      assertThat(countNamed(db, "late")).isEqualTo("0");
    }
  }
}

package dev.cutter.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Cause;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * What a check leaves on its session after the rollback: an advisory lock taken for the session
 * ({@code pg_advisory_lock}, {@code pg_try_advisory_lock}, EXECUTE to PUBLIC, allowed in a READ ONLY
 * transaction) is not released by the rollback. Kept, it would hold that key, another
 * application's or the one a later step of the run takes, for as long as the session lives: the
 * rest of P1 on the kept session of package queries, the whole change on the apply session at
 * BEGIN. Each attack is seen from a second, real session that tries the key. A statement a check
 * prepares with SQL's PREPARE (or the driver's it deallocates) outlives the rollback too, and the
 * next check on the session would find it (or miss its own).
 */
@WithPostgres
class CheckLeftoverAttackTest {

  @Test
  void aCheckLeavesNoAdvisoryLockOnItsSessionForTheRestOfTheRun(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    long key = 0x0c07_7e12_0000_0001L;
    int[] pair = {-7, 2_000_000_001};
    try (PackageQueries q = new PackageQueries(CheckDefinerRouteAttackTest.access(db), app, "test")) {
      Throwable took = catchThrowable(() -> q.run("select pg_catalog.pg_try_advisory_lock(" + key + ")"
          + " and pg_catalog.pg_advisory_lock_shared(" + pair[0] + ", " + pair[1] + ") is not null",
          rs -> rs.next() ? rs.getString(1) : null));
      // a check that fails after taking one gives it back too
      Throwable failed = catchThrowable(() -> q.run("select pg_catalog.pg_try_advisory_lock(" + (key + 1) + ")"
          + " and 1 / 0 = 1", rs -> rs.next() ? rs.getString(1) : null));

      // seen from another session while the run's package queries are still open
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + key + ")", "select pg_advisory_unlock(" + key + ")"))
          .as("a check's session kept an advisory lock after the check").isTrue();
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + pair[0] + ", " + pair[1] + ")",
          "select pg_advisory_unlock(" + pair[0] + ", " + pair[1] + ")")).as("a check's session kept a shared advisory lock")
          .isTrue();
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + (key + 1) + ")",
          "select pg_advisory_unlock(" + (key + 1) + ")")).as("a failed check's session kept an advisory lock").isTrue();
      assertThat(took).isInstanceOf(CutterException.class);
      assertThat(((CutterException) took).typedCause()).isEqualTo(new Cause.InvalidCheck(null));
      assertThat(failed).isInstanceOf(SQLException.class);
      String one = q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
      assertThat(one).isEqualTo("1");
    }
  }

  @Test
  void aCheckAtBeginLeavesNoAdvisoryLockOnTheApplySessionAndKeepsItsOwn(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    long key = 0x0c07_7e12_0000_0011L;
    long own = key + 1; // the apply session's own session-level key (an autocommit apply's change key)
    try (Connection c = db.connectAs(app)) {
      try (Statement st = c.createStatement()) {
        st.execute("select pg_advisory_lock(" + own + ")");
      }
      c.setAutoCommit(false);
      Throwable took = catchThrowable(() -> BeginRecheck.readOnly(c, conn -> PackageQueries.onSession(conn, app)
          .run("select pg_catalog.pg_advisory_lock(" + key + ") is not null and pg_catalog.pg_advisory_lock(" + own
              + ") is not null", rs -> rs.next() ? rs.getString(1) : null)));

      // the apply session goes on (its transaction is open here) while another session tries the key
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + key + ")", "select pg_advisory_unlock(" + key + ")"))
          .as("a check at BEGIN left an advisory lock on the apply session").isTrue();
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + own + ")", "select pg_advisory_unlock(" + own + ")"))
          .as("the apply session's own lock").isFalse();
      assertThat(took).isInstanceOf(CutterException.class);
      assertThat(((CutterException) took).typedCause()).isEqualTo(new Cause.InvalidCheck(null));
      c.rollback();
    }
  }

  @Test
  void aCheckLeavesNoPreparedStatementForTheNextAndTakesNoneFromIt(TestDatabase db) throws Exception {
    // PREPARE and DEALLOCATE are allowed in a read-only transaction
    String app = roleWithFunctions(db, "leave() returns boolean language plpgsql as"
        + " $$ begin execute 'prepare left_behind as select 1'; return true; end $$",
        "forget() returns boolean language plpgsql as $$ begin execute 'deallocate all'; return true; end $$");
    try (PackageQueries q = new PackageQueries(CheckDefinerRouteAttackTest.access(db), app, "test")) {
      selectOneTimes(q, 8); // the driver prepares what it sends often (its own named statements)
      Throwable left = catchThrowable(() -> q.run("select " + app + ".leave()", rs -> rs.next() ? rs.getString(1) : null));
      String seen = q.run("select count(*) from pg_catalog.pg_prepared_statements where from_sql",
          rs -> rs.next() ? rs.getString(1) : null);
      assertThat(seen).as("the next check sees a statement an earlier check prepared").isEqualTo("0");
      assertThat(left).isInstanceOf(CutterException.class);
      assertThat(((CutterException) left).typedCause()).isEqualTo(new Cause.InvalidCheck(null));

      selectOneTimes(q, 8);
      Throwable forgot = catchThrowable(() -> q.run("select " + app + ".forget()", rs -> rs.next() ? rs.getString(1) : null));
      assertThat(forgot).as("a check that deallocated its session's statements passed").isNotNull();
      selectOneTimes(q, 8); // the checks after it run: their session's statements are not gone
    } finally {
      db.execute("drop schema " + app + " cascade");
    }
  }

  @Test
  void aSettingOrAListenACheckMadeForTheSessionIsGoneForTheNext(TestDatabase db) throws Exception {
    String app = roleWithFunctions(db, "linger() returns boolean language plpgsql as $$ begin"
        + " perform pg_catalog.set_config('work_mem', '77MB', false); execute 'listen lingering'; return true; end $$");
    try (PackageQueries q = new PackageQueries(CheckDefinerRouteAttackTest.access(db), app, "test")) {
      String ran = q.run("select " + app + ".linger() || ' ' || pg_catalog.pg_backend_pid()",
          rs -> rs.next() ? rs.getString(1) : null);
      String next = q.run("select pg_catalog.current_setting('work_mem') || ' ' || (select pg_catalog.count(*)"
          + " from pg_catalog.pg_listening_channels()) || ' ' || pg_catalog.pg_backend_pid()",
          rs -> rs.next() ? rs.getString(1) : null);

      // held by the server: both are undone by the check's rollback (LISTEN takes effect only at commit)
      assertThat(ran).startsWith("true ");
      assertThat(next).as("the next check on the same session")
          .doesNotStartWith("77MB").endsWith(" 0 " + ran.substring(5));
    } finally {
      db.execute("drop schema " + app + " cascade");
    }
  }

  /**
   * A new apply_role owning the schema of its name, with {@code functions} ({@code name(…) returns …})
   * made there by it before the run; returns its name.
   */
  private static String roleWithFunctions(TestDatabase db, String... functions) throws SQLException {
    String app = db.createRole("app");
    db.execute("create schema " + app + " authorization " + app);
    try (Connection c = db.connectAs(app); Statement st = c.createStatement()) {
      for (String f : functions) {
        st.execute("create function " + app + "." + f);
      }
    }
    return app;
  }

  private static void selectOneTimes(PackageQueries q, int times) throws SQLException {
    for (int i = 0; i < times; i++) {
      String one = q.run("select 1", rs -> rs.next() ? rs.getString(1) : null);
      assertThat(one).isEqualTo("1");
    }
  }

  /** Whether {@code lock} succeeds on a session of its own (then undone with {@code unlock}). */
  static boolean freeFromAnotherSession(TestDatabase db, String lock, String unlock) throws SQLException {
    try (Connection other = db.superuser(); Statement st = other.createStatement()) {
      boolean free;
      try (ResultSet rs = st.executeQuery(lock)) {
        rs.next();
        free = rs.getBoolean(1);
      }
      if (free) {
        st.executeQuery(unlock).close();
      }
      return free;
    }
  }
}

package dev.cutter.core.check;

import static dev.cutter.core.check.CheckLeftoverAttackTest.freeFromAnotherSession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Cause;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The other way round from {@link CheckLeftoverAttackTest}: a check at BEGIN releases an advisory
 * lock the apply session held before it ({@code pg_advisory_unlock}, {@code pg_advisory_unlock_all},
 * EXECUTE to PUBLIC, allowed in a READ ONLY transaction). The savepoint's rollback does not take
 * the lock again: an autocommit apply's change key, which keeps the next run out while a statement
 * of this one may still run in the server, would be free for the whole change.
 */
@WithPostgres
class CheckReleasedLockAttackTest {

  @Test
  void aCheckAtBeginCannotReleaseTheApplySessionsOwnLocks(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    long own = 0x0c07_7e12_0000_0021L; // as an autocommit apply's change key: session-level, exclusive
    int[] pair = {-9, -2_000_000_001}; // and a shared int4-pair key with negative halves
    try (Connection c = db.connectAs(app)) {
      try (Statement st = c.createStatement()) {
        st.execute("select pg_advisory_lock(" + own + "), pg_advisory_lock_shared(" + pair[0] + ", " + pair[1] + ")");
      }
      c.setAutoCommit(false);
      Throwable one = catchThrowable(() -> BeginRecheck.readOnly(c, conn -> PackageQueries.onSession(conn, app)
          .run("select pg_catalog.pg_advisory_unlock(" + own + ")", rs -> rs.next() ? rs.getString(1) : null)));
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + own + ")", "select pg_advisory_unlock(" + own + ")"))
          .as("a check at BEGIN released the apply session's own key").isFalse();
      Throwable all = catchThrowable(() -> BeginRecheck.readOnly(c, conn -> PackageQueries.onSession(conn, app)
          .run("select pg_catalog.pg_advisory_unlock_all() is null", rs -> rs.next() ? rs.getString(1) : null)));

      // the apply session goes on (its transaction is open here) while another session tries the keys
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + own + ")", "select pg_advisory_unlock(" + own + ")"))
          .as("a check at BEGIN released every lock of the apply session").isFalse();
      assertThat(freeFromAnotherSession(db, "select pg_try_advisory_lock(" + pair[0] + ", " + pair[1] + ")",
          "select pg_advisory_unlock(" + pair[0] + ", " + pair[1] + ")")).as("the apply session's shared lock").isFalse();
      for (Throwable t : new Throwable[] {one, all}) {
        assertThat(t).as("a check that released its session's lock passed").isInstanceOf(CutterException.class);
        assertThat(((CutterException) t).typedCause()).isEqualTo(new Cause.InvalidCheck(null));
      }
      c.rollback();
    }
  }
}

package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.TargetAccess;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A session opened ahead that the run discards (it stopped at a gate before the apply) is closed,
 * and nothing logs in because of the discard: a session the server ended meanwhile is not opened
 * again in place just to be closed, after a gate that failed.
 */
@WithPostgres
class SessionOpeningDiscardTest {

  private static String pid(Connection c) throws java.sql.SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void discardingASessionTheServerEndedLogsInNoNewOne(TestDatabase db) throws Exception {
    AtomicInteger logins = new AtomicInteger();
    Connection first = db.superuser();
    SessionOpening opening = SessionOpening.startAhead(() -> {
      try {
        return new TargetAccess.RoleSession(logins.getAndIncrement() == 0 ? first : db.superuser(),
            TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    String ended = pid(first);
    assertThat(db.queryValue("select pg_terminate_backend(" + ended + ", 10000)")).isEqualTo("t");

    opening.discard();

    assertThat(logins.get()).as("no login after the gate that failed").isEqualTo(1);
    assertThat(first.isClosed()).isTrue();
  }

  @Test
  void discardingALiveSessionOpenedAheadClosesItWithoutAnotherRoundTrip(TestDatabase db) throws Exception {
    AtomicInteger logins = new AtomicInteger();
    Connection c = db.superuser();
    SessionOpening opening = SessionOpening.startAhead(() -> {
      logins.incrementAndGet();
      return new TargetAccess.RoleSession(c, TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test");
    });
    opening.discard();
    assertThat(c.isClosed()).isTrue();
    assertThat(logins.get()).isEqualTo(1);
  }
}

package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.TargetAccess;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@WithPostgres
class SessionOpeningTest {

  @Test
  void opensWhileTheCallerDoesSomethingElse(TestDatabase db) throws Exception {
    CountDownLatch callerBusy = new CountDownLatch(1);
    SessionOpening opening = SessionOpening.start(() -> {
      try {
        // the login waits for the caller: were it run in place, this would never return
        if (!callerBusy.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the caller never ran alongside");
        }
        return new TargetAccess.RoleSession(db.superuser(), TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test");
      } catch (InterruptedException | java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    callerBusy.countDown();
    try (TargetAccess.RoleSession s = opening.await()) {
      assertThat(s.connection().isValid(5)).isTrue();
      assertThat(s.how()).isEqualTo("test");
    }
  }

  @Test
  void aRefusalReachesTheCallerAsItself() {
    ApplyRun.ApplyRoleException refused = new ApplyRun.ApplyRoleException("role app does not exist",
        TargetAccess.Refusal.ROLE_MISSING, new Cause.InternalError("test"));
    SessionOpening opening = SessionOpening.start(() -> {
      throw refused;
    });
    assertThatThrownBy(opening::await).isSameAs(refused);
    opening.discard(); // nothing to close: no error
  }

  @Test
  void aDiscardedSessionIsClosedBeforeTheRunGoesOn(TestDatabase db) throws Exception {
    Connection c = db.superuser();
    SessionOpening opening = SessionOpening.start(
        () -> new TargetAccess.RoleSession(c, TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test"));
    opening.discard();
    assertThat(c.isClosed()).isTrue();
  }

  private static String pid(Connection c) throws java.sql.SQLException {
    try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void aSessionOpenedAheadThatTheServerEndedIsOpenedAgainInPlace(TestDatabase db) throws Exception {
    java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
    Connection first = db.superuser();
    SessionOpening opening = SessionOpening.startAhead(() -> {
      try {
        Connection c = logins.getAndIncrement() == 0 ? first : db.superuser();
        return new TargetAccess.RoleSession(c, TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    String ended = pid(first);
    assertThat(db.queryValue("select pg_terminate_backend(" + ended + ", 10000)")).isEqualTo("t");
    try (TargetAccess.RoleSession s = opening.await()) {
      assertThat(logins.get()).as("logged in again").isEqualTo(2);
      assertThat(pid(s.connection())).isNotEqualTo(ended);
      assertThat(first.isClosed()).as("the ended one is closed").isTrue();
    }
  }

  @Test
  void aLiveSessionOpenedAheadIsTheOneGiven(TestDatabase db) throws Exception {
    java.util.concurrent.atomic.AtomicInteger logins = new java.util.concurrent.atomic.AtomicInteger();
    Connection c = db.superuser();
    SessionOpening opening = SessionOpening.startAhead(() -> {
      logins.incrementAndGet();
      return new TargetAccess.RoleSession(c, TargetAccess.Route.AUTHENTICATED_AS_ROLE, "test");
    });
    try (TargetAccess.RoleSession s = opening.await()) {
      assertThat(s.connection()).isSameAs(c);
      assertThat(logins.get()).isEqualTo(1);
    }
  }
}

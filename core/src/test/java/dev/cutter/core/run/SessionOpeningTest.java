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
}

package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.check.TargetAccess.RoleRefused;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal's session as apply_role, logged in ahead while the other P1 checks run, against a
 * login role whose standing changes before the rehearsal takes it: the rehearsal gets what opening
 * the session in place would give right then, and the session opened ahead is closed.
 */
@WithPostgres
class RoleSessionsAheadAttackTest {

  private static final String PURPOSE = "ahead-attack";

  private static void awaitLogin(RoleSessionsAhead ahead, String role) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!ahead.done(role, PURPOSE) && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(ahead.done(role, PURPOSE)).as("the login ahead ended").isTrue();
  }

  private static String sessions(TestDatabase db) {
    return db.queryValue("select count(*) from pg_stat_activity where application_name = '" + PURPOSE + "'");
  }

  private static String awaitNoSession(TestDatabase db) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    String seen = sessions(db);
    while (!seen.equals("0") && System.nanoTime() < end) {
      Thread.sleep(20);
      seen = sessions(db);
    }
    return seen;
  }

  @Test
  void aLoginGrantedCreateroleAfterTheRehearsalsLoginAheadIsRefusedAndItsSessionClosed(TestDatabase db)
      throws Exception {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    TargetAccess access = new TargetAccess(login(db, deployer), (s, role) -> Optional.empty());
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, PURPOSE);
      awaitLogin(ahead, app);
      assertThat(sessions(db)).isEqualTo("1");
      db.execute("alter role " + deployer + " createrole");
      RoleRefused refused = catchThrowableOfType(RoleRefused.class, () -> ahead.openAs(access, app, PURPOSE).close());
      assertThat(refused).as("refused as in place").isNotNull();
      assertThat(refused.reason()).isEqualTo(TargetAccess.Refusal.PRIVILEGED_LOGIN);
      assertThat(refused.getMessage()).contains("holds what " + app + " lacks (CREATEROLE)");
    }
    // the backend leaves pg_stat_activity a moment after the client's Terminate: waited for, at most 10 s
    assertThat(awaitNoSession(db)).as("the session opened ahead was closed").isEqualTo("0");
  }

  @Test
  void aLoginThatStaysLeanGetsTheSessionOpenedAheadItself(TestDatabase db) throws Exception {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    TargetAccess access = new TargetAccess(login(db, deployer), (s, role) -> Optional.empty());
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, PURPOSE);
      awaitLogin(ahead, app);
      String pid = db.queryValue("select pid::text from pg_stat_activity where application_name = '" + PURPOSE + "'");
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, PURPOSE);
          Statement st = s.connection().createStatement();
          ResultSet rs = st.executeQuery("select pg_backend_pid()::text || ' ' || current_user")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo(pid + " " + app);
        assertThat(s.route()).isEqualTo(TargetAccess.Route.SET_ROLE_FROM_LEAN_LOGIN);
      }
    }
  }
}

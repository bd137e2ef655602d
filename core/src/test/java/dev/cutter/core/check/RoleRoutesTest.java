package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.CutterException;
import dev.cutter.core.check.TargetAccess.RoleRefused;
import dev.cutter.core.check.TargetAccess.RoleSession;
import dev.cutter.core.check.TargetAccess.Route;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A run that reached apply_role by a separate login logs in as it directly for its later
 * sessions (the apply's, the journal's): no probe as the login role first. The session is still
 * authenticated as the role, and a remembered login that stops working is found again from the start.
 */
@WithPostgres
class RoleRoutesTest {

  /** A password lookup that remembers its run's routes, as the cli's does. */
  private static final class RunLookup implements BiFunction<ConnectionSpec, String, Optional<Secret>>,
      RoleRoutes.Remembering {
    private final RoleRoutes routes = new RoleRoutes();

    @Override
    public Optional<Secret> apply(ConnectionSpec spec, String role) {
      return Optional.empty();
    }

    @Override
    public RoleRoutes roleRoutes() {
      return routes;
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void laterSessionsOfTheRunLogInAsTheRoleWithoutProbingTheLoginRole(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String boss = db.createRole("boss", "CREATEDB");
    TargetAccess access = new TargetAccess(login(db, boss), new RunLookup());
    String how;
    try (RoleSession first = access.openAs(app, "test")) {
      assertThat(first.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
      how = first.how();
      assertThat(how).isEqualTo("a separate login as " + app + " (login role " + boss + " is not a member of " + app + ")");
    }
    // the login role can no longer log in: only a session that skips the probe can be had
    db.execute("alter role " + boss + " nologin");
    try (RoleSession second = access.openAs(app, "test")) {
      assertThat(second.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
      assertThat(second.how()).isEqualTo(how);
      assertThat(query(second.connection(), "select session_user || ' ' || current_user"))
          .as("still authenticated as apply_role").isEqualTo(app + " " + app);
    }
    Throwable probed = catchThrowable(() -> new TargetAccess(login(db, boss), (s, r) -> Optional.empty())
        .openAs(app, "test"));
    assertThat(probed).as("a lookup that remembers nothing probes as the login role, which fails now")
        .isInstanceOf(CutterException.class).isNotInstanceOf(RoleRefused.class);
  }

  @Test
  void aRememberedLoginThatStopsWorkingIsFoundAgainFromTheStart(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    RunLookup lookup = new RunLookup();
    TargetAccess access = new TargetAccess(login(db, "postgres"), lookup);
    try (RoleSession first = access.openAs(app, "test")) {
      assertThat(first.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
    }
    assertThat(lookup.roleRoutes().separateLogin(login(db, "postgres"), app)).isPresent();
    db.execute("alter role " + app + " nologin");
    RoleRefused e = catchThrowableOfType(RoleRefused.class, () -> access.openAs(app, "test"));
    assertThat(e.reason()).as("the strict rule again, as without the memory").isEqualTo(TargetAccess.Refusal.PRIVILEGED_LOGIN);
    assertThat(lookup.roleRoutes().separateLogin(login(db, "postgres"), app)).isEmpty();
  }

  @Test
  void aLeanLoginIsNotRememberedAndAnotherLoginIsAnotherKey(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    RunLookup lookup = new RunLookup();
    try (RoleSession s = new TargetAccess(login(db, deployer), lookup).openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.SET_ROLE_FROM_LEAN_LOGIN);
    }
    assertThat(lookup.roleRoutes().separateLogin(login(db, deployer), app)).isEmpty();
    String app2 = db.createRole("app");
    try (RoleSession s = new TargetAccess(login(db, "postgres"), lookup).openAs(app2, "test")) {
      assertThat(s.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
    }
    assertThat(lookup.roleRoutes().separateLogin(login(db, "postgres"), app2)).isPresent();
    assertThat(lookup.roleRoutes().separateLogin(login(db, deployer), app2)).as("remembered per login").isEmpty();
  }

  /** What {@code user} holds against {@code role}, read for {@code lookup}'s run on a session of {@code user}'s own. */
  private static void readStanding(TestDatabase db, RunLookup lookup, String user, String role) throws SQLException {
    try (Connection own = dev.cutter.core.db.Connections.openCatalog(login(db, user), "test lock")) {
      RoleRoutes.readStanding(lookup, login(db, user), own, role);
    }
  }

  @Test
  void aStandingTheRunReadOnItsOwnSessionSendsTheFirstSessionStraightToTheRolesLogin(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String boss = db.createRole("boss", "CREATEDB");
    RunLookup lookup = new RunLookup();
    readStanding(db, lookup, boss, app);
    // the login role can no longer log in: only a first session that skips the probe can be had
    db.execute("alter role " + boss + " nologin");
    try (RoleSession first = new TargetAccess(login(db, boss), lookup).openAs(app, "test")) {
      assertThat(first.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
      assertThat(first.how()).isEqualTo("a separate login as " + app + " (login role " + boss + " is not a member of " + app + ")");
      assertThat(query(first.connection(), "select session_user || ' ' || current_user")).isEqualTo(app + " " + app);
    }
    assertThat(lookup.roleRoutes().separateLogin(login(db, boss), app)).isPresent();
  }

  @Test
  void aStandingReadAheadChangesNoOtherRoute(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    RunLookup lookup = new RunLookup();
    readStanding(db, lookup, deployer, app);
    try (RoleSession s = new TargetAccess(login(db, deployer), lookup).openAs(app, "test")) {
      assertThat(s.route()).as("a lean login still SETs ROLE").isEqualTo(Route.SET_ROLE_FROM_LEAN_LOGIN);
    }
    // a separate login the reading calls for that fails: the strict rule as without the reading
    RunLookup other = new RunLookup();
    readStanding(db, other, "postgres", app);
    RoleRefused e = catchThrowableOfType(RoleRefused.class, () -> new TargetAccess(login(db, "postgres"), other)
        .openAs(app, "test"));
    assertThat(e.reason()).isEqualTo(TargetAccess.Refusal.PRIVILEGED_LOGIN);
    assertThat(e.getMessage()).contains("logging in as " + app + " failed");
  }
}

package dev.cutter.core.check;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.RoleSwitch;
import dev.cutter.core.exec.RoleSwitch.Excess;
import dev.cutter.core.exec.RoleSwitch.Standing;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * How to reach the target beyond the read-only check connection: the login, where another role's
 * password comes from (the password file), and whether the trust policy lets an artifact run by
 * SET ROLE from a login role that holds more than apply_role ({@code allow_privileged_login}).
 * Connections opened here use the simple query protocol, as apply does.
 *
 * <p>Any statement can {@code RESET ROLE}, {@code SET SESSION AUTHORIZATION} or
 * {@code set_config('role', …)}, also inside a {@code DO} block: it then acts as the session's
 * login role. So a session that runs an artifact is either authenticated as apply_role itself, or
 * reaches it by SET ROLE from a login role that holds nothing apply_role lacks; only the trust
 * policy can waive that, and the report then says so.
 */
public record TargetAccess(ConnectionSpec login, BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor,
    boolean privilegedLoginAllowed) {

  /** The rule without the trust policy's waiver. */
  public TargetAccess(ConnectionSpec login, BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor) {
    this(login, passwordFor, false);
  }

  /** How a session came to run as the role. */
  public enum Route {
    /** session_user is the role: RESET ROLE leads back to it. */
    AUTHENTICATED_AS_ROLE,
    /** SET ROLE from a login role that holds nothing the role lacks. */
    SET_ROLE_FROM_LEAN_LOGIN,
    /** SET ROLE from a more privileged login role, allowed by the trust policy: a statement can act as the login. */
    SET_ROLE_FROM_PRIVILEGED_LOGIN
  }

  /** A session whose current_user is the role; {@code how} says how it got there, for the report. */
  public record RoleSession(Connection connection, Route route, String how) implements AutoCloseable {
    /** True when the trust policy's waiver was used: the report's header must say so. */
    public boolean privilegedLoginUsed() {
      return route == Route.SET_ROLE_FROM_PRIVILEGED_LOGIN;
    }

    /**
     * This session when one round trip proves it still alive, else null, with it closed: a session
     * opened ahead of its use may have been ended by the server meanwhile (idle_session_timeout, a
     * terminated backend, a restart), and is then opened again in place by its owner. A session
     * that reached the role by SET ROLE from a lean login is kept only while that login is still
     * a member of the role holding nothing the role lacks (read again now, as opening it in place
     * would): a login granted more, or no longer a member, since it logged in would otherwise let
     * the artifact's RESET ROLE act as it; its owner then opens one in place, which refuses it.
     */
    public RoleSession aliveOrClosed() {
      try {
        if (connection.isValid(VALID_WITHIN_SECONDS) && (route != Route.SET_ROLE_FROM_LEAN_LOGIN
            || RoleSwitch.standing(connection, RoleSwitch.currentUser(connection)).leanMember())) {
          return this;
        }
      } catch (SQLException e) {
        // not alive
      }
      try {
        close();
      } catch (SQLException | RuntimeException e) {
        // it is gone either way
      }
      return null;
    }

    /** How long the one round trip that proves a session still alive may take. */
    private static final int VALID_WITHIN_SECONDS = 5;

    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  /** Why no session could run as the role. */
  public enum Refusal {
    /** The role does not exist on the target. */
    ROLE_MISSING,
    /** The login role is not a member of the role, and logging in as the role failed. */
    NOT_REACHABLE,
    /** The login role holds what the role lacks, logging in as the role failed, and the trust policy does not waive it. */
    PRIVILEGED_LOGIN
  }

  /** No session as the role: the run is BLOCKED with this reason (exit 3). */
  public static final class RoleRefused extends CutterException {
    private static final long serialVersionUID = 1L;

    private final Refusal reason;
    private final transient Excess excess;

    RoleRefused(Refusal reason, Excess excess, String message) {
      super(ExitCodes.CHECKS_FAILED, message);
      this.reason = reason;
      this.excess = excess;
    }

    public Refusal reason() {
      return reason;
    }

    /** What the login role holds that the role lacks ({@link Excess#NONE} unless the reason is PRIVILEGED_LOGIN). */
    public Excess excess() {
      return excess;
    }
  }

  /**
   * A session running as {@code role}: the login session itself when it is authenticated as the
   * role; SET ROLE when the login role is a member holding nothing the role lacks; else a separate
   * login as the role (same host and settings, its password from the password file or none); else,
   * only when the trust policy allows it, SET ROLE from the privileged login. Otherwise
   * {@link RoleRefused}. A run whose lookup remembers routes ({@link RoleRoutes}) logs in as the
   * role directly once a separate login reached it.
   */
  public RoleSession openAs(String role, String purpose) throws SQLException {
    RoleRoutes routes = RoleRoutes.of(passwordFor);
    Optional<String> remembered = routes == null ? Optional.empty() : routes.separateLogin(login, role);
    if (remembered.isPresent()) {
      // this run reached the role by its own login before: no probe as the login role first
      try {
        return new RoleSession(loginAs(role, purpose), Route.AUTHENTICATED_AS_ROLE, remembered.get());
      } catch (CutterException | SQLException e) {
        routes.forget(login, role); // the login no longer works: find the route again from the start
      }
    }
    // the run read what the login holds on a session of its own: where that calls for a separate login,
    // log in as the role at once (the strictest route whatever the login holds now), no probe first
    Optional<Standing> read = routes == null ? Optional.empty() : routes.standing(login, role);
    String separateFailed = null;
    if (read.isPresent() && read.get().roleExists() && !read.get().isRole() && !read.get().leanMember()) {
      try {
        return separateLogin(role, purpose, whySeparate(read.get(), role), routes);
      } catch (CutterException | SQLException e) {
        separateFailed = e instanceof SQLException x ? DbErrors.oneLine(x) : e.getMessage(); // not tried again below
      }
    }
    Connection c = Connections.open(login, purpose);
    Standing st;
    try {
      // what the login holds is read with the catalog's names only (a database search_path its
      // owner set could answer an operator of the reading with its own, run as the login); the
      // session keeps the target's search_path for the artifact
      Connections.pinSearchPath(c);
      st = RoleSwitch.standing(c, role);
      if (st.isRole()) {
        Connections.unpinSearchPath(c);
        RoleSwitch.assertAuthenticatedAs(c, role);
        return new RoleSession(c, Route.AUTHENTICATED_AS_ROLE, "logged in as " + role);
      }
      if (st.leanMember()) {
        Connections.unpinSearchPath(c);
        RoleSwitch.setRole(c, role);
        return new RoleSession(c, Route.SET_ROLE_FROM_LEAN_LOGIN, "logged in as " + st.sessionUser() + ", SET ROLE "
            + role + " (the login role holds nothing " + role + " lacks)");
      }
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
    c.close();
    if (!st.roleExists()) {
      throw new RoleRefused(Refusal.ROLE_MISSING, Excess.NONE, "role " + role + " does not exist on the target");
    }
    String why = whySeparate(st, role);
    String failed = separateFailed;
    if (failed == null) {
      try {
        return separateLogin(role, purpose, why, routes);
      } catch (CutterException | SQLException e) {
        failed = e instanceof SQLException s ? DbErrors.oneLine(s) : e.getMessage();
      }
    }
    if (!st.member()) {
      throw new RoleRefused(Refusal.NOT_REACHABLE, Excess.NONE, why + " and logging in as " + role + " failed: "
          + failed + ": connect as " + role + " (a password file entry for it) or grant " + role + " to "
          + st.sessionUser());
    }
    if (!privilegedLoginAllowed) {
      throw new RoleRefused(Refusal.PRIVILEGED_LOGIN, st.excess(), why + ", so a statement could RESET ROLE and act as "
          + st.sessionUser() + "; logging in as " + role + " failed: " + failed + ": give " + role
          + " a login (and a password file entry), run as a login role that is a member of " + role
          + " only, or set allow_privileged_login: true in the trust policy");
    }
    Connection p = Connections.open(login, purpose);
    try {
      RoleSwitch.setRole(p, role);
    } catch (SQLException | RuntimeException e) {
      p.close();
      throw e;
    }
    return new RoleSession(p, Route.SET_ROLE_FROM_PRIVILEGED_LOGIN, "logged in as " + st.sessionUser() + ", SET ROLE "
        + role + "; " + why + ": allowed by the trust policy (allow_privileged_login), a statement can act as "
        + st.sessionUser());
  }

  /** Why a login role that is not {@code role} and not a lean member of it needs a separate login. */
  private static String whySeparate(Standing st, String role) {
    return !st.member() ? "login role " + st.sessionUser() + " is not a member of " + role
        : "login role " + st.sessionUser() + " holds what " + role + " lacks (" + st.excess().describe() + ")";
  }

  /** A separate login as {@code role} ({@code why} it is needed, for the report), remembered by {@code routes} if any. */
  private RoleSession separateLogin(String role, String purpose, String why, RoleRoutes routes) throws SQLException {
    String how = "a separate login as " + role + " (" + why + ")";
    RoleSession s = new RoleSession(loginAs(role, purpose), Route.AUTHENTICATED_AS_ROLE, how);
    if (routes != null) {
      routes.rememberSeparateLogin(login, role, how);
    }
    return s;
  }

  /** A separate session authenticated as {@code role}. */
  private Connection loginAs(String role, String purpose) throws SQLException {
    Connection d = Connections.open(login.as(role, passwordFor.apply(login, role)), purpose);
    try {
      RoleSwitch.assertAuthenticatedAs(d, role);
      return d;
    } catch (SQLException | RuntimeException e) {
      d.close();
      throw e;
    }
  }
}

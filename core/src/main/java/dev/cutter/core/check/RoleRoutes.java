package dev.cutter.core.check;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.exec.RoleSwitch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How one run reached a role through a separate login as that role ({@link TargetAccess#openAs}
 * found the login role too privileged, or not a member, and the role's own login worked): later
 * sessions of the same run as that role log in as it directly, without first probing the login
 * role again. Only that route is remembered: a session authenticated as the role is the strictest
 * of the routes, and every such session is still checked to be authenticated as the role; when
 * the remembered login fails, the route is forgotten and found again from the start. A run has
 * one of these through its password lookup ({@link Remembering}); a lookup that is not one
 * remembers nothing, and every {@code openAs} probes as before.
 */
public final class RoleRoutes {

  /** A password lookup that carries its run's routes (one per command: the cli's lookup). */
  public interface Remembering {
    RoleRoutes roleRoutes();
  }

  /** equals and hashCode written out: a record's own are linked at their first call, spinning method handles on the run's path. */
  private record Key(Map<String, String> endpoint, String role) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && java.util.Objects.equals(endpoint, k.endpoint) && java.util.Objects.equals(role, k.role);
    }

    @Override
    public int hashCode() {
      return 31 * java.util.Objects.hashCode(endpoint) + java.util.Objects.hashCode(role);
    }
  }

  private final Map<Key, String> separateLogins = new ConcurrentHashMap<>();
  private final Map<Key, RoleSwitch.Standing> standings = new ConcurrentHashMap<>();

  /** The routes of {@code passwordFor}'s run, or null when it remembers none. */
  static RoleRoutes of(Object passwordFor) {
    return passwordFor instanceof Remembering r ? r.roleRoutes() : null;
  }

  /** How the role was reached by a separate login from {@code login}'s endpoint, if it was. */
  Optional<String> separateLogin(ConnectionSpec login, String role) {
    return Optional.ofNullable(separateLogins.get(key(login, role)));
  }

  void rememberSeparateLogin(ConnectionSpec login, String role, String how) {
    separateLogins.put(key(login, role), how);
  }

  void forget(ConnectionSpec login, String role) {
    separateLogins.remove(key(login, role));
    standings.remove(key(login, role));
  }

  /**
   * Reads on {@code loginSession} (a session of {@code login}'s role, its search_path pinned to the
   * catalog) what that role holds against {@code role}, for {@code passwordFor}'s run: a later {@link
   * TargetAccess#openAs} that this reading sends to a separate login as the role logs in as it at
   * once, without a probe session first. Nothing when the run remembers no routes.
   */
  public static void readStanding(Object passwordFor, ConnectionSpec login, Connection loginSession, String role)
      throws SQLException {
    RoleRoutes routes = of(passwordFor);
    if (routes != null) {
      routes.standings.put(key(login, role), RoleSwitch.standing(loginSession, role));
    }
  }

  /** What {@link #readStanding} read for {@code login} and {@code role}, if it did. */
  Optional<RoleSwitch.Standing> standing(ConnectionSpec login, String role) {
    return Optional.ofNullable(standings.get(key(login, role)));
  }

  private static Key key(ConnectionSpec login, String role) {
    // the endpoint names host, port, database, login user and TLS settings: another target is another key
    return new Key(Connections.endpoint(login), role);
  }
}

package dev.cutter.core.check;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
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

  private record Key(Map<String, String> endpoint, String role) {}

  private final Map<Key, String> separateLogins = new ConcurrentHashMap<>();

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
  }

  private static Key key(ConnectionSpec login, String role) {
    // the endpoint names host, port, database, login user and TLS settings: another target is another key
    return new Key(Connections.endpoint(login), role);
  }
}

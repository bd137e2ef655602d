package dev.cutter.core.check;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.Connections;
import dev.cutter.core.exec.RoleSwitch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * How to reach the target beyond the read-only check connection: the login, and where another
 * role's password comes from (the password file). Connections opened here use the simple query
 * protocol, as apply does.
 */
public record TargetAccess(ConnectionSpec login, BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor) {

  /** A session whose current_user is {@code role}, and how it got there. */
  public record RoleSession(Connection connection, String how) implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }

  /**
   * A session running as {@code role}: the login session with SET ROLE when the login role may,
   * else a separate login as {@code role}; current_user is asserted either way.
   */
  public RoleSession openAs(String role, String purpose) throws SQLException {
    Connection c = Connections.open(login, purpose);
    String why;
    try {
      why = RoleSwitch.become(c, role);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    if (why == null) {
      String how = login.user().equals(role) ? "logged in as " + role : "logged in as " + login.user() + ", SET ROLE " + role;
      return new RoleSession(c, how);
    }
    c.close();
    ConnectionSpec direct = login.as(role, passwordFor.apply(login, role));
    Connection d;
    try {
      d = Connections.open(direct, purpose);
    } catch (CutterException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, why + "; connecting as " + role + " also failed: " + e.getMessage());
    }
    String current = RoleSwitch.currentUser(d);
    if (!current.equals(role)) {
      d.close();
      throw new CutterException(ExitCodes.CHECKS_FAILED, "connected as " + role + " but current_user is " + current);
    }
    return new RoleSession(d, "a separate login as " + role + " (" + why + ")");
  }
}

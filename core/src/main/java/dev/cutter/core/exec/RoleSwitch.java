package dev.cutter.core.exec;

import dev.cutter.core.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Makes a session run as the pinned apply role, and proves it did. */
public final class RoleSwitch {

  private RoleSwitch() {}

  /** Why the session cannot become the role, or null when it now runs as it. */
  public static String become(Connection c, String role) throws SQLException {
    String current = currentUser(c);
    if (current.equals(role)) {
      return null;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "select exists (select 1 from pg_roles where rolname = ?), "
            + "case when exists (select 1 from pg_roles where rolname = ?) then pg_has_role(session_user, ?, 'MEMBER') end")) {
      ps.setString(1, role);
      ps.setString(2, role);
      ps.setString(3, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return "role " + role + " does not exist on the target";
        }
        if (!rs.getBoolean(2)) {
          return "login role " + current + " is not a member of " + role
              + ": connect as " + role + " (--target …" + role + "@…) or grant " + role + " to " + current;
        }
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("set role " + Sql.ident(role));
    }
    String now = currentUser(c);
    return now.equals(role) ? null : "after SET ROLE, current_user is " + now + ", not " + role;
  }

  public static String currentUser(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user")) {
      rs.next();
      return rs.getString(1);
    }
  }

  public static String sessionUser(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select session_user")) {
      rs.next();
      return rs.getString(1);
    }
  }
}

package dev.cutter.core.catalog;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads the target's {@link Identity}. The system identifier comes from
 * {@code pg_control_system()}, which hardened installations may revoke from PUBLIC; then this
 * throws a {@link NotExecutableException} naming the function and the grant that fixes it,
 * without running the function (so the caller's transaction stays usable).
 */
public final class IdentityReader {

  /** The function that yields the system identifier. */
  public static final String FUNCTION = "pg_catalog.pg_control_system()";

  private IdentityReader() {}

  /** pg_control_system() is not executable by the current role. */
  public static final class NotExecutableException extends CutterException {
    private static final long serialVersionUID = 1L;

    NotExecutableException(String role) {
      super(ExitCodes.CHECKS_FAILED, "cannot read the system identifier: " + FUNCTION + " is not executable by role "
          + Identifiers.quote(role) + " (SQLSTATE 42501); as a superuser run: grant execute on function "
          + FUNCTION + " to " + Identifiers.quote(role));
    }
  }

  public static Identity read(Connection c) throws SQLException {
    String role;
    String database;
    int major;
    String version;
    boolean executable;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_user, pg_catalog.current_database(),"
            + " pg_catalog.current_setting('server_version_num')::int / 10000, pg_catalog.current_setting('server_version'),"
            + " pg_catalog.has_function_privilege('" + FUNCTION + "', 'EXECUTE')")) {
      rs.next();
      role = rs.getString(1);
      database = rs.getString(2);
      major = rs.getInt(3);
      version = rs.getString(4);
      executable = rs.getBoolean(5);
    }
    if (!executable) {
      throw new NotExecutableException(role);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select system_identifier::text from " + FUNCTION)) {
      rs.next();
      return new Identity(rs.getString(1), database, major, version);
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        throw new NotExecutableException(role);
      }
      throw e;
    }
  }
}

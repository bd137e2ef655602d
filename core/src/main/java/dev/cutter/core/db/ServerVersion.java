package dev.cutter.core.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The server's major (15 for 15.x) and its version as it names it ({@code server_version}). */
public record ServerVersion(int major, String text) {

  /** Asks the server on {@code c}. */
  public static ServerVersion of(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('server_version_num')::int / 10000,"
            + " pg_catalog.current_setting('server_version')")) {
      rs.next();
      return new ServerVersion(rs.getInt(1), rs.getString(2));
    }
  }
}

package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections from a {@link ConnectionSpec}; the password goes only into driver properties. */
public final class Connections {

  private Connections() {}

  /** Driver properties: psql's simple query protocol, an application name, no password in the URL. */
  public static Properties properties(ConnectionSpec spec, String applicationName) {
    Properties p = new Properties();
    p.setProperty("user", spec.user());
    spec.password().ifPresent(s -> p.setProperty("password", s.value()));
    p.setProperty("preferQueryMode", "simple");
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("connectTimeout", "10");
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("assumeMinServerVersion", "14");
    return p;
  }

  /** Connects or fails with one line naming the target and the server's reason (exit 3: the gate cannot run). */
  public static Connection open(ConnectionSpec spec, String applicationName) {
    try {
      return DriverManager.getConnection(spec.jdbcUrl(), properties(spec, applicationName));
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED,
          "cannot connect to " + spec.display() + ": " + DbErrors.oneLine(e), e);
    }
  }
}

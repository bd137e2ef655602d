package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections from a {@link ConnectionSpec}; the password goes only into driver properties. */
public final class Connections {

  private static final Driver DRIVER = new org.postgresql.Driver();

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

  /**
   * Driver properties for check sessions: as {@link #properties}, but the extended query
   * protocol. A check's text then travels in one Parse message, and the server refuses a Parse
   * that holds more than one command ("cannot insert multiple commands into a prepared
   * statement"), so a check cannot end its READ ONLY transaction by sending a COMMIT after its
   * query. Apply keeps the simple protocol: it sends scripts as psql does.
   */
  public static Properties checkProperties(ConnectionSpec spec, String applicationName) {
    Properties p = properties(spec, applicationName);
    p.setProperty("preferQueryMode", "extended");
    return p;
  }

  /**
   * Connects through the PostgreSQL driver itself rather than {@code DriverManager}: the manager
   * loads and initialises every JDBC driver on the class path first (the Testcontainers one
   * starts the whole logging stack), which costs a command a few hundred milliseconds.
   */
  public static Connection connect(String jdbcUrl, Properties properties) throws SQLException {
    Connection c = DRIVER.connect(jdbcUrl, properties);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL", "08001");
    }
    return c;
  }

  /** Connects or fails with one line naming the target and the server's reason (exit 3: the gate cannot run). */
  public static Connection open(ConnectionSpec spec, String applicationName) {
    try {
      return connect(spec.jdbcUrl(), properties(spec, applicationName));
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED,
          "cannot connect to " + spec.display() + ": " + DbErrors.oneLine(e), e);
    }
  }
}

package dev.cutter.core.db;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over fixed driver properties (for the check pool): every connection is
 * made from {@link Connections#URL} and the properties, never from a URL built out of the spec.
 */
final class SpecDataSource implements DataSource {

  private final Properties properties;

  SpecDataSource(Properties properties) {
    this.properties = properties;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Properties p = new Properties();
    p.putAll(properties);
    return Connections.connect(p);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the user and password are fixed by the connection spec");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // nothing is logged here
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the spec's connect_timeout applies
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("not a wrapper for " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}

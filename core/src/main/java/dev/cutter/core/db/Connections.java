package dev.cutter.core.db;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec.SslMode;
import dev.cutter.core.db.ConnectionSpec.Tls;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Opens JDBC connections from a {@link ConnectionSpec}. Host, port, database, user, password and
 * every TLS setting go into driver properties; the URL names the driver only, so no value (a
 * database called {@code app?sslmode=disable}, say) can change how the connection is made. A
 * socket-directory host is reached through its Unix-domain socket file
 * ({@link ConnectionSpec#socketFile()}) without TLS, as libpq does.
 */
public final class Connections {

  /**
   * The driver's socket factory for a socket-directory host: it connects every socket it makes to
   * the Unix-domain socket file given as the factory's argument ({@code socketFactoryArg}).
   */
  static final String UNIX_SOCKET_FACTORY = "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg";

  /** The driver's URL form that takes host, port and database from properties. */
  public static final String URL = "jdbc:postgresql:";

  private static final Driver DRIVER = new org.postgresql.Driver();

  private Connections() {}

  /**
   * The endpoint and TLS settings as driver properties (the driver's property names): what
   * decides where a connection goes and how it is protected, without the password.
   */
  public static Map<String, String> endpoint(ConnectionSpec spec) {
    Map<String, String> p = new TreeMap<>();
    p.put("PGPORT", String.valueOf(spec.port()));
    p.put("PGDBNAME", spec.database());
    p.put("user", spec.user());
    p.put("connectTimeout", String.valueOf(spec.connectTimeoutSeconds()));
    if (spec.socketFile().isPresent()) {
      // a socket directory: the driver still wants a host name, but the factory opens the socket
      // file whatever the name; libpq uses no TLS on a Unix socket, and neither does cutter
      p.put("PGHOST", "localhost");
      p.put("socketFactory", UNIX_SOCKET_FACTORY);
      p.put("socketFactoryArg", spec.socketFile().get().toString());
      p.put("sslmode", SslMode.DISABLE.libpqName());
    } else {
      p.put("PGHOST", spec.host());
      Tls tls = spec.tls();
      p.put("sslmode", tls.effectiveMode().libpqName());
      tls.rootCert().ifPresent(f -> p.put("sslrootcert", f.toString()));
      tls.cert().ifPresent(f -> p.put("sslcert", f.toString()));
      tls.key().ifPresent(f -> p.put("sslkey", f.toString()));
      if (tls.verifiesServer() && tls.crl().isPresent()) {
        p.put("sslfactory", RevocationCheckingFactory.class.getName());
        p.put(RevocationCheckingFactory.CRL_PROPERTY, tls.crl().get().toString());
      }
    }
    // cutter speaks TLS, plain TCP or a Unix socket, never GSSAPI encryption: pg_stat_ssl would not see it
    p.put("gssEncMode", "disable");
    return p;
  }

  /** Driver properties: psql's simple query protocol, an application name, the endpoint, secrets only here. */
  public static Properties properties(ConnectionSpec spec, String applicationName) {
    Properties p = new Properties();
    endpoint(spec).forEach(p::setProperty);
    spec.password().ifPresent(s -> p.setProperty("password", s.value()));
    if (!spec.isSocketDirectory()) {
      spec.tls().keyPassword().ifPresent(s -> p.setProperty("sslpassword", s.value()));
    }
    p.setProperty("preferQueryMode", "simple");
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("assumeMinServerVersion", "14");
    return p;
  }

  /**
   * For cutter's own sessions as the login that read the catalog and the journal (the run lock,
   * identity, backup catalog, verify's journal look, a lost connection's resolution): sets
   * {@code search_path = pg_catalog, pg_temp} for the session, before anything else is sent. A role
   * that owns the database can give the database a search_path that puts one of its schemas
   * before {@code pg_catalog} (every new session of every role starts with it); its look-alikes
   * (a view named {@code pg_namespace}, a function named {@code pg_try_advisory_lock}) would then
   * run as the login. A SET, not a login option: the session's {@code reset_val} stays the
   * login's own setting, which {@code SearchPath} reads. Never for the sessions that run the
   * artifact, which keep the target's.
   */
  public static Connection pinSearchPath(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("set search_path = pg_catalog, pg_temp");
    }
    return c;
  }

  /** Gives a pinned session back the search_path it logged in with (the login's, the database's or the server's). */
  public static void unpinSearchPath(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("reset search_path");
    }
  }

  /** {@link #open} and {@link #pinSearchPath}. */
  public static Connection openCatalog(ConnectionSpec spec, String applicationName) {
    Connection c = open(spec, applicationName);
    try {
      return pinSearchPath(c);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the session is being given up
      }
      throw new CutterException(ExitCodes.CHECKS_FAILED,
          DbErrors.cannotConnect(spec, e), e,
          new dev.cutter.core.cause.Cause.CannotConnect(spec.display(), e.getSQLState()));
    }
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
   * {@link #URL} with properties is connected by {@link #connect(Properties)}.
   */
  public static Connection connect(String jdbcUrl, Properties properties) throws SQLException {
    if (URL.equals(jdbcUrl)) {
      return connect(properties);
    }
    Connection c = DRIVER.connect(jdbcUrl, properties);
    if (c == null) {
      throw new SQLException("not a PostgreSQL JDBC URL", "08001");
    }
    return c;
  }

  /**
   * Connects to the host, port and database named by the properties {@code PGHOST},
   * {@code PGPORT} and {@code PGDBNAME}, without any URL parsing. The driver's own URL parser
   * cannot be used for this: for {@code jdbc:postgresql:} and {@code jdbc:postgresql://} it sets
   * the database to the empty string over the property, which the server then reads as "the
   * database named like the user".
   */
  public static Connection connect(Properties properties) throws SQLException {
    String host = properties.getProperty("PGHOST");
    String port = properties.getProperty("PGPORT");
    if (host == null || port == null || properties.getProperty("PGDBNAME") == null) {
      throw new SQLException("PGHOST, PGPORT and PGDBNAME must be set", "08001");
    }
    if (UNIX_SOCKET_FACTORY.equals(properties.getProperty("socketFactory"))) {
      UnixSockets.checkUsable(java.nio.file.Path.of(properties.getProperty("socketFactoryArg")));
    }
    return new org.postgresql.jdbc.PgConnection(new org.postgresql.util.HostSpec[] {
        new org.postgresql.util.HostSpec(host, Integer.parseInt(port))}, properties, URL);
  }

  /** A data source (for a pool) whose connections are made from {@code properties} alone. */
  public static javax.sql.DataSource dataSource(Properties properties) {
    return new SpecDataSource(properties);
  }

  /** Connects with {@link #properties}; the URL carries nothing from the spec. */
  public static Connection connect(ConnectionSpec spec, String applicationName) throws SQLException {
    return connect(properties(spec, applicationName));
  }

  /** Connects or fails with one line naming the target and the server's reason (exit 3: the gate cannot run). */
  public static Connection open(ConnectionSpec spec, String applicationName) {
    try {
      return connect(spec, applicationName);
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED,
          DbErrors.cannotConnect(spec, e), e,
          new dev.cutter.core.cause.Cause.CannotConnect(spec.display(), e.getSQLState()));
    }
  }

  /**
   * As {@link #open}, inside a READ ONLY transaction the caller ends (the read-only verbs:
   * baseline, target, history, package new), with the search_path pinned first
   * ({@link #pinSearchPath}: READ ONLY still lets a function write a file as a superuser login);
   * a failure to start it closes the session.
   */
  public static Connection openReadOnly(ConnectionSpec spec, String applicationName) throws SQLException {
    Connection c = open(spec, applicationName);
    try {
      pinSearchPath(c);
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("set transaction read only");
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * The TLS state of {@code c}'s own session, as the server sees it ({@code pg_stat_ssl}).
   * Verified means the connection is encrypted and was made under a mode that checks the
   * server's certificate against a root (the driver refuses the connection otherwise).
   */
  public static TlsState tlsState(Connection c, ConnectionSpec spec) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select ssl, version from pg_catalog.pg_stat_ssl where pid = pg_catalog.pg_backend_pid()")) {
      boolean encrypted = rs.next() && rs.getBoolean(1);
      String version = encrypted ? rs.getString(2) : null;
      return new TlsState(encrypted, encrypted && !spec.isSocketDirectory() && spec.tls().verifiesServer(),
          spec.sslModeInForce().libpqName(), version);
    }
  }
}

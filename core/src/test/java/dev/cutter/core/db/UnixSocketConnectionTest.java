package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.cause.Cause;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket-directory host is reached through its Unix-domain socket file, as libpq does, against
 * a server (with TLS on for TCP) whose pg_hba.conf trusts the socket and rejects every TCP
 * connection: cutter gets in through the socket only, and says the session is not encrypted.
 */
class UnixSocketConnectionTest {

  private static PrivateCluster server;

  @TempDir Path home;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(PrivateCluster.Options.tls(List.of("local all all trust",
        "host all all 0.0.0.0/0 reject", "host all all ::/0 reject")));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ConnectionSpec resolve(Map<String, String> env, String target) {
    return new ConnectionResolver(env, home).resolve(target);
  }

  private String socketUri(String params) {
    return "postgresql://postgres@/postgres?host=" + server.socketDirectory() + "&port=" + server.port() + params;
  }

  /** client_addr of the session, "local" when it is NULL (a Unix socket), and the TLS state. */
  private static String sessionOf(Connection c, ConnectionSpec spec) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select coalesce(host(client_addr), 'local') from pg_catalog.pg_stat_activity"
            + " where pid = pg_catalog.pg_backend_pid()")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1) + " " + Connections.tlsState(c, spec);
    }
  }

  @Test
  void aSocketDirectoryInTheUriConnectsThroughTheSocketFile() throws SQLException {
    ConnectionSpec spec = resolve(Map.of(), socketUri(""));
    assertThat(spec.socketFile()).contains(server.socketDirectory().resolve(".s.PGSQL." + server.port()));
    try (Connection c = Connections.open(spec, "cutter socket test")) {
      assertThat(sessionOf(c, spec)).isEqualTo("local TlsState[encrypted=false, verified=false, sslmode=disable, protocol=null]");
    }
  }

  @Test
  void pghostNamingTheDirectoryConnectsThroughTheSocketFile() throws SQLException {
    ConnectionSpec spec = resolve(Map.of("PGHOST", server.socketDirectory().toString(), "PGPORT",
        String.valueOf(server.port()), "PGUSER", "postgres", "PGDATABASE", "postgres"), null);
    try (Connection c = Connections.open(spec, "cutter socket test")) {
      assertThat(sessionOf(c, spec)).startsWith("local ");
    }
  }

  @Test
  void theCheckPoolConnectsThroughTheSocketFileToo() throws SQLException {
    ConnectionSpec spec = resolve(Map.of(), socketUri(""));
    try (Connection c = Connections.dataSource(Connections.checkProperties(spec, "cutter socket test")).getConnection()) {
      assertThat(sessionOf(c, spec)).startsWith("local ");
    }
  }

  @Test
  void sslmodeIsIgnoredOnASocketAsLibpqDoesAndTheSessionIsReportedUnencrypted() throws SQLException {
    for (String mode : List.of("require", "verify-ca", "verify-full")) {
      // no root certificate exists: libpq reads no TLS file for a socket, and neither does cutter
      ConnectionSpec spec = resolve(Map.of(), socketUri("&sslmode=" + mode));
      assertThat(spec.sslModeInForce()).as(mode).isEqualTo(ConnectionSpec.SslMode.DISABLE);
      try (Connection c = Connections.open(spec, "cutter socket test")) {
        assertThat(sessionOf(c, spec)).as(mode)
            .isEqualTo("local TlsState[encrypted=false, verified=false, sslmode=disable, protocol=null]");
      }
    }
  }

  @Test
  void theSameServerOverTcpIsRefusedByItsPgHba() {
    for (String host : List.of("127.0.0.1", "localhost")) {
      ConnectionSpec spec = resolve(Map.of(), "postgresql://postgres@" + host + ":" + server.port()
          + "/postgres?sslmode=require");
      CutterException e = catchThrowableOfType(() -> Connections.open(spec, "cutter socket test").close(),
          CutterException.class);
      assertThat(e).as(host).isNotNull();
      assertThat(e.exitCode()).isEqualTo(ExitCodes.CHECKS_FAILED);
      // 28000: invalid_authorization_specification, pg_hba.conf's reject
      assertThat(e.typedCause()).isEqualTo(new Cause.CannotConnect(spec.display(), "28000"));
    }
  }

  @Test
  void aDirectoryWithoutTheServersSocketFailsInLibpqsWords() {
    ConnectionSpec spec = resolve(Map.of(), "postgresql://postgres@/postgres?host=" + home + "&port=" + server.port());
    CutterException e = catchThrowableOfType(() -> Connections.open(spec, "cutter socket test").close(),
        CutterException.class);
    assertThat(e.getMessage()).isEqualTo("cannot connect to " + spec.display() + ": connection to server on socket \""
        + home.resolve(".s.PGSQL." + server.port()) + "\" failed: No such file or directory. Is the server running"
        + " locally and accepting connections on that socket? (SQLSTATE 08001)");
    assertThat(e.typedCause()).isEqualTo(new Cause.CannotConnect(spec.display(), "08001"));
  }

  @Test
  void theDriversCancelRequestTravelsThroughTheSocketToo() throws SQLException {
    ConnectionSpec spec = resolve(Map.of(), socketUri(""));
    try (Connection c = Connections.open(spec, "cutter socket test"); Statement st = c.createStatement()) {
      st.setQueryTimeout(1);
      SQLException e = catchThrowableOfType(() -> st.execute("select pg_catalog.pg_sleep(30)"), SQLException.class);
      assertThat(e == null ? "no error" : e.getSQLState()).as("query_canceled: the cancel request reached the server").isEqualTo("57014");
    }
  }
}

package dev.cutter.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS settings decide how cutter connects, against a server whose certificate a CA made here signed. */
class TlsConnectionTest {

  private static PrivateCluster server;

  @TempDir Path home;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(PrivateCluster.Options.tlsOnly());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ConnectionSpec resolve(String host, String params) {
    return new ConnectionResolver(Map.of(), home)
        .resolve("postgresql://postgres@" + host + ":" + server.port() + "/postgres?" + params);
  }

  private static TlsState stateOf(ConnectionSpec spec) throws SQLException {
    try (Connection c = Connections.open(spec, "cutter tls test")) {
      return Connections.tlsState(c, spec);
    }
  }

  @Test
  void verifyFullWithTheRightRootAndHostConnectsVerified() throws SQLException {
    TlsState s = stateOf(resolve("localhost", "sslmode=verify-full&sslrootcert=" + server.caCertificate()));
    assertThat(s.encrypted()).isTrue();
    assertThat(s.verified()).isTrue();
    assertThat(s.sslmode()).isEqualTo("verify-full");
    assertThat(s.protocol()).startsWith("TLS");
  }

  @Test
  void verifyFullWithAnotherRootIsRefused() {
    ConnectionSpec spec = resolve("localhost", "sslmode=verify-full&sslrootcert=" + server.otherCaCertificate());
    assertThatThrownBy(() -> Connections.open(spec, "cutter tls test")).isInstanceOf(CutterException.class)
        .hasMessageContaining("cannot connect");
  }

  @Test
  void verifyFullRefusesAHostTheCertificateDoesNotName() {
    ConnectionSpec spec = resolve("127.0.0.1", "sslmode=verify-full&sslrootcert=" + server.caCertificate());
    assertThatThrownBy(() -> Connections.open(spec, "cutter tls test")).isInstanceOf(CutterException.class);
    ConnectionSpec ca = resolve("127.0.0.1", "sslmode=verify-ca&sslrootcert=" + server.caCertificate());
    assertThat(Connections.open(ca, "cutter tls test")).isNotNull();
  }

  @Test
  void requireWithARootCertificateChecksItAsLibpqDoes() throws SQLException {
    ConnectionSpec wrong = resolve("localhost", "sslmode=require&sslrootcert=" + server.otherCaCertificate());
    assertThatThrownBy(() -> Connections.open(wrong, "cutter tls test")).isInstanceOf(CutterException.class);
    TlsState right = stateOf(resolve("localhost", "sslmode=require&sslrootcert=" + server.caCertificate()));
    assertThat(right.verified()).isTrue();
    assertThat(right.sslmode()).isEqualTo("verify-ca");
    TlsState none = stateOf(resolve("localhost", "sslmode=require"));
    assertThat(none.encrypted()).isTrue();
    assertThat(none.verified()).as("require without a root certificate does not check the server").isFalse();
  }

  @Test
  void disableAgainstAServerThatOnlyTakesTlsFails() {
    ConnectionSpec spec = resolve("localhost", "sslmode=disable");
    assertThatThrownBy(() -> Connections.open(spec, "cutter tls test")).isInstanceOf(CutterException.class)
        .hasMessageContaining("pg_hba.conf");
  }

  @Test
  void preferIsEncryptedButNotVerified() throws SQLException {
    TlsState s = stateOf(resolve("localhost", "sslmode=prefer"));
    assertThat(s.encrypted()).isTrue();
    assertThat(s.verified()).isFalse();
  }

  @Test
  void theEnvironmentsSslModeIsHonoured() {
    ConnectionSpec spec = new ConnectionResolver(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT",
        server.otherCaCertificate().toString()), home).resolve("postgresql://postgres@localhost:" + server.port() + "/postgres");
    assertThatThrownBy(() -> Connections.open(spec, "cutter tls test")).isInstanceOf(CutterException.class);
  }

  @Test
  void aRevokedServerCertificateIsRefused() throws SQLException {
    String root = "sslmode=verify-full&sslrootcert=" + server.caCertificate();
    TlsState ok = stateOf(resolve("localhost", root + "&sslcrl=" + server.emptyCrl()));
    assertThat(ok.verified()).isTrue();
    ConnectionSpec revoked = resolve("localhost", root + "&sslcrl=" + server.revokingCrl());
    assertThat(revoked.tls().crl()).contains(server.revokingCrl());
    assertThatThrownBy(() -> Connections.open(revoked, "cutter tls test")).isInstanceOf(CutterException.class);
    ConnectionSpec fromEnv = new ConnectionResolver(Map.of("PGSSLCRL", server.revokingCrl().toString()), home)
        .resolve("postgresql://postgres@localhost:" + server.port() + "/postgres?" + root);
    assertThatThrownBy(() -> Connections.open(fromEnv, "cutter tls test")).isInstanceOf(CutterException.class);
  }
}

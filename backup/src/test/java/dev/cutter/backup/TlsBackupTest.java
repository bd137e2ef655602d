package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pg_dump connects with the target's TLS settings, and the envelope records the backup connection's TLS state. */
class TlsBackupTest {

  private static PrivateCluster server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(PrivateCluster.Options.tlsOnly());
    server.psql("postgres", "create database shop");
    server.psql("shop", "create schema shop; create table shop.t(a int); insert into shop.t values (1)");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private BackupResult backup(String params, String runId) {
    ConnectionSpec spec = new ConnectionResolver(Map.of(), tmp).resolve("postgresql://postgres@localhost:"
        + server.port() + "/shop?" + params);
    BackupPolicy policy = BackupGateTest.policy(List.of("shop"), tmp.resolve("b"), 1, List.of(), Optional.empty());
    return BackupGateTest.gate(BackupGateTest.env(Map.of("PGSSLMODE", "disable"))).run(spec, policy, "tls", runId);
  }

  @Test
  void pgDumpConnectsVerifiedWithTheTargetsTlsSettings() {
    BackupResult r = backup("sslmode=verify-full&sslrootcert=" + server.caCertificate(), "20260101T000000Z-0001");

    assertThat(r).as("result %s", r).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) r).envelope();
    assertThat(e.tls().encrypted()).isTrue();
    assertThat(e.tls().verified()).isTrue();
    assertThat(server.serverLog()).as("pg_dump's own connection used TLS (the server takes nothing else)")
        .containsPattern("application_name=cutter pg_dump SSL enabled");
  }

  @Test
  void aRevokedServerCertificateStopsTheBackup() {
    BackupResult r = backup("sslmode=verify-full&sslrootcert=" + server.caCertificate() + "&sslcrl="
        + server.revokingCrl(), "20260101T000000Z-0002");

    assertThat(r.passed()).isFalse();
  }
}

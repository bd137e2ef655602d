package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pg_dump reaches a socket-directory target through the same socket as cutter, against a server
 * whose pg_hba.conf trusts the socket and rejects every TCP connection (over TCP pg_dump would be
 * refused and the gate would block).
 */
@Tag("pgdump")
class UnixSocketBackupTest {

  private static PrivateCluster server;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of("local all all trust",
        "host all all 0.0.0.0/0 reject", "host all all ::/0 reject")));
    server.psql("postgres", "create database shop");
    server.psql("shop", "create schema shop; create table shop.marker(v text); insert into shop.marker values ('socket-row')");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theBackupGateDumpsThroughTheSocketDirectory() throws Exception {
    ConnectionSpec spec = new ConnectionResolver(Map.of(), tmp).resolve("postgresql://postgres@/shop?host="
        + server.socketDirectory() + "&port=" + server.port() + "&sslmode=require");
    BackupPolicy policy = BackupGateTest.policy(List.of("shop"), tmp.resolve("b"), 1, List.of(), Optional.empty());

    BackupResult result = BackupGateTest.gate(BackupGateTest.env(Map.of("PGHOST", "127.0.0.1")))
        .run(spec, policy, "socket", "20260101T000000Z-abcd");

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    String data = PgDumpSupport.run(List.of(PgDumpSupport.program("pg_restore"), "--data-only", "-f", "-",
        e.path().toString()));
    assertThat(data).contains("socket-row");
    assertThat(e.systemIdentifier()).isEqualTo(server.systemIdentifier());
    assertThat(e.tls()).isEqualTo(new TlsState(false, false, "disable", null));
  }
}

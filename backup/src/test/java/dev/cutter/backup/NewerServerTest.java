package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.core.db.ConnectionSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pg_dump 15 against a PostgreSQL 16 server: the gate refuses before dumping, naming both versions. */
@Tag("pgdump")
class NewerServerTest {

  private static final String BINARIES = "cutter.newer.postgres.binaries";

  private static EmbeddedPostgres pg16;

  @TempDir Path tmp;

  @BeforeAll
  static void startPostgres16() throws Exception {
    String jar = System.getProperty(BINARIES);
    assumeTrue(jar != null && Files.exists(Path.of(jar)), "PostgreSQL 16 binaries are copied by the Maven build");
    byte[] txz;
    try (ZipFile zip = new ZipFile(jar)) {
      ZipEntry entry = zip.getEntry("postgres-linux-x86_64.txz");
      txz = zip.getInputStream(entry).readAllBytes();
    }
    pg16 = EmbeddedPostgres.builder()
        .setPgBinaryResolver((system, arch) -> new ByteArrayInputStream(txz))
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg16 != null) {
      pg16.close();
    }
  }

  @Test
  void refusesPgDumpOlderThanTheServerNamingBothVersions() throws Exception {
    ConnectionSpec conn = new ConnectionSpec("localhost", pg16.getPort(), "postgres", "postgres", Optional.empty());
    Path dir = tmp.resolve("backups");
    BackupGate gate = BackupGateTest.gate(BackupGateTest.env(Map.of()));

    BackupResult result = gate.run(conn, BackupGateTest.policy(List.of(), dir, 1, List.of(), Optional.empty()), "pkg",
        "20261122T220000Z-0016");

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.reason()).contains("pg_dump 15").contains("PostgreSQL 16");
    assertThat(b.expected()).isEqualTo("pg_dump major >= 16");
    assertThat(b.actual()).contains("15.").contains("server 16.");
    assertThat(dir).as("refused before anything is written").doesNotExist();

    List<ReadinessItem> items = gate.selftest(conn, BackupGateTest.policy(List.of(), dir, 1, List.of(), Optional.empty()));
    assertThat(items).filteredOn(i -> i.check().equals("pg_dump new enough")).singleElement()
        .satisfies(i -> assertThat(i.passed()).isFalse())
        .satisfies(i -> assertThat(i.detail()).contains("pg_dump 15").contains("server 16."));
  }
}

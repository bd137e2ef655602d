package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clusters on one machine on the same port: "other" on a socket directory only, "target" on
 * TCP localhost. A target named by the other's socket directory is reached (by cutter's driver)
 * through that socket, so it is "other" that cutter checks and changes; pg_dump must dump that one
 * too, not the cluster a TCP connection to localhost (or PGHOSTADDR) would reach.
 */
class TwoClustersBackupTest {

  private static PrivateCluster other;
  private static PrivateCluster target;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    Path bin = PrivateCluster.binaries();
    Assumptions.assumeTrue(bin != null, "PostgreSQL server binaries (pg_config --bindir) are needed");
    int port = PrivateCluster.freePort();
    other = PrivateCluster.start(bin, PrivateCluster.Options.plain().onPort(port).listening(""));
    target = PrivateCluster.start(bin, PrivateCluster.Options.plain().onPort(port));
    for (PrivateCluster c : List.of(other, target)) {
      String who = c == target ? "target" : "other";
      c.psql("postgres", "create database shop");
      c.psql("shop", "create schema shop; create table shop.marker(cluster text); insert into shop.marker values ('"
          + who + "-cluster-row')");
    }
  }

  @AfterAll
  static void stop() {
    for (PrivateCluster c : new PrivateCluster[] {other, target}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void dumpsTheClusterBehindTheSocketCutterConnectsToEvenWhenPghostaddrNamesAnother() throws Exception {
    ConnectionSpec spec = new ConnectionSpec(other.socketDirectory().toString(), target.port(), "shop", "postgres",
        Optional.empty());
    Map<String, String> env = BackupGateTest.env(Map.of("PGHOSTADDR", "127.0.0.1", "PGHOST", other.socketDirectory()
        .toString(), "PGOPTIONS", "-c default_transaction_read_only=off"));
    BackupPolicy policy = BackupGateTest.policy(List.of("shop"), tmp.resolve("b"), 1, List.of(), Optional.empty());

    BackupResult result = BackupGateTest.gate(env).run(spec, policy, "two-clusters", "20260101T000000Z-abcd");

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    String data = PgDumpSupport.run(List.of(PgDumpSupport.program("pg_restore"), "--data-only", "-f", "-",
        e.path().toString()));
    assertThat(data).as("the dump holds the rows of the cluster cutter checks and changes")
        .contains("other-cluster-row").doesNotContain("target-cluster-row");
    assertThat(e.systemIdentifier()).isEqualTo(other.systemIdentifier()).isNotEqualTo(target.systemIdentifier());
    assertThat(e.tls()).isNotNull();
    assertThat(e.tls().encrypted()).isFalse();
  }

  @Test
  void aSnapshotExportedOnOneClusterCannotBeDumpedFromTheOther() throws Exception {
    ConnectionSpec onTarget = new ConnectionSpec("localhost", target.port(), "shop", "postgres", Optional.empty());
    BackupPolicy policy = BackupGateTest.policy(List.of("shop"), tmp, 1, List.of(), Optional.empty());
    try (ScopeCatalog catalog = ScopeCatalog.open(onTarget, policy)) {
      String snapshot = catalog.exportSnapshot();
      List<String> cmd = new ArrayList<>(BackupGate.dumpCommand(Path.of(PgDumpSupport.program("pg_dump")), policy,
          snapshot));
      Map<String, String> toOther = new HashMap<>(BackupGateTest.env(Map.of()));
      toOther.putAll(Map.of("PGHOST", other.socketDirectory().toString(), "PGPORT", String.valueOf(other.port()),
          "PGUSER", "postgres", "PGDATABASE", "shop"));
      assertThat(exitOf(cmd, toOther)).as("pg_dump on the other cluster cannot import the snapshot").isNotZero();
      Map<String, String> toTarget = BackupGate.childEnvironment(onTarget, BackupGateTest.env(Map.of()), Optional.empty());
      assertThat(exitOf(cmd, toTarget)).as("pg_dump on the cluster that exported it can").isZero();
    }
  }

  private static int exitOf(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}

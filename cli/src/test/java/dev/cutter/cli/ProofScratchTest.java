package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.backup.ScratchServer;
import dev.cutter.cli.sandbox.EmbeddedSandbox;
import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The restore proof's default scratch: the embedded server, set up for one throwaway restore. */
class ProofScratchTest {

  private static String value(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** WAL bytes written by {@code sql} (run in one transaction). */
  private static long walOf(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      String before = value(st, "select pg_current_wal_insert_lsn()");
      c.setAutoCommit(false);
      st.execute(sql);
      c.commit();
      c.setAutoCommit(true);
      return Long.parseLong(value(st, "select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '" + before + "')::bigint"));
    }
  }

  @Test
  void theEmbeddedScratchRunsForOneRestoreAndATableLoadedInItsCreatingTransactionWritesNoWal() throws Exception {
    Path data;
    try (ScratchServer scratch = ProofScratch.embedded(); Connection c = Connections.open(scratch.admin(), "test");
        Statement st = c.createStatement()) {
      assertThat(scratch.disposable()).isTrue();
      assertThat(scratch.describe()).startsWith("embedded PostgreSQL 15.");
      Map<String, String> settings = new LinkedHashMap<>();
      for (String name : new String[] {"wal_level", "max_wal_senders", "max_wal_size", "checkpoint_timeout", "autovacuum",
          "maintenance_work_mem", "max_connections", "max_locks_per_transaction", "fsync", "full_page_writes"}) {
        settings.put(name, value(st, "show " + name));
      }
      // an eighth of this host's memory between 256 MB and 1 GB, as the server shows it
      long mb = EmbeddedSandbox.restoreIndexMemoryMb(memTotalKb());
      String memory = mb % 1024 == 0 ? (mb / 1024) + "GB" : mb + "MB";
      assertThat(settings).containsExactly(Map.entry("wal_level", "minimal"), Map.entry("max_wal_senders", "0"),
          Map.entry("max_wal_size", "8GB"), Map.entry("checkpoint_timeout", "1h"), Map.entry("autovacuum", "off"),
          Map.entry("maintenance_work_mem", memory), Map.entry("max_connections", "40"),
          Map.entry("max_locks_per_transaction", "2048"), Map.entry("fsync", "off"), Map.entry("full_page_writes", "off"));
      data = Path.of(value(st, "show data_directory"));

      // about 8 MB of rows and an index: loaded in the transaction that created the table (as
      // pg_restore --single-transaction does) they skip the WAL; into an older table they do not
      String load = "insert into %s select g, repeat('x', 100) from generate_series(1, 60000) g;"
          + " create index on %s(id)";
      long fresh = walOf(c, "create table fresh(id int, v text); " + load.formatted("fresh", "fresh"));
      st.execute("create table older(id int, v text)");
      long older = walOf(c, load.formatted("older", "older"));
      assertThat(older).as("WAL of the load into a table created before").isGreaterThan(8_000_000L);
      // the table's 8 MB skip the WAL; a relation under wal_skip_threshold (2 MB: the index here,
      // about 1.3 MB) is logged whole at commit instead of being synced
      assertThat(fresh).as("WAL of the same load in the creating transaction").isLessThan(2_500_000L);
    }
    assertThat(Files.exists(data)).as("the data directory goes with the server").isFalse();
  }

  private static long memTotalKb() throws java.io.IOException {
    return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
  }

  @Test
  void theScratchsIndexBuildsGetAnEighthOfTheHostsMemoryBetween256MbAnd1Gb() {
    assertThat(EmbeddedSandbox.restoreIndexMemoryMb(0)).as("unknown").isEqualTo(256);
    assertThat(EmbeddedSandbox.restoreIndexMemoryMb(1024 * 1024)).as("1 GB host").isEqualTo(256);
    assertThat(EmbeddedSandbox.restoreIndexMemoryMb(4 * 1024 * 1024)).as("4 GB host").isEqualTo(512);
    assertThat(EmbeddedSandbox.restoreIndexMemoryMb(6 * 1024 * 1024)).as("6 GB host").isEqualTo(768);
    assertThat(EmbeddedSandbox.restoreIndexMemoryMb(24L * 1024 * 1024)).as("24 GB host").isEqualTo(1024);
  }

  @Test
  void aHeadStartNeverTakenIsStoppedOnClose() throws Exception {
    AtomicReference<EmbeddedSandbox> started = new AtomicReference<>();
    try (ProofScratch.HeadStart head = new ProofScratch.HeadStart(() -> {
      EmbeddedSandbox s = EmbeddedSandbox.startForRestore();
      started.set(s);
      return s;
    })) {
      assertThat(head.handedOver()).isFalse();
    }
    ConnectionSpec su = started.get().superuser();
    assertThatThrownBy(() -> Connections.open(su, "test").close()).as("stopped: nothing listens any more")
        .isInstanceOf(CutterException.class);
  }

  @Test
  void aHeadStartTakenByTheProofIsTheProofsToStop() throws Exception {
    ScratchServer scratch;
    try (ProofScratch.HeadStart head = new ProofScratch.HeadStart()) {
      scratch = head.get();
      assertThat(head.handedOver()).isTrue();
      assertThatThrownBy(head::get).isInstanceOf(IllegalStateException.class);
    }
    try (Connection c = Connections.open(scratch.admin(), "test"); Statement st = c.createStatement()) {
      assertThat(value(st, "show wal_level")).as("still running after the head start closed").isEqualTo("minimal");
    }
    scratch.close();
    assertThatThrownBy(() -> Connections.open(scratch.admin(), "test").close()).isInstanceOf(CutterException.class);
  }

  @Test
  void aServerThatCannotStartReachesTheProofAsItsError() {
    try (ProofScratch.HeadStart head = new ProofScratch.HeadStart(() -> {
      throw new CutterException(dev.cutter.core.ExitCodes.INTERNAL, "the embedded sandbox could not start: no space");
    })) {
      assertThatThrownBy(head::get).isInstanceOf(CutterException.class)
          .hasMessage("the embedded sandbox could not start: no space");
    }
  }
}

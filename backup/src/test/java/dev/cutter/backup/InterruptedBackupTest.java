package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a JVM in the middle of a backup: the shutdown hook stops pg_dump and quarantines the partial. */
@WithPostgres
@Tag("pgdump")
class InterruptedBackupTest {

  @TempDir Path tmp;

  @Test
  void sigtermMidDumpLeavesOnlyTheQuarantine(TestDatabase db) throws Exception {
    BackupGateTest.createShop(db);
    Path dir = tmp.resolve("backups");
    try (Connection blocker = db.superuser(); Statement st = blocker.createStatement()) {
      // pg_dump will wait on this lock with its temporary file open: a dump in progress, held still
      blocker.setAutoCommit(false);
      st.execute("lock table shop.orders in access exclusive mode");

      Process child = startChild(db, dir);
      try {
        awaitDumpWaitingOnLock(db, child);
        List<ProcessHandle> descendants = child.descendants().toList();
        assertThat(descendants).as("pg_dump and pg_restore run under the JVM").isNotEmpty();

        child.destroy(); // SIGTERM
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the JVM exits after SIGTERM").isTrue();

        assertThat(descendants).as("the shutdown hook killed pg_dump and pg_restore")
            .allSatisfy(p -> assertThat(p.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse());
      } finally {
        child.destroyForcibly();
        blocker.rollback();
      }
    }
    assertThat(BackupGateTest.visibleFiles(dir)).as("nothing at a final name").containsExactly("quarantine");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".partial")))
          .as("no partial left under its temporary name").isEmpty();
    }
    Path reason = dir.resolve("quarantine/pkg-20261122T220000Z-0002.dump.partial.reason");
    assertThat(dir.resolve("quarantine/pkg-20261122T220000Z-0002.dump.partial")).exists();
    assertThat(Files.readString(reason)).contains("interrupted by a signal");
  }

  @Test
  void sigtermDuringAnEncryptedDirectoryDumpDeletesThePlaintextAndQuarantinesTheRest(TestDatabase db) throws Exception {
    BackupGateTest.createShop(db);
    Path dir = tmp.resolve("backups");
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String fpr = gpg.generateEncryptionKey("Interrupt <interrupt@example.invalid>");
      Path keys = Files.writeString(tmp.resolve("keys.asc"), gpg.exportArmored(fpr));
      try (Connection blocker = db.superuser(); Statement st = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        st.execute("lock table shop.orders in access exclusive mode");

        Process child = startChild(db, dir, List.of("--jobs", "2", "--encrypt-to", fpr, "--keys", keys.toString()));
        Path plain = dir.resolve(".pkg-20261122T220000Z-0002.dumpdir.plain");
        try {
          awaitDumpWaitingOnLock(db, child);
          assertThat(plain).as("pg_dump writes into the private plaintext directory").isDirectory();
          // what a worker would have written by now
          Files.writeString(plain.resolve("3001.dat.gz"), "plaintext rows");

          child.destroy(); // SIGTERM
          assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the JVM exits after SIGTERM").isTrue();
        } finally {
          child.destroyForcibly();
          blocker.rollback();
        }
        assertThat(plain).as("the plaintext directory is gone").doesNotExist();
      }
    }
    assertThat(BackupGateTest.visibleFiles(dir)).as("nothing at a final name").containsExactly("quarantine");
    assertThat(dir.resolve("quarantine/pkg-20261122T220000Z-0002.dumpdir.partial")).isDirectory();
    assertThat(Files.readString(dir.resolve("quarantine/pkg-20261122T220000Z-0002.dumpdir.partial.reason")))
        .contains("interrupted by a signal");
    try (Stream<Path> s = Files.walk(dir)) {
      // the file written into the plaintext directory may have been encrypted before the signal: only ciphertext stays
      assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("3001.dat.gz.pgp")))
          .as("no plaintext anywhere").containsExactlyInAnyOrder(BackupDirectory.LOCK_FILE,
              "pkg-20261122T220000Z-0002.dumpdir.partial.reason");
    }
  }

  private static Process startChild(TestDatabase db, Path dir) throws Exception {
    return startChild(db, dir, List.of());
  }

  private static Process startChild(TestDatabase db, Path dir, List<String> extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), BackupMain.class.getName(),
        "--host", db.server().host(), "--port", String.valueOf(db.server().port()), "--db", db.name(),
        "--user", "postgres", "--dir", dir.toString(), "--package", "pkg", "--run", "20261122T220000Z-0002"));
    PgDumpSupport.pgBin().ifPresent(p -> cmd.addAll(List.of("--pg-bin", p.toString())));
    cmd.addAll(extra);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static void awaitDumpWaitingOnLock(TestDatabase db, Process child) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(child.isAlive()).as("the backup JVM is still running").isTrue();
      String waiting = db.queryValue("select count(*) from pg_stat_activity where application_name = 'cutter pg_dump'"
          + " and wait_event_type = 'Lock'");
      if (!"0".equals(waiting)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("pg_dump never started waiting on the lock");
  }
}

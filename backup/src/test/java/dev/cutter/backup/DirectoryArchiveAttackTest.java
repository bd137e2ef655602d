package dev.cutter.backup;

import static dev.cutter.backup.BackupGateTest.createShop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the walk of a directory archive while pg_dump writes it: something planted in the
 * plaintext directory under a data file's name (a symlink to a file outside, a FIFO that would
 * block whoever opens it) is never opened, never hashed or copied into the backup, and refused
 * by name; the walk does not hang on it.
 */
@WithPostgres
@Tag("pgdump")
class DirectoryArchiveAttackTest {

  @TempDir Path tmp;

  private Path completeArchive(TestDatabase db) throws Exception {
    createShop(db);
    Path complete = tmp.resolve("complete");
    PgDumpSupport.run(List.of(PgDumpSupport.program("pg_dump"), "--format=directory", "--file=" + complete, "-h",
        db.server().host(), "-p", String.valueOf(db.server().port()), "-U", "postgres", "--schema=shop", db.name()));
    return complete;
  }

  private static Process mkfifo(Path p) throws Exception {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(mk.exitValue()).isZero();
    return mk;
  }

  /** Follows {@code growing} while {@code script} (standing in for pg_dump) runs; finish's outcome, within 60 s. */
  private static DirectoryArchive.Verified follow(Path growing, String script) throws Exception {
    Process writer = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try (DirectoryArchive a = DirectoryArchive.following(growing, growing, Optional.empty(), true, 2, writer.toHandle())) {
      assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(writer.exitValue()).as(new String(writer.getInputStream().readAllBytes())).isZero();
      Future<DirectoryArchive.Verified> f = ex.submit(a::finish);
      try {
        return f.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof Exception c ? c : e;
      }
    } finally {
      ex.shutdownNow();
    }
  }

  @Test
  void aSymlinkPlantedUnderADataFilesNameWhilePgDumpWritesIsRefusedAndItsTargetNeverRead(TestDatabase db)
      throws Exception {
    Path complete = completeArchive(db);
    Path growing = Files.createDirectory(tmp.resolve("growing"));
    // the link's target is a FIFO nobody writes: opening it to read would block the walk for good
    Path bait = tmp.resolve("bait.fifo");
    mkfifo(bait);
    String script = "set -e; cd '" + complete + "'; for f in *; do [ \"$f\" = toc.dat ] || cp \"$f\" '" + growing
        + "/'; done; ln -s '" + bait + "' '" + growing + "/424242.dat'; sleep 0.5; cp toc.dat '" + growing + "/'";

    assertThatThrownBy(() -> follow(growing, script)).isInstanceOf(ArchiveException.class)
        .hasMessage("the archive directory holds 424242.dat, which is not a regular file");
    assertThat(Files.isSymbolicLink(growing.resolve("424242.dat"))).as("left for the quarantine, not followed").isTrue();
  }

  @Test
  void aFifoPlantedUnderADataFilesNameIsRefusedWithoutBeingOpened(TestDatabase db) throws Exception {
    Path complete = completeArchive(db);
    Path growing = Files.createDirectory(tmp.resolve("growing"));
    String script = "set -e; cd '" + complete + "'; for f in *; do [ \"$f\" = toc.dat ] || cp \"$f\" '" + growing
        + "/'; done; mkfifo '" + growing + "/434343.dat.gz'; sleep 0.5; cp toc.dat '" + growing + "/'";

    long start = System.nanoTime();
    assertThatThrownBy(() -> follow(growing, script)).isInstanceOf(ArchiveException.class)
        .hasMessage("the archive directory holds 434343.dat.gz, which is not a regular file");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the walk never waited on it").isLessThan(Duration.ofSeconds(30));
  }
}

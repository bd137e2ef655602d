package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.ArchiveFile;
import dev.cutter.backup.BackupEnvelope;
import dev.cutter.backup.BackupResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cutter backup prints one file: line per file of a directory-format backup, and none for the custom format. */
class BackupDirectoryPrintTest {

  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  private static String printed(List<ArchiveFile> files) {
    BackupEnvelope e = new BackupEnvelope(Path.of("backups", "p-r.dumpdir"), 100, A, B, 90, files == null ? "custom" : "directory",
        "1.14-0", "15.8", "15.8", "app", 12, 2, List.of(), Instant.EPOCH, Instant.EPOCH, null, null, null, null, files);
    StringWriter out = new StringWriter();
    BackupCommand.print(new BackupResult.Passed(e), new PrintWriter(out));
    return out.toString();
  }

  @Test
  void everyFileWithItsSizesAndDigests() {
    String out = printed(List.of(new ArchiveFile("toc.dat", 40, A, "toc.dat.pgp", 60, B),
        new ArchiveFile("3001.dat.gz", 50, B, "3001.dat.gz.pgp", 70, A)));

    assertThat(out.lines().filter(l -> l.startsWith("file: ")).toList()).containsExactly(
        "file: toc.dat 40 bytes sha256 " + A + "; toc.dat.pgp 60 bytes sha256 " + B,
        "file: 3001.dat.gz 50 bytes sha256 " + B + "; 3001.dat.gz.pgp 70 bytes sha256 " + A);
    assertThat(printed(List.of(new ArchiveFile("toc.dat", 40, A, "toc.dat", 40, A))))
        .contains("\nfile: toc.dat 40 bytes sha256 " + A + "\n");
    assertThat(printed(null)).doesNotContain("file: ");
  }
}

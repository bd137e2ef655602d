package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelope's file list of a directory-format backup reaches the run report's backup section, file by file. */
class EnvelopeFilesTest {

  private static final Instant T = Instant.parse("2026-12-05T09:00:00Z");

  private static BackupEnvelope envelope(List<ArchiveFile> files) {
    return new BackupEnvelope(Path.of("backups", "x.dir"), 100, "a".repeat(64), "b".repeat(64), 90, "directory", "1.14-0",
        "15.7", "15.7", "shop", 12, 3, files == null || files.get(0).encrypted() ? List.of("F".repeat(40)) : List.of(), T, T,
        "7300", null, null, null, files);
  }

  @Test
  void everyFileOfAnEncryptedDirectoryBackupIsInTheReportWithWhatIsStoredInItsPlace() {
    List<ArchiveFile> files = List.of(new ArchiveFile("3456.dat.gz", 77, "1".repeat(64), "3456.dat.gz.pgp", 190, "2".repeat(64)),
        new ArchiveFile("toc.dat", 2048, "3".repeat(64), "toc.dat.pgp", 2170, "4".repeat(64)));

    assertThat(envelope(files).toBackupInfo().files()).containsExactly(
        new RunReport.BackupFile("3456.dat.gz", 77, "1".repeat(64), "3456.dat.gz.pgp", 190L, "2".repeat(64)),
        new RunReport.BackupFile("toc.dat", 2048, "3".repeat(64), "toc.dat.pgp", 2170L, "4".repeat(64)));
  }

  @Test
  void aFileStoredAsItIsHasNoStoredNameSizeOrDigest() {
    List<ArchiveFile> files = List.of(new ArchiveFile("toc.dat", 2048, "3".repeat(64), "toc.dat", 2048, "3".repeat(64)));

    assertThat(envelope(files).toBackupInfo().files())
        .containsExactly(new RunReport.BackupFile("toc.dat", 2048, "3".repeat(64), null, null, null));
  }

  @Test
  void aCustomFormatBackupHasNoFileList() {
    assertThat(envelope(null).toBackupInfo().files()).isNull();
  }
}

package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.BackupFile;
import dev.cutter.core.run.RunReport.BackupInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of a directory-format backup are in the YAML and the Markdown, and read back. */
class BackupFilesReportTest {

  @TempDir Path tmp;

  private static RunReport withFiles(List<BackupFile> files) {
    RunReport r = SampleReports.pass();
    BackupInfo b = r.backup().withFiles(files);
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        r.gates(), b, r.apply(), r.verification(), r.rollback(), r.rootCause(), r.remediation(), r.nextAction(),
        r.started(), r.finished());
  }

  @Test
  void encryptedFilesAreWrittenWithWhatIsStoredInTheirPlaceRenderedAndReadBack() throws Exception {
    RunReport r = withFiles(List.of(new BackupFile("3456.dat.gz", 77, "a1".repeat(32), "3456.dat.gz.pgp", 190L, "b2".repeat(32)),
        new BackupFile("toc.dat", 2048, "c3".repeat(32), "toc.dat.pgp", 2170L, "d4".repeat(32))));
    ScannedReport scanned = ScannedReport.scan(r, SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);

    assertThat(yaml).contains("  files:\n"
        + "    - name: 3456.dat.gz\n      bytes: 77\n      sha256: " + "a1".repeat(32) + "\n"
        + "      stored_name: 3456.dat.gz.pgp\n      stored_bytes: 190\n      stored_sha256: " + "b2".repeat(32) + "\n"
        + "    - name: toc.dat\n");
    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    assertThat(ReportCodec.read(file, SecretScanner.patternsOnly()).report().backup().files())
        .isEqualTo(r.backup().files());

    String md = ReportRenderer.markdown(scanned);
    assertThat(md).contains("| file | bytes | sha256 | stored as | stored bytes | stored sha256 |",
        "| `3456.dat.gz` | 77 | `" + "a1".repeat(32) + "` | `3456.dat.gz.pgp` | 190 | `" + "b2".repeat(32) + "` |",
        "| `toc.dat` | 2,048 (2.0 KiB) | `" + "c3".repeat(32) + "` | `toc.dat.pgp` | 2,170 (2.1 KiB) | `" + "d4".repeat(32) + "` |");
  }

  @Test
  void filesStoredAsTheyAreHaveNoStoredColumns() throws Exception {
    RunReport r = withFiles(List.of(new BackupFile("toc.dat", 2048, "c3".repeat(32), null, null, null)));
    ScannedReport scanned = ScannedReport.scan(r, SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);

    assertThat(yaml).contains("  files:\n    - name: toc.dat\n      bytes: 2048\n      sha256: " + "c3".repeat(32) + "\napply:")
        .doesNotContain("stored_");
    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    assertThat(ReportCodec.read(file, SecretScanner.patternsOnly()).report().backup().files())
        .isEqualTo(r.backup().files());
    assertThat(ReportRenderer.markdown(scanned)).contains("| file | bytes | sha256 |\n",
        "| `toc.dat` | 2,048 (2.0 KiB) | `" + "c3".repeat(32) + "` |\n");
  }

  @Test
  void aSingleFileBackupWritesNoFileList() {
    ScannedReport scanned = ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly());
    assertThat(ReportCodec.yaml(scanned)).doesNotContain("files:");
    assertThat(ReportRenderer.markdown(scanned)).doesNotContain("| file | bytes |");
  }
}

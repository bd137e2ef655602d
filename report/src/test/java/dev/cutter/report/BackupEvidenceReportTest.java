package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.BackupInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup's point-in-time anchor and restore proof are in the YAML and the Markdown, and read back. */
class BackupEvidenceReportTest {

  @TempDir Path tmp;

  private static RunReport withEvidence(RunReport.PointInTime anchor, RunReport.RestoreProofInfo proof) {
    RunReport r = SampleReports.pass();
    BackupInfo b = r.backup().withEvidence(anchor, proof);
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        r.gates(), b, r.apply(), r.verification(), r.rollback(), r.rootCause(), r.remediation(), r.nextAction(),
        r.started(), r.finished());
  }

  @Test
  void theAnchorAndTheProofAreWrittenRenderedAndReadBack() throws Exception {
    RunReport r = withEvidence(new RunReport.PointInTime("1/A0000028", false, "74821"),
        new RunReport.RestoreProofInfo("embedded PostgreSQL 15.19", 13, 5, 1651, List.of()));
    ScannedReport scanned = ScannedReport.scan(r, SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);

    assertThat(yaml).contains("point_in_time:", "wal_lsn: 1/A0000028", "standby: false", "snapshot_xmin: \"74821\"",
        "restore_proof:", "tables_compared: 5", "rows_compared: 1651", "relations_compared: 13", "differences: []");
    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    BackupInfo back = ReportCodec.read(file, SecretScanner.patternsOnly()).report().backup();
    assertThat(back.pointInTime()).isEqualTo(r.backup().pointInTime());
    assertThat(back.restoreProof()).isEqualTo(r.backup().restoreProof());

    String md = ReportRenderer.markdown(scanned);
    assertThat(md).contains("| WAL position | `1/A0000028` |", "| snapshot xmin | `74821` |",
        "| restore proof | 5 tables, 1651 rows, 13 relations compared in embedded PostgreSQL 15.19; no difference |");
  }

  @Test
  void aBackupWithoutEvidenceWritesNeither() {
    String yaml = ReportCodec.yaml(ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly()));
    assertThat(yaml).doesNotContain("point_in_time", "restore_proof");
  }
}

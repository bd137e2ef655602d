package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues 19.11 and 19.12 in the report: the effective apply settings are recorded, and a PASS
 * with nothing verified says "not verified" in its verdict line and banner.
 */
class HonestReportTest {

  @TempDir Path dir;

  private static RunReport notVerified() {
    RunReport r = SampleReports.pass();
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        r.gates(), r.backup(), r.apply(), new VerificationInfo(VerificationInfo.NOT_VERIFIED, List.of(), null, null,
            "not verified: the package lists no verify checks and none can be derived from its DDL"), r.rollback(),
        null, List.of(), null, r.started(), r.finished(),
        new RunReport.ApplySettingsInfo("autocommit", "off", "600000ms", null));
  }

  @Test
  void aPassWithNothingVerifiedSaysSo() {
    RunReport r = notVerified();
    assertThat(ReportRenderer.verdictLine(r)).isEqualTo("verdict: PASS (exit 0), production changed: yes, not verified");
    assertThat(ReportRenderer.verdictLine(SampleReports.pass())).doesNotContain("verified");
    assertThat(ReportRenderer.markdown(ScannedReport.scan(r, SecretScanner.patternsOnly())))
        .contains("nothing was verified").doesNotContain("committed and verified");
  }

  @Test
  void theEffectiveApplySettingsAreRecordedAndReadBack() throws Exception {
    ScannedReport scanned = ScannedReport.scan(notVerified(), SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).contains("apply_settings:").contains("mode: autocommit").contains("lock_timeout: \"off\"")
        .contains("statement_timeout: 600000ms");
    assertThat(ReportRenderer.markdown(scanned)).contains("mode autocommit, lock_timeout off, statement_timeout 600000ms");
    Path file = Files.writeString(dir.resolve("r.yaml"), yaml);
    assertThat(ReportCodec.read(file, SecretScanner.patternsOnly()).report().applySettings())
        .isEqualTo(new RunReport.ApplySettingsInfo("autocommit", "off", "600000ms", null));
  }
}

package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.TlsState;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each connection's TLS state and the backup's server identity are in the YAML and the Markdown, and read back. */
class TlsReportTest {

  @TempDir Path tmp;

  private static RunReport withTls(TlsState target, TlsState backup) {
    RunReport r = SampleReports.pass();
    TargetInfo t = r.target();
    BackupInfo b = r.backup();
    return new RunReport(r.runId(), r.mode(), r.pkg(), new TargetInfo(t.database(), t.systemIdentifier(),
        t.serverVersion(), t.loginRole(), t.applyRole(), target), r.verdict(), r.exitCode(), r.productionChanged(),
        r.gates(), new BackupInfo(b.status(), b.path(), b.format(), b.archiveVersion(), b.bytes(), b.sha256(),
            b.plaintextSha256(), b.encryptedTo(), b.tocEntries(), b.tableDataEntries(), b.pgDumpVersion(), b.startedUtc(),
            b.finishedUtc(), b.reason(), "7300411111111111111", backup), r.apply(), r.verification(), r.rollback(),
        r.rootCause(), r.remediation(), r.nextAction(), r.started(), r.finished());
  }

  @Test
  void recordsWhetherEachConnectionWasEncryptedAndVerified() throws Exception {
    RunReport r = withTls(new TlsState(true, true, "verify-full", "TLSv1.3"), new TlsState(true, false, "prefer", "TLSv1.3"));
    ScannedReport scanned = ScannedReport.scan(r, SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).contains("tls:", "encrypted: true", "verified: true", "sslmode: verify-full",
        "verified: false", "system_identifier: \"7300411111111111111\"");

    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    RunReport back = ReportCodec.read(file, SecretScanner.patternsOnly()).report();
    assertThat(back.target().tls()).isEqualTo(r.target().tls());
    assertThat(back.backup().tls()).isEqualTo(r.backup().tls());
    assertThat(back.backup().systemIdentifier()).isEqualTo("7300411111111111111");

    String md = ReportRenderer.markdown(scanned);
    assertThat(md).contains("| connection | encrypted (TLSv1.3), server certificate verified (sslmode verify-full) |")
        .contains("| connection | encrypted (TLSv1.3), **server certificate not verified** (sslmode prefer) |")
        .contains("| server system identifier | `7300411111111111111` |");
  }

  @Test
  void saysPlainlyWhenAConnectionWasNotEncrypted() {
    RunReport r = withTls(new TlsState(false, false, "disable", null), null);
    String md = ReportRenderer.markdown(ScannedReport.scan(r, SecretScanner.patternsOnly()));
    assertThat(md).contains("| connection | **not encrypted** (sslmode disable) |");
  }

  @Test
  void aTlsGateRefusalIsDiagnosedAsSuch() {
    RunReport r = SampleReports.blockedAtPreflight();
    RunReport blocked = new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), false,
        java.util.List.of(dev.cutter.core.run.GateResult.fail(dev.cutter.core.run.GateId.TLS,
            new dev.cutter.core.cause.Cause.TlsRequirementNotMet("db.example.com", "prefer"),
            "sslmode verify-full, or a local target", "db.example.com, sslmode prefer", "the trust policy requires "
                + "tls: verify-full", java.util.List.of())), null, null, null, null, null, java.util.List.of(), null,
        r.started(), r.finished());
    RunReport d = new FailureClassifier().diagnose(blocked);
    assertThat(d.rootCause()).isEqualTo("The trust policy requires a verified TLS connection to a target that is not local,"
        + " and the connection to db.example.com uses sslmode prefer.");
    assertThat(d.remediation()).anySatisfy(o -> assertThat(o.action()).contains("sslmode=verify-full"));
  }
}

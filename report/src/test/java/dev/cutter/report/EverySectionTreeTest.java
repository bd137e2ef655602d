package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.TlsState;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.TargetInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One report with every section and every optional member filled in, written to YAML and JSON:
 * the text must equal the fixture {@code every-section.yaml}/{@code .json} byte for byte (the
 * written shape of each section is the contract of SPEC section 5), and must read back unchanged.
 */
class EverySectionTreeTest {

  static RunReport everySection() {
    RunReport e = SampleReports.escalate();
    TlsState verified = new TlsState(true, true, "verify-full", "TLSv1.3");
    TargetInfo t = e.target();
    BackupInfo b = SampleReports.backup();
    return new RunReport(e.runId(), e.mode(), e.pkg(), new TargetInfo(t.database(), t.systemIdentifier(),
        t.serverVersion(), t.loginRole(), t.applyRole(), new TlsState(false, false, "disable", null), "SET ROLE app",
        true), e.verdict(), e.exitCode(), e.productionChanged(), e.gates(),
        new BackupInfo(b.status(), b.path(), b.format(), b.archiveVersion(), b.bytes(), b.sha256(), b.plaintextSha256(),
            List.of(), b.tocEntries(), b.tableDataEntries(), b.pgDumpVersion(), b.startedUtc(), b.finishedUtc(),
            "a reason", "7300411111111111111", verified),
        new ApplyInfo("FAILED", 9, 7, "partially_committed", false, List.of(1, 2, 3, 5),
            new FailedStatement(7, 31, "23505", "duplicate key", "Key (id)=(1) exists", "a hint", "a where")),
        e.verification(), e.rollback(), "the root cause", SampleReports.escalate().remediation(), "the next action",
        e.started(), e.finished(), new RunReport.ApplySettingsInfo("autocommit", "5s", "1h", 3))
        .withStatements(new StatementTimings(List.of(new StatementTiming(1, 1, "create table t (id int)", 40),
            new StatementTiming(2, 4, null, 2)), 880L))
        .withOnline(new OnlineInfo(OnlineInfo.Outcome.FAILED, 3, 1, "5000ms", "3600000ms", List.of(
            new OnlineInfo.StatementRun(1, 2, "create index concurrently …", OnlineInfo.RunStatus.DONE, 12L, null, null),
            new OnlineInfo.StatementRun(2, 3, "create unique index …", OnlineInfo.RunStatus.FAILED, 7L, "23505", "dup")),
            List.of(new OnlineInfo.Cleanup("\"public\".\"t_a_key\"", OnlineInfo.CleanupStatus.DROPPED, null)),
            "a refusal"))
        .withBlockers(BlockersReportTest.blocked().blockers())
        .withProvenance(new Provenance("1.2.3", "abcdef0", new Provenance.Roles("app", "deployer"), null,
            List.of(new Provenance.Session(Provenance.Purpose.TARGET, "deployer", verified),
                new Provenance.Session(Provenance.Purpose.JOURNAL, null, null))))
        .withLint(List.of(LintReportTest.INDEX, LintReportTest.RENAME))
        .withLockPlan(List.of(LockPlanReportTest.plan()));
  }

  @Test
  void everySectionIsWrittenAsTheFixtureSaysAndReadsBackUnchanged() throws IOException {
    ScannedReport scanned = ScannedReport.scan(everySection(), SecretScanner.patternsOnly(), true);
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).isEqualTo(fixture("every-section.yaml"));
    assertThat(ReportCodec.json(scanned)).isEqualTo(fixture("every-section.json"));
    assertThat(ReportCodec.yaml(ScannedReport.rescan(ReportCodec.parseYaml(yaml), SecretScanner.patternsOnly())))
        .isEqualTo(yaml);
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = EverySectionTreeTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

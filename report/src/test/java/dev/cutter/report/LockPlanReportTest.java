package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.lock.LockMode;
import dev.cutter.core.lock.LockPlan;
import dev.cutter.core.lock.MeasuredLock;
import dev.cutter.core.run.RunReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lock_plan section: written to YAML and read back unchanged, and its summary as a table. */
class LockPlanReportTest {

  static LockPlan plan() {
    MeasuredLock created = new MeasuredLock("app.fresh", "r", LockMode.ACCESS_EXCLUSIVE, false, 0L, null, false);
    MeasuredLock share = new MeasuredLock("app.orders", "r", LockMode.ACCESS_SHARE, true, 8192L, 1000.0, false);
    MeasuredLock exclusive = new MeasuredLock("app.orders", "r", LockMode.ACCESS_EXCLUSIVE, true, 8192L, 1000.0, true);
    return new LockPlan(LockPlan.Source.REHEARSE, "change.sql", 5, 5, true, null, List.of(
        new LockPlan.StatementLocks(1, 13, 1200, List.of(created)),
        new LockPlan.StatementLocks(2, 23, 300, List.of(share)),
        new LockPlan.StatementLocks(4, 43, 1250, List.of(exclusive))),
        List.of(new LockPlan.RelationHold("app.orders", "r", LockMode.ACCESS_EXCLUSIVE, 4, 43, 2, 1500, 8192L, 1000.0,
            true)));
  }

  private static RunReport report() {
    return SampleReports.pass().withLockPlan(List.of(plan()));
  }

  @Test
  void theYamlCarriesThePlanAndReadsBackUnchanged() {
    String yaml = ReportCodec.yaml(ScannedReport.scan(report(), SecretScanner.patternsOnly()));
    assertThat(yaml).contains("lock_plan:").contains("strongest: AccessExclusiveLock").contains("held_ms: 1.5")
        .contains("taken_at: 4").contains("held_statements: 2").contains("blocks: reads and writes");
    RunReport back = ReportTree.fromTree(ReportCodec.parseYaml(yaml)).report();
    assertThat(back.lockPlan()).containsExactly(plan());
  }

  @Test
  void aReportWithoutAPlanHasNoSection() {
    String yaml = ReportCodec.yaml(ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly()));
    assertThat(yaml).doesNotContain("lock_plan");
    assertThat(ReportTree.fromTree(ReportCodec.parseYaml(yaml)).report().lockPlan()).isNull();
    assertThat(ReportRenderer.markdown(ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly())))
        .doesNotContain("Lock plan");
  }

  @Test
  void markdownAndHtmlShowTheSummaryAsATable() {
    ScannedReport scanned = ScannedReport.scan(report(), SecretScanner.patternsOnly());
    String md = ReportRenderer.markdown(scanned);
    assertThat(md).contains("## Lock plan (rehearse, change.sql)")
        .contains("| relation | strongest lock | blocks | taken at | held for | size | rows (est.) | rewritten |")
        .contains("| `app.orders` | `AccessExclusiveLock` | reads and writes | statement 4 (change.sql:43) |"
            + " 2 statements, 1.5 ms | 8192 bytes | 1000 | yes |");
    assertThat(md).as("a relation the change created is not in the summary").doesNotContain("app.fresh");
    String html = ReportRenderer.html(scanned);
    assertThat(html).contains("Lock plan (rehearse, change.sql)").contains("statement 4 (change.sql:43)")
        .contains("<code>AccessExclusiveLock</code>");
  }

  /** Statements 1 to 3 measured together (they named only what the change created); one of them locked app.audit. */
  private static LockPlan windowed() {
    MeasuredLock audit = new MeasuredLock("app.audit", "r", LockMode.SHARE, true, 0L, null, false);
    return new LockPlan(LockPlan.Source.REHEARSE, "change.sql", 4, 4, true, null,
        List.of(new LockPlan.StatementLocks(1, 13, 900, List.of(audit), 3)),
        List.of(new LockPlan.RelationHold("app.audit", "r", LockMode.SHARE, 1, 13, 4, 1000, 0L, null, false, 3)));
  }

  @Test
  void statementsMeasuredTogetherSayTheirRangeEverywhere() {
    ScannedReport scanned = ScannedReport.scan(SampleReports.pass().withLockPlan(List.of(windowed())),
        SecretScanner.patternsOnly());
    String yaml = ReportCodec.yaml(scanned);
    assertThat(yaml).contains("taken_through: 3").contains("through: 3");
    assertThat(ReportTree.fromTree(ReportCodec.parseYaml(yaml)).report().lockPlan()).containsExactly(windowed());
    assertThat(ReportCodec.yaml(ScannedReport.scan(report(), SecretScanner.patternsOnly())))
        .as("a statement measured alone has no range").doesNotContain("through:");
    assertThat(ReportRenderer.markdown(scanned)).contains("| `app.audit` | `ShareLock` | writes |"
        + " one of statements 1 to 3 (from change.sql:13; measured together) | 4 statements, 1.0 ms |");
  }
}

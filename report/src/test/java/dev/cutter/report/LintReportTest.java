package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.run.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock-hazard findings in the YAML (read back alike) and the Markdown, with predicted next to measured locks. */
class LintReportTest {

  @TempDir Path tmp;

  static final LintFinding INDEX = new LintFinding(LintRule.INDEX_NOT_CONCURRENT, "ddl/change.sql", 12, 3,
      "app.orders", "CREATE INDEX on app.orders without CONCURRENTLY", "ShareLock", true, null);
  static final LintFinding RENAME = LintFinding.of(LintRule.RENAME_COLUMN, "ddl/change.sql", 15, 4, "app.orders",
      "renames column total of app.orders", "AccessExclusiveLock").withMeasuredLock("AccessExclusiveLock");

  @Test
  void findingsAreWrittenAndReadBack() throws Exception {
    RunReport r = SampleReports.blockedAtPreflight().withLint(List.of(INDEX, RENAME));
    String yaml = ReportCodec.yaml(ScannedReport.scan(r, SecretScanner.patternsOnly()));

    assertThat(yaml).contains("""
        lint:
          - rule: index-not-concurrent
            severity: error
            denied: true
            file: ddl/change.sql
            line: 12
            statement: 3
            object: app.orders
            detail: CREATE INDEX on app.orders without CONCURRENTLY
            predicted_lock: ShareLock
        """);
    assertThat(yaml).contains("predicted_lock: ShareLock", "measured_lock: AccessExclusiveLock",
        "fix: \"build it with CREATE INDEX CONCURRENTLY in the package's online step");
    Path file = Files.writeString(tmp.resolve("r.yaml"), yaml);
    assertThat(ReportCodec.read(file, SecretScanner.patternsOnly()).report().lint()).containsExactly(INDEX, RENAME);
  }

  @Test
  void aRunThatDidNotLintHasNoSection() {
    String yaml = ReportCodec.yaml(ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly()));
    assertThat(yaml).doesNotContain("lint:");
    assertThat(ReportRenderer.markdown(ScannedReport.scan(SampleReports.pass(), SecretScanner.patternsOnly())))
        .doesNotContain("Lock hazards");
  }

  @Test
  void theMarkdownShowsWhereWhatThePolicySaidAndPredictedNextToMeasured() {
    RunReport r = SampleReports.blockedAtPreflight().withLint(List.of(INDEX, RENAME));
    String md = ReportRenderer.markdown(ScannedReport.scan(r, SecretScanner.patternsOnly()));

    assertThat(md).contains("## Lock hazards")
        .contains("| `ddl/change.sql:12` | `index-not-concurrent` | error | **denied** | predicted ShareLock |"
            + " CREATE INDEX on app.orders without CONCURRENTLY |")
        .contains("| `ddl/change.sql:15` | `rename-column` | warning | reported | predicted AccessExclusiveLock / measured"
            + " AccessExclusiveLock | renames column total of app.orders |")
        .contains("- `index-not-concurrent`: CREATE INDEX without CONCURRENTLY blocks every INSERT");
  }

  @Test
  void aDeniedFindingIsDiagnosedAsALockHazardWithTheWayOut() {
    RunReport r = SampleReports.blockedAtPreflight();
    dev.cutter.core.check.CheckResult lint = dev.cutter.core.check.CheckResult.fail("lock_hazards",
        new dev.cutter.core.cause.Cause.LockHazardsDenied(List.of("index-not-concurrent")), "no denied lock hazard", "1 finding(s), 1 denied", "denied: ddl/change.sql:12 index-not-concurrent (error) on app.orders");
    RunReport blocked = new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), false,
        List.of(new dev.cutter.core.run.GateResult(dev.cutter.core.run.GateId.PREFLIGHT, dev.cutter.core.run.GateStatus.FAIL, null, null,
            "lock_hazards: " + lint.message(), List.of(lint), lint.cause())), null, null, null, null, null, List.of(), null,
        r.started(), r.finished()).withLint(List.of(INDEX));

    RunReport d = new FailureClassifier().diagnose(blocked);

    assertThat(d.rootCause()).startsWith("The change takes locks the lint policy denies (index-not-concurrent): ");
    assertThat(d.remediation()).extracting(RunReport.Remediation::action).anySatisfy(a -> assertThat(a)
        .startsWith("If the hazard is accepted (a small table, a quiet window), allow the rule in the package's"
            + " lint.allow"));
  }
}

package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.run.RunMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 13.5: a report's findings as SARIF 2.1.0, valid against the official schema. */
class SarifLogTest {

  /** Positions as a package with two preflight entries at lines 14 and 15 and its artifact at ddl/change.sql would give. */
  static final SarifLog.Locator WHERE = new SarifLog.Locator() {
    @Override
    public SarifLog.Location packageFile() {
      return new SarifLog.Location("pkg/package.yaml", 1);
    }

    @Override
    public Optional<SarifLog.Location> check(String gateId, String checkId) {
      return checkId.equals("objects_absent#2") ? Optional.of(new SarifLog.Location("pkg/package.yaml", 15))
          : checkId.equals("apply_role_privileges") ? Optional.of(new SarifLog.Location("pkg/package.yaml", 11))
          : Optional.empty();
    }

    @Override
    public SarifLog.Location statement(RunMode mode, int line) {
      return new SarifLog.Location("pkg/ddl/change.sql", line);
    }

    @Override
    public Optional<SarifLog.Location> artifactEntry(String path) {
      return Optional.empty();
    }

    @Override
    public Optional<SarifLog.Location> applySection() {
      return Optional.of(new SarifLog.Location("pkg/package.yaml", 8));
    }
  };

  private static JsonNode sarif(dev.cutter.core.run.RunReport r) throws Exception {
    String text = SarifLog.of(ScannedReport.scan(r, SampleReports.scanner()), WHERE).json("0.1.0");
    assertThat(SarifSchema.violations(text)).as("valid SARIF 2.1.0").isEmpty();
    return new ObjectMapper().readTree(text);
  }

  private static List<String> results(JsonNode sarif) {
    List<String> out = new ArrayList<>();
    sarif.at("/runs/0/results").forEach(r -> out.add(r.path("ruleId").asText() + " " + r.path("level").asText() + " "
        + r.at("/locations/0/physicalLocation/artifactLocation/uri").asText() + ":"
        + r.at("/locations/0/physicalLocation/region/startLine").asInt()));
    return out;
  }

  @Test
  void aFailedPrivilegeCheckIsAResultAtItsPackageLine() throws Exception {
    JsonNode s = sarif(SampleReports.blockedAtPreflight());
    assertThat(s.path("version").asText()).isEqualTo("2.1.0");
    assertThat(s.at("/runs/0/tool/driver/name").asText()).isEqualTo("cutter");
    assertThat(results(s)).containsExactly("check/apply_role_privileges error pkg/package.yaml:11");
    assertThat(s.at("/runs/0/results/0/message/text").asText())
        .startsWith("P1_preflight apply_role_privileges: apply_role app_deployer lacks CREATE on schema billing");
    assertThat(s.at("/runs/0/tool/driver/rules/0/id").asText()).isEqualTo("check/apply_role_privileges");
  }

  @Test
  void theFailingStatementIsAResultAtItsArtifactLineAndTheApplyGateIsNotRepeated() throws Exception {
    JsonNode s = sarif(SampleReports.failedAtStatement7());
    assertThat(results(s)).containsExactly("sql/23505 error pkg/ddl/change.sql:31");
    assertThat(s.at("/runs/0/results/0/message/text").asText())
        .isEqualTo("statement 7 failed: could not create unique index \"invoice_line_number_key\" (SQLSTATE 23505)");
  }

  @Test
  void aPassingRunHasNoResultsAndIsStillValid() throws Exception {
    JsonNode s = sarif(SampleReports.pass());
    assertThat(s.at("/runs/0/results").size()).isZero();
  }

  @Test
  void anotherFindingKindIsOneCallWithItsOwnStableRule() throws Exception {
    SarifLog log = SarifLog.of(ScannedReport.scan(SampleReports.pass(), SampleReports.scanner()), WHERE)
        .result("lint/index-without-concurrently", "index without CONCURRENTLY", "CREATE INDEX blocks writes.",
            SarifLog.Level.WARNING, "statement 3 builds an index under SHARE lock", new SarifLog.Location("pkg/ddl/change.sql", 9));
    String text = log.json("0.1.0");
    assertThat(SarifSchema.violations(text)).isEmpty();
    assertThat(results(new ObjectMapper().readTree(text))).containsExactly("lint/index-without-concurrently warning pkg/ddl/change.sql:9");
  }

  /** A run with four lock hazards: denied, reported error rule, a warning, and two on the apply settings. */
  static dev.cutter.core.run.RunReport linted() {
    return SampleReports.pass().withLint(List.of(
        LintFinding.of(LintRule.INDEX_NOT_CONCURRENT, "ddl/change.sql", 9, 3, "billing.invoice_line",
            "CREATE INDEX invoice_line_idx without CONCURRENTLY", "ShareLock").withDenied(true)
            .withMeasuredLock("ShareLock"),
        LintFinding.of(LintRule.FOREIGN_KEY_NOT_VALID, "ddl/change.sql", 12, 4, "billing.invoice_line",
            "ADD FOREIGN KEY without NOT VALID", "ShareRowExclusiveLock"),
        LintFinding.of(LintRule.DROP_COLUMN, "ddl/change.sql", 20, 6, "billing.invoice", "DROP COLUMN legacy_no",
            "AccessExclusiveLock").withMeasuredLock("AccessExclusiveLock"),
        LintFinding.of(LintRule.LOCK_TIMEOUT_OFF, "package.yaml", 10, 0, "lock_timeout", "lock_timeout: 0", null)
            .withDenied(true),
        LintFinding.of(LintRule.LOCK_TIMEOUT_LONG, "package.yaml", 0, 0, "lock_timeout", "lock_timeout: 5min", null)));
  }

  @Test
  void eachLockHazardIsAResultAtItsLineWithItsLevel() throws Exception {
    JsonNode s = sarif(linted());
    assertThat(results(s)).containsExactly(
        "lint/index-not-concurrent error pkg/ddl/change.sql:9",
        "lint/foreign-key-not-valid warning pkg/ddl/change.sql:12",
        "lint/drop-column note pkg/ddl/change.sql:20",
        "lint/lock-timeout-off error pkg/package.yaml:10",
        "lint/lock-timeout-long note pkg/package.yaml:8");
    assertThat(s.at("/runs/0/results/0/message/text").asText()).isEqualTo("index-not-concurrent on billing.invoice_line:"
        + " CREATE INDEX invoice_line_idx without CONCURRENTLY; predicted ShareLock / measured ShareLock"
        + " (denied by the lint policy)");
    assertThat(s.at("/runs/0/results/1/message/text").asText()).isEqualTo("foreign-key-not-valid on billing.invoice_line:"
        + " ADD FOREIGN KEY without NOT VALID; predicted ShareRowExclusiveLock (reported, not denied)");
    assertThat(s.at("/runs/0/results/3/message/text").asText())
        .isEqualTo("lock-timeout-off on lock_timeout: lock_timeout: 0 (denied by the lint policy)");
    JsonNode rule = s.at("/runs/0/tool/driver/rules/0");
    assertThat(rule.path("id").asText()).isEqualTo("lint/index-not-concurrent");
    assertThat(rule.at("/shortDescription/text").asText()).isEqualTo(LintRule.INDEX_NOT_CONCURRENT.why());
    assertThat(rule.at("/help/text").asText())
        .isEqualTo("The safe way: " + LintRule.INDEX_NOT_CONCURRENT.fix() + ". See docs/lock-safety.md.");
    assertThat(rule.at("/defaultConfiguration/level").asText()).isEqualTo("error");
    assertThat(s.at("/runs/0/tool/driver/rules/2/defaultConfiguration/level").asText()).isEqualTo("warning");
  }

  @Test
  void lockHazardsReadBackFromTheReportFileAreTheSameResults() throws Exception {
    ScannedReport scanned = ScannedReport.scan(linted(), SampleReports.scanner());
    ScannedReport reread = ScannedReport.rescan(new ObjectMapper().readTree(ReportCodec.write(new ObjectMapper(),
        scanned.tree())), SampleReports.scanner());
    assertThat(SarifLog.of(reread, WHERE).json("0.1.0")).isEqualTo(SarifLog.of(scanned, WHERE).json("0.1.0"));
  }

  @Test
  void eachMissingGrantOfTheCauseIsAResultAtTheStatementThatNeedsIt() throws Exception {
    dev.cutter.core.run.RunReport run = SampleReports.blockedAtPreflight();
    ScannedReport scanned = ScannedReport.scan(run, SampleReports.scanner());
    // the same run, its check's cause now knowing the statement lines (as apply_role_privileges records them)
    Cause.MissingPrivilege lined = new Cause.MissingPrivilege(Cause.RoleKind.APPLY_ROLE, "app_deployer", List.of(
        new Cause.Grant("CREATE", "schema", "billing").at(4), new Cause.Grant(Cause.Grant.OWNERSHIP, "table",
            "billing.invoice")));
    dev.cutter.core.run.RunReport withLines = withCheckCause(run, "apply_role_privileges", lined);

    String fromFile = SarifLog.of(scanned, WHERE).json("0.1.0");
    String plain = SarifLog.of(scanned, WHERE, run, t -> t).json("0.1.0");
    String text = SarifLog.of(scanned, WHERE, withLines, t -> t.replace("app_deployer", "[masked]")).json("0.1.0");

    assertThat(SarifSchema.violations(plain)).isEmpty();
    assertThat(SarifSchema.violations(text)).isEmpty();
    assertThat(results(new ObjectMapper().readTree(fromFile)))
        .as("a report read back keeps no cause: the check alone").containsExactly(
            "check/apply_role_privileges error pkg/package.yaml:11");
    assertThat(results(new ObjectMapper().readTree(plain))).containsExactly(
        "check/apply_role_privileges error pkg/package.yaml:11",
        "privilege/CREATE error pkg/package.yaml:11");
    JsonNode s = new ObjectMapper().readTree(text);
    assertThat(results(s)).containsExactly(
        "check/apply_role_privileges error pkg/package.yaml:11",
        "privilege/CREATE error pkg/ddl/change.sql:4",
        "privilege/OWNERSHIP error pkg/package.yaml:11");
    assertThat(s.at("/runs/0/results/1/message/text").asText()).isEqualTo("apply_role [masked] lacks CREATE on schema"
        + " billing (P1_preflight apply_role_privileges); fix: GRANT CREATE ON SCHEMA billing TO [masked];");
    assertThat(s.at("/runs/0/results/2/message/text").asText()).isEqualTo("apply_role [masked] lacks ownership of"
        + " table billing.invoice (P1_preflight apply_role_privileges); fix: ALTER TABLE billing.invoice OWNER TO [masked];");
  }

  private static dev.cutter.core.run.RunReport withCheckCause(dev.cutter.core.run.RunReport r, String checkId,
      Cause cause) {
    List<dev.cutter.core.run.GateResult> gates = r.gates().stream().map(g -> new dev.cutter.core.run.GateResult(g.gate(),
        g.status(), g.expected(), g.actual(), g.message(), g.checks().stream().map(c -> !c.id().equals(checkId) ? c
            : new dev.cutter.core.check.CheckResult(c.id(), c.status(), c.expected(), c.actual(), c.message(), cause))
        .toList(), g.cause(), g.durationMs())).toList();
    return new dev.cutter.core.run.RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(),
        r.productionChanged(), gates, r.backup(), r.apply(), r.verification(), r.rollback(), r.rootCause(),
        r.remediation(), r.nextAction(), r.started(), r.finished());
  }

  @Test
  void theSchemaCheckCanFail() {
    assertThat(SarifSchema.violations("{\"version\": \"2.1.0\", \"runs\": [{\"results\": []}]}"))
        .as("a run without its tool").isNotEmpty();
  }
}

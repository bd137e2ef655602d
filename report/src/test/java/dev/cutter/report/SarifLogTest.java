package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  @Test
  void theSchemaCheckCanFail() {
    assertThat(SarifSchema.violations("{\"version\": \"2.1.0\", \"runs\": [{\"results\": []}]}"))
        .as("a run without its tool").isNotEmpty();
  }
}

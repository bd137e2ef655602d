package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.Verdict;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ScannedReport;
import dev.cutter.report.SecretScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/report.schema.json describes every report cutter writes: each golden report (real runs,
 * every verdict, an invalid package) and an internal-error report validate; a renamed or mistyped
 * field does not.
 */
class ReportSchemaTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonSchema schema;

  @BeforeAll
  static void readSchema() throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("..", "docs", "report.schema.json"))) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  static Stream<Path> goldenReports() throws IOException {
    try (Stream<Path> s = Files.list(GoldenReportsTest.GOLDEN)) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).sorted().toList().stream();
    }
  }

  static JsonNode read(Path p) throws IOException {
    return (p.toString().endsWith(".json") ? JSON : YAML).readTree(p.toFile());
  }

  static Set<String> errors(JsonNode report) {
    return schema.validate(report).stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(TreeSet::new));
  }

  @ParameterizedTest
  @MethodSource("goldenReports")
  void everyGoldenReportIsValid(Path report) throws IOException {
    assertThat(errors(read(report))).isEmpty();
  }

  /** The golden reports and the internal-error report below between them have every verdict cutter writes. */
  @Test
  void theValidatedReportsCoverEveryVerdict() throws IOException {
    Set<String> seen = new TreeSet<>();
    for (Path p : goldenReports().toList()) {
      seen.add(read(p).get("verdict").asText());
    }
    seen.add(internalError().get("verdict").asText());

    Set<String> all = Stream.of(Verdict.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    all.addAll(List.of("INTERNAL_ERROR", "INVALID_INPUT"));
    assertThat(seen).isEqualTo(all);
  }

  @Test
  void anInternalErrorReportIsValid() {
    assertThat(errors(internalError())).isEmpty();
  }

  /** Sections no golden run reaches: a backup with its envelope, TLS, row values shown, an autocommit failure. */
  @Test
  void aReportWithEveryOptionalSectionIsValid() {
    TlsState tls = new TlsState(true, true, "verify-full", "TLSv1.3");
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY,
        new RunReport.PackageInfo("p", "a".repeat(64), "P", List.of("3A1F9C2E7B4D6058A1B2C3D4E5F60718293A4B5C"), "CHG-1",
            Instant.parse("2030-01-01T00:00:00Z"), "high", List.of("review")),
        new RunReport.TargetInfo("db", "7300", "15.7", "deploy", "app", tls, "logged in as deploy, SET ROLE app", true),
        Verdict.ESCALATE, 6, true,
        List.of(new GateResult("apply", GateStatus.FAIL, "2 statements", "statements [1] committed", "x", List.of())),
        new RunReport.BackupInfo("PASS", "/b/x.dump.gpg", "custom", "1.14-0", 52L, "b".repeat(64), "c".repeat(64),
            List.of("C0FFEE00C0FFEE00C0FFEE00C0FFEE00C0FFEE00"), 4, 1, "15.7", Instant.parse("2026-05-18T05:46:12Z"),
            Instant.parse("2026-05-18T05:46:13.5Z"), null, "7300", tls),
        new RunReport.ApplyInfo("FAIL", 2, 1, "partially_committed", false, List.of(1),
            new RunReport.FailedStatement(2, 3, "23505", "duplicate key", "Key (a)=(1) already exists.", "h", "w")),
        new RunReport.VerificationInfo("CHANGED", List.of(), null, null, "n"),
        new RunReport.RollbackInfo("NOT_APPLICABLE", "r"), "cause", List.of(new RunReport.Remediation("A", "act")),
        "next", Instant.parse("2026-05-18T05:46:09Z"), Instant.parse("2026-05-18T05:46:14Z"),
        new RunReport.ApplySettingsInfo("autocommit", "off", "60000ms", 2))
        .withProvenance(new Provenance("0.1.0", "d1ff9146c3f9-dirty", new Provenance.Roles("app", "deploy"),
            new Provenance.Roles("app", "deploy"), List.of(new Provenance.Session(Provenance.Purpose.BACKUP, "bk", tls))));

    JsonNode tree = tree(ScannedReport.scan(r, SecretScanner.patternsOnly(), true));

    assertThat(tree.get("show_values").asBoolean()).isTrue();
    assertThat(errors(tree)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      renamed apply field       | /apply               | statements_executed | statements_run
      renamed gate field        | /gates/0             | message             | note
      renamed target field      | /target              | login_role          | login
      renamed provenance field  | /provenance/cutter   | commit              | revision
      renamed session field     | /provenance/sessions/0 | login_role        | role
      """)
  void aRenamedFieldIsRefused(String what, String pointer, String from, String to) throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("failed-statement-7.yaml"));
    ObjectNode at = (ObjectNode) report.at(pointer);
    assertThat(at.has(from)).as("the golden report has %s at %s", from, pointer).isTrue();
    at.set(to, at.remove(from));

    assertThat(errors(report)).isNotEmpty();
  }

  @Test
  void aVerdictWithAnotherExitCodeAnUnknownStatusAndAnotherVersionAreRefused() throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("pass.yaml"));
    assertThat(errors(report)).isEmpty();

    assertThat(errors(((ObjectNode) report.deepCopy()).put("exit_code", 3))).isNotEmpty();
    assertThat(errors(((ObjectNode) report.deepCopy()).put("report_version", 2))).isNotEmpty();
    JsonNode status = report.deepCopy();
    ((ObjectNode) status.at("/gates/0")).put("status", "OK");
    assertThat(errors(status)).isNotEmpty();
  }

  /** Sections being added at the top level in parallel are allowed until the schema names them. */
  @Test
  void anUnknownTopLevelSectionIsAllowedForNow() throws IOException {
    JsonNode report = read(GoldenReportsTest.GOLDEN.resolve("pass.yaml"));

    ((ObjectNode) report).putObject("lock_plan").put("status", "PASS");

    assertThat(errors(report)).isEmpty();
  }

  private static JsonNode internalError() {
    RunReport r = new RunReport("20260518T054609Z-3f2a", RunMode.APPLY, null, null, null, ExitCodes.INTERNAL, false,
        List.of(), null, null, null, null, "internal error: java.lang.IllegalStateException: boom", List.of(), null,
        Instant.parse("2026-05-18T05:46:09Z"), Instant.parse("2026-05-18T05:46:10Z")).withProvenance(Provenance.ofBuild());
    return tree(ScannedReport.scan(r, SecretScanner.patternsOnly()));
  }

  private static JsonNode tree(ScannedReport scanned) {
    try {
      return YAML.readTree(ReportCodec.yaml(scanned));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

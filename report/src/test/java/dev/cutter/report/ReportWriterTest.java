package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

  private final FailureClassifier classifier = new FailureClassifier();

  private WrittenReport write(Path dir, RunReport report) {
    return new ReportWriter(dir, SecretScanner.patternsOnly()).write(report);
  }

  @Test
  void writesYamlAndMarkdownUnderThePackageIdAndRunId(@TempDir Path dir) throws Exception {
    Path reportDir = dir.resolve("cutter-reports");

    WrittenReport written = write(reportDir, classifier.diagnose(SampleReports.blockedAtPreflight()));

    Path expectedDir = reportDir.resolve("billing-invoice-lines");
    assertThat(written.yaml()).isEqualTo(expectedDir.resolve("20260518T054609Z-3f2a.yaml")).isRegularFile();
    assertThat(written.markdown()).isEqualTo(expectedDir.resolve("20260518T054609Z-3f2a.md")).isRegularFile();
    assertThat(written.yamlSha256()).as("the journal records the sha256 of the YAML's bytes")
        .isEqualTo(sha256(Files.readAllBytes(written.yaml())));
  }

  @Test
  void yamlFieldsFollowTheSpecOrder(@TempDir Path dir) throws IOException {
    WrittenReport written = write(dir, classifier.diagnose(SampleReports.escalate()));

    JsonNode tree = ReportCodec.parseYaml(Files.readString(written.yaml()));
    List<String> keys = new ArrayList<>();
    tree.fieldNames().forEachRemaining(keys::add);

    assertThat(keys).containsSubsequence("report_version", "run_id", "mode", "package", "target", "verdict",
        "exit_code", "production_changed", "gates", "backup", "apply", "verification", "rollback", "root_cause",
        "remediation", "next_action", "secrets_recorded");
    assertThat(keys.get(keys.size() - 1)).isEqualTo("secrets_recorded");
    List<String> packageKeys = new ArrayList<>();
    tree.get("package").fieldNames().forEachRemaining(packageKeys::add);
    assertThat(packageKeys).containsExactly("id", "sha256", "title", "signed_by", "authorization");
  }

  @Test
  void yamlHasNoNullsAndUtcTimestamps(@TempDir Path dir) throws IOException {
    String yaml = Files.readString(write(dir, classifier.diagnose(SampleReports.blockedAtPreflight())).yaml());

    assertThat(yaml).doesNotContain(": null", "~\n").contains("started_at: 2026-05-18T05:46:09Z")
        .contains("expires_at: 2026-05-19T06:00:00Z")
        .contains("backup:\n  status: NOT_RUN\n")
        .contains("system_identifier: \"7300411111111111111\"");
  }

  @Test
  void reportsOfAnUnknownPackageGoToTheirOwnDirectory(@TempDir Path dir) throws IOException {
    RunReport noPackage = new RunReport(SampleReports.RUN_ID, SampleReports.pass().mode(), null, null, null, 1, false,
        List.of(), null, null, null, null, null, List.of(), null, null, null);

    WrittenReport written = write(dir, noPackage);

    assertThat(written.yaml().getParent()).isEqualTo(dir.resolve(ReportWriter.UNKNOWN_PACKAGE_DIR));
    assertThat(Files.readString(written.yaml())).contains("verdict: INTERNAL_ERROR\nexit_code: 1\n");
    assertThat(ReportCodec.read(written.yaml(), SecretScanner.patternsOnly()).report().verdict())
        .as("an internal error has no verdict").isNull();
    assertThat(Files.readString(written.markdown())).startsWith("# INTERNAL ERROR: unknown package\n");
  }

  @Test
  void anInvalidInputReportSaysSo(@TempDir Path dir) throws IOException {
    RunReport invalid = new RunReport(SampleReports.RUN_ID, SampleReports.pass().mode(), SampleReports.pkg(), null, null,
        2, false, List.of(), null, null, null, null, "package.yaml:12:3: unknown check 'schema_exist'", List.of(),
        null, null, null);

    WrittenReport written = write(dir, classifier.diagnose(invalid));

    assertThat(Files.readString(written.yaml())).contains("verdict: INVALID_INPUT\nexit_code: 2\n");
    assertThat(Files.readString(written.markdown())).startsWith("# INVALID INPUT: billing-invoice-lines\n")
        .contains("> [!WARNING]\n> **INVALID_INPUT** (exit code 2): the package or the invocation is invalid")
        .contains("package.yaml:12:3: unknown check 'schema_exist'");
  }

  @Test
  void refusesARunIdThatIsNotATimestampedId(@TempDir Path dir) {
    RunReport bad = withRunId(SampleReports.pass(), "../../etc/passwd");

    assertThatThrownBy(() -> write(dir, bad)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anUnwritableReportDirectoryIsAnInternalError(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

    assertThatThrownBy(() -> write(file, SampleReports.pass()))
        .isInstanceOf(CutterException.class)
        .satisfies(e -> assertThat(((CutterException) e).exitCode()).isEqualTo(ExitCodes.INTERNAL))
        .hasMessageContaining("the report could not be written");
  }

  @Test
  void reportFilesAreCreatedPrivate(@TempDir Path dir) throws IOException {
    WrittenReport written = write(dir, SampleReports.pass());

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.yaml()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written.markdown()))).isEqualTo("rw-------");
    try (var files = Files.list(written.yaml().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
          .noneMatch(n -> n.startsWith("."));
    }
  }

  @Test
  void aSymlinkPlantedAtTheReportPathIsRefusedAndItsTargetUntouched(@TempDir Path dir) throws IOException {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "precious\n");
    Path pkgDir = Files.createDirectories(dir.resolve("reports").resolve("billing-invoice-lines"));
    Files.createSymbolicLink(pkgDir.resolve(SampleReports.RUN_ID + ".yaml"), victim);

    assertThatThrownBy(() -> write(dir.resolve("reports"), SampleReports.pass()))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("already exists");
    assertThat(Files.readString(victim)).isEqualTo("precious\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isNotEqualTo("rw-------");
  }

  @Test
  void aProbeLeavesNothingBehindAndFailsWhereNothingCanBeWritten(@TempDir Path dir) throws IOException {
    ReportWriter writer = new ReportWriter(dir.resolve("reports"), SecretScanner.patternsOnly());

    Path probed = writer.probe("billing-invoice-lines");

    assertThat(probed).isDirectory();
    try (var files = Files.list(probed)) {
      assertThat(files.toList()).isEmpty();
    }
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(() -> new ReportWriter(file, SecretScanner.patternsOnly()).probe("billing-invoice-lines"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void rowValuesInTheServerErrorAreMaskedUnlessShown(@TempDir Path dir) throws IOException {
    RunReport failed = classifier.diagnose(SampleReports.failedAtStatement7());

    WrittenReport masked = write(dir.resolve("masked"), failed);
    WrittenReport shown = new ReportWriter(dir.resolve("shown"), SecretScanner.patternsOnly(), true).write(failed);

    String maskedYaml = Files.readString(masked.yaml());
    assertThat(maskedYaml + Files.readString(masked.markdown()))
        .contains("Key (invoice_id, line_no)=(****) is duplicated.").doesNotContain("1042, 3")
        .doesNotContain("show_values");
    String shownYaml = Files.readString(shown.yaml());
    assertThat(shownYaml).contains("(1042, 3)").contains("show_values: true");
    assertThat(Files.readString(shown.markdown())).contains("(1042, 3)").contains("--show-values");
    assertThat(ReportCodec.read(shown.yaml(), SecretScanner.patternsOnly()).showValues()).isTrue();
    assertThat(ReportCodec.read(masked.yaml(), SecretScanner.patternsOnly()).showValues()).isFalse();
  }

  @Test
  void overwritesNothingButItsOwnRun(@TempDir Path dir) throws IOException {
    WrittenReport first = write(dir, SampleReports.pass());
    WrittenReport second = write(dir, withRunId(SampleReports.pass(), "20260518T054610Z-0001"));

    assertThat(first.yaml()).exists();
    assertThat(second.yaml()).exists().isNotEqualTo(first.yaml());
    try (var files = Files.list(first.yaml().getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
          "20260518T054609Z-3f2a.md", "20260518T054609Z-3f2a.yaml", "20260518T054610Z-0001.md",
          "20260518T054610Z-0001.yaml");
    }
  }

  @Test
  void jsonSummaryHasVerdictGatesAndPaths(@TempDir Path dir) throws IOException {
    WrittenReport written = write(dir, classifier.diagnose(SampleReports.blockedAtPreflight()));

    JsonNode json = new ObjectMapper().readTree(ReportCodec.summaryJson(written, SecretScanner.patternsOnly()));

    assertThat(json.get("verdict").asText()).isEqualTo("BLOCKED");
    assertThat(json.get("exit_code").asInt()).isEqualTo(3);
    assertThat(json.get("production_changed").asBoolean()).isFalse();
    assertThat(json.get("gates")).hasSize(9);
    assertThat(json.at("/gates/4/status").asText()).isEqualTo("FAIL");
    assertThat(json.at("/report/yaml").asText()).isEqualTo(written.yaml().toString());
    assertThat(json.at("/report/yaml_sha256").asText()).isEqualTo(written.yamlSha256());
  }

  @Test
  void fullJsonCarriesTheSameDocumentAsTheYaml(@TempDir Path dir) throws IOException {
    WrittenReport written = write(dir, classifier.diagnose(SampleReports.rolledBack()));

    JsonNode json = new ObjectMapper().readTree(ReportCodec.json(written.scanned()));

    assertThat(json).isEqualTo(ReportCodec.parseYaml(Files.readString(written.yaml())));
  }

  private static RunReport withRunId(RunReport r, String runId) {
    return new RunReport(runId, r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        r.gates(), r.backup(), r.apply(), r.verification(), r.rollback(), r.rootCause(), r.remediation(), r.nextAction(),
        r.started(), r.finished());
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}

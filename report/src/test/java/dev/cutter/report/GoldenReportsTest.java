package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The written YAML and Markdown of each verdict, byte for byte. After an intended change,
 * regenerate with {@code mvn -pl report -am test -Dtest=GoldenReportsTest -Dgolden.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false} and review the diff like code.
 */
class GoldenReportsTest {

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Stream<String> verdicts() {
    return SampleReports.all().keySet().stream().sorted();
  }

  static SecretScanner scanner() {
    return SecretScanner.forEnvironment(Map.of(), SampleReports.HOME);
  }

  static WrittenReport write(String name, Path dir) {
    RunReport report = new FailureClassifier().diagnose(SampleReports.all().get(name));
    return new ReportWriter(dir, scanner()).write(report);
  }

  @ParameterizedTest
  @MethodSource("verdicts")
  void yamlAndMarkdownMatchTheGoldenFiles(String name, @TempDir Path dir) throws IOException {
    WrittenReport written = write(name, dir);

    assertMatchesGolden(Files.readString(written.yaml()), name + ".yaml");
    assertMatchesGolden(Files.readString(written.markdown()), name + ".md");
  }

  @ParameterizedTest
  @MethodSource("verdicts")
  void renderingTheYamlAgainGivesTheSameMarkdown(String name, @TempDir Path dir) throws IOException {
    WrittenReport written = write(name, dir);

    ScannedReport reread = ReportCodec.read(written.yaml(), scanner());

    assertThat(ReportCodec.yaml(reread)).as("YAML survives a round trip").isEqualTo(Files.readString(written.yaml()));
    assertThat(ReportRenderer.markdown(reread)).isEqualTo(Files.readString(written.markdown()));
  }

  @Test
  void htmlOfTheBlockedReportMatchesTheGoldenFile(@TempDir Path dir) throws IOException {
    WrittenReport written = write("blocked-p1-missing-create", dir);

    assertMatchesGolden(ReportRenderer.html(ReportCodec.read(written.yaml(), scanner())), "blocked-p1-missing-create.html");
  }

  @Test
  void stdoutSummaryMatchesTheGoldenFile() throws IOException {
    RunReport report = new FailureClassifier().diagnose(SampleReports.blockedAtPreflight());
    Path dir = Path.of("cutter-reports", "billing-invoice-lines");
    WrittenReport written = new WrittenReport(dir.resolve(SampleReports.RUN_ID + ".yaml"),
        dir.resolve(SampleReports.RUN_ID + ".md"), "0".repeat(64), ScannedReport.scan(report, scanner()));

    assertMatchesGolden(ReportRenderer.textSummary(written, scanner()), "blocked-p1-missing-create.txt");
  }

  private static void assertMatchesGolden(String actual, String file) throws IOException {
    Path golden = GOLDEN.resolve(file);
    if (UPDATE) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(golden).as("golden file %s exists (generate it with -Dgolden.update=true)", golden).exists();
    assertThat(actual).as("output matches %s (regenerate with -Dgolden.update=true and review the diff)", golden)
        .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}

package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Markdown is rendered on a second thread while the YAML is: the texts are those of one thread. */
class ParallelRenderingTest {

  private final FailureClassifier classifier = new FailureClassifier();

  @Test
  void everySampleRendersExactlyAsTheRenderersDoOneAfterTheOther(@TempDir Path dir) {
    SecretScanner scanner = SampleReports.scanner();
    for (Map.Entry<String, RunReport> e : SampleReports.all().entrySet()) {
      RunReport report = classifier.diagnose(e.getValue());
      ReportWriter.Rendered r = new ReportWriter(dir, scanner).render(report);
      ScannedReport scanned = ScannedReport.scan(report, scanner, false);
      assertThat(r.yamlText()).as(e.getKey()).isEqualTo(scanner.mask(ReportCodec.yaml(scanned)));
      assertThat(r.markdownText()).as(e.getKey()).isEqualTo(scanner.mask(ReportRenderer.markdown(scanned)));
    }
  }

  @Test
  void theWarmUpWritesYamlThroughTheReportsMapper() {
    assertThat(ReportCodec.warm()).isEqualTo("""
        text: |-
          line one
          line two
        number: 1
        flag: true
        none: null
        list:
          - a
          - b: 2.5
        """);
  }
}

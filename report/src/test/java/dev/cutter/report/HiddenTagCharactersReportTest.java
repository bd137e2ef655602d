package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hidden characters outside the Basic Multilingual Plane: the Unicode tag characters (U+E0000 to
 * U+E007F, format characters every renderer hides) spell invisible ASCII after a visible name
 * ("ASCII smuggling"), which a reader of the page never sees but a tool reading the report does.
 * Every format of the report shows them as escapes and reads back the same text.
 */
class HiddenTagCharactersReportTest {

  /** "orders" followed by the tag characters spelling "DROP", then a visible "!" (U+E0044 U+E0052 U+E004F U+E0050). */
  static final String NAME = "orders" + new String(Character.toChars(0xE0044)) + new String(Character.toChars(0xE0052))
      + new String(Character.toChars(0xE004F)) + new String(Character.toChars(0xE0050)) + "!";

  private static RunReport report() {
    RunReport r = SampleReports.blockedAtPreflight();
    List<GateResult> gates = List.of(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null, List.of(
        CheckResult.fail("sql#1", new Cause.CheckQueryDiffers("sql#1", NAME, "1"), NAME, "1", NAME))));
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        gates, null, null, null, null, "root cause names " + NAME, List.of(), "look at " + NAME, r.started(), r.finished());
  }

  private static ScannedReport scanned() {
    return ScannedReport.scan(report(), SecretScanner.patternsOnly());
  }

  private static boolean anyTag(String text) {
    return text.codePoints().anyMatch(cp -> cp >= 0xE0000 && cp <= 0xE007F);
  }

  @Test
  void yamlMarkdownAndHtmlShowTagCharactersAsEscapes() {
    String yaml = ReportCodec.yaml(scanned());
    String md = ReportRenderer.markdown(scanned());
    String html = ReportRenderer.html(scanned());

    assertThat(anyTag(yaml)).as(yaml).isFalse();
    assertThat(anyTag(md)).as(md).isFalse();
    assertThat(anyTag(html)).as(html).isFalse();
    assertThat(yaml).contains("orders\\U000e0044\\U000e0052\\U000e004f\\U000e0050!");
    assertThat(html).contains("orders\\U000e0044\\U000e0052\\U000e004f\\U000e0050!");
    assertThat(ReportCodec.parseYaml(yaml)).as("the escapes read back as the characters").isEqualTo(scanned().treeToRead());
  }

  @Test
  void jsonAndSarifShowTagCharactersAsEscapesAndReadBackTheSameText() throws Exception {
    String json = ReportCodec.json(scanned());
    String sarif = SarifLog.of(scanned(), SarifLogTest.WHERE).json("0.1.0");

    assertThat(anyTag(json)).as(json).isFalse();
    assertThat(anyTag(sarif)).as(sarif).isFalse();
    assertThat(json).contains("orders\\udb40\\udc44\\udb40\\udc52\\udb40\\udc4f\\udb40\\udc50!");
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)).as("the escapes read back")
        .isEqualTo(scanned().treeToRead());
  }

  @Test
  void theTerminalSummaryShowsTagCharactersAsEscapes() {
    String summary = ReportRenderer.textSummary(new WrittenReport(null, null, null, scanned()), SecretScanner.patternsOnly());

    assertThat(anyTag(summary)).as(summary).isFalse();
    assertThat(summary).contains("orders\\U000e0044\\U000e0052\\U000e004f\\U000e0050!");
  }
}

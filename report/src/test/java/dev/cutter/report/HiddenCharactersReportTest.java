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
 * A catalog name or a statement holding a bidi control, a zero-width character or a line separator
 * never reaches a report raw (Trojan Source): YAML escapes it inside a double-quoted scalar that
 * reads back as the same text, Markdown and HTML show the escape.
 */
class HiddenCharactersReportTest {

  /** An object name that reads "gov.invoices_exe.txt"-like reversed, with an isolate, a zero-width space and a line separator. */
  static final String NAME = "gov.\u202Etxt.exe\u202C \u2066x\u2069\u200By\u2028z\u2029";

  /** A statement over two lines whose comment hides code behind a right-to-left override. */
  static final String STATEMENT = "select 1; -- \u202E ;)1(pleh_tset tceles\nselect 2;";

  private static RunReport report() {
    RunReport r = SampleReports.blockedAtPreflight();
    List<GateResult> gates = List.of(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null, List.of(
        CheckResult.fail("sql#1", new Cause.CheckQueryDiffers("sql#1", NAME, "1"), NAME, "1", NAME),
        CheckResult.fail("sql#2", new Cause.CheckQueryDiffers("sql#2", "x", "y"), "x", "y", STATEMENT))));
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        gates, null, null, null, null, "root cause names " + NAME, List.of(), STATEMENT, r.started(), r.finished());
  }

  private static ScannedReport scanned() {
    return ScannedReport.scan(report(), SecretScanner.patternsOnly());
  }

  /** Whether {@code text} holds a format character, a line or paragraph separator, or a control but tab and line breaks. */
  private static boolean anyHidden(String text) {
    return text.codePoints().anyMatch(cp -> Character.getType(cp) == Character.FORMAT
        || cp == 0x2028 || cp == 0x2029 || cp == 0x85 || (Character.getType(cp) == Character.CONTROL && cp != '\n'));
  }

  @Test
  void yamlEscapesEveryHiddenCharacterAndReadsBackTheSameText() {
    String yaml = ReportCodec.yaml(scanned());

    assertThat(anyHidden(yaml)).as(yaml).isFalse();
    assertThat(yaml).contains("gov.\\u202etxt.exe\\u202c \\u2066x\\u2069\\u200by\\Lz\\P")
        .contains("-- \\u202e ;)1(pleh_tset tceles\\nselect 2;");
    assertThat(ReportCodec.parseYaml(yaml)).as("the escapes read back as the characters")
        .isEqualTo(scanned().treeToRead());
    assertThat(ReportCodec.yamlByMapper(scanned().treeToRead())).isEqualTo(yaml);
  }

  @Test
  void markdownShowsEveryHiddenCharacterAsItsEscape() {
    String md = ReportRenderer.markdown(scanned());

    assertThat(anyHidden(md)).as(md).isFalse();
    // in text the escape's backslash is itself escaped, so that the page shows \u202e; in a code block it is literal
    assertThat(md).contains("| gov.\\\\u202etxt.exe\\\\u202c \\\\u2066x\\\\u2069\\\\u200by\\\\u2028z\\\\u2029 |")
        .contains("```text\nselect 1; -- \\u202e ;)1(pleh_tset tceles\nselect 2;\n```");
  }

  @Test
  void htmlShowsEveryHiddenCharacterAsItsEscape() {
    String html = ReportRenderer.html(scanned());

    assertThat(anyHidden(html)).as(html).isFalse();
    assertThat(html).contains("gov.\\u202etxt.exe\\u202c \\u2066x\\u2069\\u200by\\u2028z\\u2029")
        .contains("-- \\u202e ;)1(pleh_tset tceles");
  }

  @Test
  void jsonAndSarifEscapeEveryHiddenCharacterAndReadBackTheSameText() throws Exception {
    String json = ReportCodec.json(scanned());
    String sarif = SarifLog.of(scanned(), SarifLogTest.WHERE).json("0.1.0");

    assertThat(anyHidden(json)).as(json).isFalse();
    assertThat(anyHidden(sarif)).as(sarif).isFalse();
    assertThat(json).contains("gov.\\u202etxt.exe\\u202c \\u2066x\\u2069\\u200by\\u2028z\\u2029");
    assertThat(sarif).contains("gov.\\u202etxt.exe\\u202c");
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)).as("the escapes read back")
        .isEqualTo(scanned().treeToRead());
  }

  @Test
  void theTerminalSummaryShowsEveryHiddenCharacterAsItsEscape() {
    String summary = ReportRenderer.textSummary(new WrittenReport(null, null, null, scanned()), SecretScanner.patternsOnly());

    assertThat(anyHidden(summary)).as(summary).isFalse();
    assertThat(summary).contains("sql#1: gov.\\u202etxt.exe\\u202c \\u2066x\\u2069\\u200by\\u2028z\\u2029")
        .contains("next action: select 1; -- \\u202e ;)1(pleh_tset tceles select 2;");
  }
}

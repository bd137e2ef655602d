package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.Doc.Code;
import dev.cutter.report.Doc.Line;
import dev.cutter.report.Doc.Paragraph;
import dev.cutter.report.Doc.TableBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** Report text never turns into Markdown or HTML markup, and tables keep their shape. */
class MarkdownRenderingTest {

  static final String NASTY = "a | b `c` *d* _e_ <script>alert(1)</script> [x](y) ~f~ \\g";

  private static RunReport reportWithNastyText() {
    RunReport r = SampleReports.blockedAtPreflight();
    List<GateResult> gates = List.of(new GateResult("P1_preflight", GateStatus.FAIL, null, null, null, List.of(
        CheckResult.fail("sql#1", new dev.cutter.core.cause.Cause.CheckQueryDiffers("sql#1", NASTY, "1"), NASTY, "1. not a list", "# not a heading\n- nor a list item"),
        CheckResult.fail("sql#2", new dev.cutter.core.cause.Cause.CheckQueryDiffers("sql#2", "x", "y"), "x", "y", "select `a` from t where s = '```' and the text goes on" + ".".repeat(300)))));
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target(), r.verdict(), r.exitCode(), r.productionChanged(),
        gates, null, null, null, null, "# root cause with " + NASTY, List.of(), "1. do this", r.started(), r.finished());
  }

  private static String markdown() {
    return ReportRenderer.markdown(ScannedReport.scan(reportWithNastyText(), SecretScanner.patternsOnly()));
  }

  @Test
  void escapesPipesBackticksAndEmphasisInTableCells() {
    String md = markdown();

    assertThat(md).contains("| `sql#1` | **FAIL** | a \\| b \\`c\\` \\*d\\* \\_e\\_ \\<script\\>alert(1)\\</script\\>"
        + " \\[x\\](y) \\~f\\~ \\\\g | 1. not a list | (see below) |")
        .as("a multi-line message goes below the table")
        .contains("sql#1 message:\n\n```text\n# not a heading\n- nor a list item\n```");
  }

  @Test
  void putsLongMessagesInCodeBlocksFencedLongerThanTheirBackticks() {
    String md = markdown();

    assertThat(md).contains("| `sql#2` | **FAIL** | x | y | (see below) |")
        .contains("sql#2 message:\n\n````text\nselect `a` from t where s = '```'");
  }

  @Test
  void escapesLineStartsThatWouldBecomeHeadingsOrLists() {
    String md = markdown();

    assertThat(md).contains("\n\\# root cause with a \\| b").contains("**Next action:** 1. do this");
    assertThat(MarkdownEmitter.emit(List.of(new Paragraph(Line.plain("1. first\n- second\n+ third")))))
        .isEqualTo("1\\. first  \n\\- second  \n\\+ third\n");
  }

  @Test
  void codeSpansInTablesEscapePipesAndGrowTheirFence() {
    String md = MarkdownEmitter.emit(List.of(new TableBuilder("a").row(Line.of(Doc.code("x|`y`"))).build()));

    assertThat(md).isEqualTo("| a |\n|---|\n| `` x\\|`y` `` |\n");
  }

  @Test
  void htmlEscapesEverything() {
    String html = ReportRenderer.html(ScannedReport.scan(reportWithNastyText(), SecretScanner.patternsOnly()));

    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script");
    assertThat(HtmlEmitter.emit("t", List.of(new Code(null, "a < b && c > \"d\"")))).contains(
        "<pre><code>a &lt; b &amp;&amp; c &gt; &quot;d&quot;</code></pre>");
  }

  static boolean cmarkGfmInstalled() {
    try {
      Process p = new ProcessBuilder("cmark-gfm", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Renders with the reference GFM implementation (when installed) and checks what a reader sees. */
  @Test
  @EnabledIf("cmarkGfmInstalled")
  void githubFlavouredMarkdownShowsTheTextLiterally(@TempDir Path dir) throws Exception {
    Path md = Files.writeString(dir.resolve("r.md"), markdown());
    Process p = new ProcessBuilder("cmark-gfm", "-e", "table", "-e", "strikethrough", "-e", "autolink",
        md.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String html = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(html).doesNotContain("<em>", "<del>", "<script", "<a href", "<h1>#")
        .contains("a | b <code>c</code>".replace("<code>c</code>", "`c`"))
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("<h1>BLOCKED: billing-invoice-lines</h1>")
        .contains("<p># root cause with a | b");
    Matcher rows = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL).matcher(html);
    int checkRows = 0;
    while (rows.find()) {
      String row = rows.group(1);
      if (row.contains("sql#")) {
        checkRows++;
        assertThat(row.split("<td", -1)).as("five cells in %s", row).hasSize(6);
      }
    }
    assertThat(checkRows).isEqualTo(2);
  }
}

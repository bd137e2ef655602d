package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12.6 / 13.6: times in the YAML and JSON, the Markdown's Timings section and the HTML's timeline. */
class TimingsReportTest {

  /** The PASS sample with times: every gate that ran, seven statements (one with a password), the locks. */
  static RunReport timed() {
    RunReport base = SampleReports.pass();
    List<GateResult> gates = new ArrayList<>();
    long ms = 3;
    for (GateResult g : base.gates()) {
      gates.add(g.status() == dev.cutter.core.run.GateStatus.NOT_RUN ? g
          : g.withDuration(g.id().equals("apply") ? 900L : ms++));
    }
    List<StatementTiming> ran = List.of(
        new StatementTiming(1, 1, "create table billing.invoice_line (id bigint)", 40),
        new StatementTiming(2, 4, "create role audit login password 'Tr0ub4dor&3-horse'", 2),
        new StatementTiming(3, 6, "create index on billing.invoice_line (id)", 700),
        new StatementTiming(4, 8, "alter table billing.invoice add column total numeric", 15),
        new StatementTiming(5, 9, "analyze billing.invoice_line", 90),
        new StatementTiming(6, 12, "update billing.invoice set total = 0", 15),
        new StatementTiming(7, 14, "comment on table billing.invoice is 'x'", 1));
    return new RunReport(base.runId(), base.mode(), base.pkg(), base.target(), base.verdict(), base.exitCode(),
        base.productionChanged(), gates, base.backup(), base.apply(), base.verification(), base.rollback(),
        base.rootCause(), base.remediation(), base.nextAction(), base.started(), base.finished(), base.applySettings())
        .withStatements(new StatementTimings(ran, 880L));
  }

  @Test
  void yamlAndJsonCarryEveryGatesDurationAndTheStatements(@TempDir Path dir) {
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner()).write(timed());
    JsonNode yaml = ReportCodec.parseYaml(ReportCodec.yaml(w.scanned()));
    JsonNode json = ReportCodec.parseYaml(ReportCodec.json(w.scanned()));
    for (JsonNode tree : List.of(yaml, json)) {
      assertThat(tree.path("gates").findValuesAsText("id")).contains("apply");
      tree.path("gates").forEach(g -> assertThat(g.has("duration_ms")).as(g.path("id").asText())
          .isEqualTo(!"NOT_RUN".equals(g.path("status").asText())));
      assertThat(tree.at("/gates/0/duration_ms").asLong()).isEqualTo(3);
      assertThat(tree.at("/statements/locks_held_ms").asLong()).isEqualTo(880);
      assertThat(tree.at("/statements/ran").size()).isEqualTo(7);
      assertThat(tree.at("/statements/ran/2/line").asInt()).isEqualTo(6);
      assertThat(tree.at("/statements/ran/2/duration_ms").asLong()).isEqualTo(700);
      assertThat(tree.at("/statements/ran/1/text").asText()).as("secret-scanned")
          .isEqualTo("create role audit login password '****'");
    }
  }

  @Test
  void theYamlReadsBackWithItsTimes(@TempDir Path dir) {
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner()).write(timed());
    RunReport back = ReportCodec.read(w.yaml(), SampleReports.scanner()).report();
    assertThat(back.gates()).extracting(GateResult::durationMs).containsExactlyElementsOf(
        w.scanned().report().gates().stream().map(GateResult::durationMs).toList());
    assertThat(back.statements()).isEqualTo(w.scanned().report().statements());
  }

  @Test
  void markdownListsTheFiveSlowestStatementsAndTheLocks(@TempDir Path dir) {
    String md = ReportRenderer.markdown(new ReportWriter(dir, SampleReports.scanner()).write(timed()).scanned());
    String section = md.substring(md.indexOf("## Timings"));
    assertThat(section).contains("| apply | PASS | 900 ms |")
        .contains("7 statements ran in 863 ms; the transaction held its locks on pre-existing relations for 880 ms");
    Matcher rows = Pattern.compile("(?m)^\\| (\\d) \\| (\\d+) \\| `[^`]*` \\| (\\d+) ms \\|$").matcher(section);
    List<String> order = new ArrayList<>();
    while (rows.find()) {
      order.add(rows.group(1));
    }
    assertThat(order).as("slowest first; ties in statement order; five").containsExactly("3", "5", "1", "4", "6");
  }

  @Test
  void htmlOpensWithTheVerdictThenOneBarPerGate(@TempDir Path dir) {
    RunReport r = timed();
    String html = ReportRenderer.html(new ReportWriter(dir, SampleReports.scanner()).write(r).scanned());
    int banner = html.indexOf("<div class=\"callout");
    int svg = html.indexOf("<svg");
    assertThat(banner).isPositive();
    assertThat(svg).as("right after the verdict banner").isGreaterThan(banner).isLessThan(html.indexOf("<table"));
    assertThat(count(html, "<g class=\"gate\"")).isEqualTo(r.gates().size());
    assertThat(html).contains("<g class=\"gate\" data-gate=\"apply\" data-status=\"PASS\">")
        .contains(">900 ms, locks held 880 ms</text>")
        .contains("<g class=\"gate\" data-gate=\"rollback\" data-status=\"NOT_RUN\">")
        .doesNotContain("<script").doesNotContain("http://www.w3.org/1999/xlink").doesNotContain("href=");
    // the apply bar fills the scale (the longest gate); the locks' stripe is 880/900 of it (372 px), right-aligned
    assertThat(html).contains("<rect x=\"190\" y=\"").contains("width=\"380\" height=\"16\" rx=\"2\" fill=\"#1a7f37\"/>")
        .contains("<rect class=\"locks-held\" x=\"198\" y=\"190\" width=\"372\"");
  }

  @Test
  void aFailedApplyKeepsItsStatementsAndShowsTheLocksOnItsRedBar(@TempDir Path dir) {
    RunReport failed = SampleReports.failedAtStatement7();
    List<GateResult> gates = failed.gates().stream().map(g -> g.status() == dev.cutter.core.run.GateStatus.NOT_RUN ? g
        : g.withDuration(g.id().equals("apply") ? 2400L : 10L)).toList();
    RunReport r = new RunReport(failed.runId(), failed.mode(), failed.pkg(), failed.target(), failed.verdict(),
        failed.exitCode(), failed.productionChanged(), gates, failed.backup(), failed.apply(), failed.verification(),
        failed.rollback(), failed.rootCause(), failed.remediation(), failed.nextAction(), failed.started(),
        failed.finished(), failed.applySettings()) .withStatements(new StatementTimings(List.of(
            new StatementTiming(1, 3, "create table billing.invoice_line (id bigint)", 12),
            new StatementTiming(7, 31, "create unique index invoice_line_number_key on billing.invoice_line (id)", 2100)),
            2250L));
    ScannedReport s = new ReportWriter(dir, SampleReports.scanner()).write(r).scanned();
    assertThat(s.report().statements()).as("masking row values keeps the statements").isEqualTo(r.statements());
    assertThat(ReportRenderer.html(s)).contains("<g class=\"gate\" data-gate=\"apply\" data-status=\"FAIL\">")
        .contains("fill=\"#cf222e\"/><rect class=\"locks-held\" x=\"214\" y=\"190\" width=\"356\"")
        .contains(">2400 ms, locks held 2250 ms</text>");
  }

  @Test
  void aReportWithoutTimesHasNoTimelineAndNoTimingsSection(@TempDir Path dir) {
    ScannedReport s = new ReportWriter(dir, SampleReports.scanner()).write(SampleReports.pass()).scanned();
    assertThat(ReportRenderer.html(s)).doesNotContain("<svg");
    assertThat(ReportRenderer.markdown(s)).doesNotContain("## Timings");
  }

  private static int count(String s, String what) {
    return s.split(Pattern.quote(what), -1).length - 1;
  }
}

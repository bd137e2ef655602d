package dev.cutter.report;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.text.YamlText;
import java.util.Locale;

/** Renders a scanned report for people: Markdown (the reviewer's file), HTML, and the stdout summary. */
public final class ReportRenderer {

  private static final int SUMMARY_WIDTH = 100;

  private ReportRenderer() {}

  /** The reviewer's Markdown: banner, run, root cause, one section per gate, remediation. */
  public static String markdown(ScannedReport report) {
    return MarkdownEmitter.emit(ReportDocument.build(report));
  }

  /** The same content as one self-contained, escaped HTML page. */
  public static String html(ScannedReport report) {
    return HtmlEmitter.emit(ReportDocument.title(report.report()), ReportDocument.build(report),
        Timeline.svg(report.report()));
  }

  /**
   * The stdout summary: one line per gate with its status (and why, when it failed), the next
   * action, then the verdict and the two report paths last.
   */
  public static String textSummary(WrittenReport written, SecretScanner scanner) {
    RunReport r = written.scanned().report();
    int width = r.gates().stream().mapToInt(g -> g.id().length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    for (GateResult g : r.gates()) {
      out.append(String.format(Locale.ROOT, "%-" + width + "s  %s", g.id(), g.status()));
      String why = g.status() == GateStatus.FAIL ? failureLine(g) : null;
      if (why != null) {
        out.append("  ").append(why);
      }
      out.append('\n');
    }
    if (r.nextAction() != null) {
      out.append("next action: ").append(oneLine(r.nextAction(), Integer.MAX_VALUE)).append('\n');
    }
    out.append(verdictLine(r)).append('\n');
    if (written.yaml() == null) {
      out.append("report: not written; printed in full on stderr\n");
    } else {
      out.append("report: ").append(scanner.tildeHome(written.yaml().toString())).append('\n');
      out.append("report: ").append(scanner.tildeHome(written.markdown().toString())).append('\n');
    }
    return out.toString();
  }

  /**
   * E.g. {@code verdict: BLOCKED (exit 3), production changed: no}; a PASS with nothing verified
   * (verification status NOT_VERIFIED) ends in {@code , not verified}.
   */
  public static String verdictLine(RunReport r) {
    boolean notVerified = r.verdict() == dev.cutter.core.Verdict.PASS && r.verification() != null
        && r.verification().notVerified();
    return "verdict: " + ReportTree.verdictName(r) + " (exit "
        + r.exitCode() + "), production changed: " + (r.productionChanged() ? "yes" : "no")
        + (notVerified ? ", not verified" : "");
  }

  private static String failureLine(GateResult g) {
    for (CheckResult c : g.checks()) {
      if (c.status() != null && c.status().blocks()) {
        String detail = c.message() != null ? c.message()
            : "expected " + c.expected() + ", found " + c.actual();
        return oneLine(c.id() + ": " + detail, SUMMARY_WIDTH);
      }
    }
    return g.message() == null ? null : oneLine(g.message(), SUMMARY_WIDTH);
  }

  /** {@code text} on one line, a character that hides or reorders text shown as its escape, cut at {@code max}. */
  private static String oneLine(String text, int max) {
    String s = YamlText.visibleKeepingBreaks(text).strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}

package dev.cutter.report;

import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.online.OnlineInfo.Cleanup;
import dev.cutter.core.online.OnlineInfo.StatementRun;
import dev.cutter.report.Doc.Block;
import dev.cutter.report.Doc.Heading;
import dev.cutter.report.Doc.Line;
import dev.cutter.report.Doc.Paragraph;
import dev.cutter.report.Doc.TableBuilder;
import java.util.ArrayList;
import java.util.List;

/** The report's {@code online} section (the online step) as Markdown blocks (the tree is {@link ReportTree}'s). */
final class OnlineSection {

  private OnlineSection() {}

  /** The reviewer's view: what ran after the commit, statement by statement, and the INVALID index cleanup. */
  static List<Block> blocks(OnlineInfo o) {
    if (o == null) {
      return List.of();
    }
    List<Block> blocks = new ArrayList<>();
    blocks.add(new Heading(2, "Online step"));
    blocks.add(new Paragraph(Line.plain(o.statementsDone() + " of " + o.statementsTotal() + " statements done, each in"
        + " its own autocommit (lock_timeout " + o.lockTimeout() + ", statement_timeout " + o.statementTimeout() + ")"
        + (o.refusal() == null ? "." : "; the step did not start: " + o.refusal()))));
    TableBuilder t = new TableBuilder("#", "line", "statement", "status", "duration", "error");
    for (StatementRun s : o.statements()) {
      t.row(Line.plain(String.valueOf(s.index())), Line.plain(String.valueOf(s.line())), Line.plain(s.summary()),
          Line.plain(s.status().name()), Line.plain(s.durationMs() == null ? "" : s.durationMs() + " ms"),
          Line.plain(s.message() == null ? "" : s.message() + (s.sqlstate() == null ? "" : " (SQLSTATE " + s.sqlstate() + ")")));
    }
    blocks.add(t.build());
    if (!o.cleanup().isEmpty()) {
      TableBuilder c = new TableBuilder("INVALID index left by the failed build", "status", "why not dropped");
      for (Cleanup x : o.cleanup()) {
        c.row(Line.plain(x.index()), Line.plain(x.status().name()), Line.plain(x.message() == null ? "" : x.message()));
      }
      blocks.add(c.build());
    }
    return blocks;
  }
}

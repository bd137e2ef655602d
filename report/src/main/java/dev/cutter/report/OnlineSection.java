package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/** The report's {@code online} section (the online step): as a tree both ways, and as Markdown blocks. */
final class OnlineSection {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OnlineSection() {}

  /** The section as written in YAML and JSON. */
  static ObjectNode node(OnlineInfo o) {
    ObjectNode n = F.objectNode();
    n.put("status", o.outcome().name());
    n.put("statements_total", o.statementsTotal());
    n.put("statements_done", o.statementsDone());
    n.put("lock_timeout", o.lockTimeout());
    n.put("statement_timeout", o.statementTimeout());
    if (o.refusal() != null) {
      n.put("refusal", o.refusal());
    }
    ArrayNode statements = n.putArray("statements");
    for (StatementRun s : o.statements()) {
      ObjectNode x = statements.addObject();
      x.put("index", s.index());
      x.put("line", s.line());
      x.put("summary", s.summary());
      x.put("status", s.status().name());
      if (s.durationMs() != null) {
        x.put("duration_ms", s.durationMs());
      }
      if (s.sqlstate() != null) {
        x.put("sqlstate", s.sqlstate());
      }
      if (s.message() != null) {
        x.put("message", s.message());
      }
    }
    if (!o.cleanup().isEmpty()) {
      ArrayNode cleanup = n.putArray("invalid_index_cleanup");
      for (Cleanup c : o.cleanup()) {
        ObjectNode x = cleanup.addObject();
        x.put("index", c.index());
        x.put("status", c.status().name());
        if (c.message() != null) {
          x.put("message", c.message());
        }
      }
    }
    return n;
  }

  /** The section read back; null when the report has none. */
  static OnlineInfo read(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new ReportTree.ReportFormatException("online: expected a mapping");
    }
    List<StatementRun> statements = new ArrayList<>();
    for (JsonNode s : n.path("statements")) {
      statements.add(new StatementRun(s.path("index").asInt(), s.path("line").asInt(), text(s, "summary"),
          value(OnlineInfo.RunStatus.class, s, "status"), s.hasNonNull("duration_ms") ? s.get("duration_ms").asLong() : null,
          text(s, "sqlstate"), text(s, "message")));
    }
    List<Cleanup> cleanup = new ArrayList<>();
    for (JsonNode c : n.path("invalid_index_cleanup")) {
      cleanup.add(new Cleanup(text(c, "index"), value(OnlineInfo.CleanupStatus.class, c, "status"), text(c, "message")));
    }
    return new OnlineInfo(value(OnlineInfo.Outcome.class, n, "status"), n.path("statements_total").asInt(),
        n.path("statements_done").asInt(), text(n, "lock_timeout"), text(n, "statement_timeout"), statements, cleanup,
        text(n, "refusal"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static <E extends Enum<E>> E value(Class<E> type, JsonNode n, String field) {
    String v = text(n, field);
    try {
      return Enum.valueOf(type, v == null ? "" : v);
    } catch (IllegalArgumentException e) {
      throw new ReportTree.ReportFormatException("online: " + field + ": unexpected value '" + v + "'");
    }
  }

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

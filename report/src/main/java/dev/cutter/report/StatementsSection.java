package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's {@code statements} section: the statements the apply ran, each with its index,
 * line, first line of text and {@code duration_ms}, and {@code locks_held_ms}. Written only when
 * an artifact ran.
 */
final class StatementsSection {

  static final String FIELD = "statements";

  private StatementsSection() {}

  static void write(ObjectNode report, StatementTimings t) {
    if (t == null) {
      return;
    }
    ObjectNode n = report.putObject(FIELD);
    if (t.locksHeldMs() != null) {
      n.put("locks_held_ms", t.locksHeldMs());
    }
    ArrayNode ran = n.putArray("ran");
    for (StatementTiming s : t.ran()) {
      ObjectNode o = ran.addObject().put("index", s.index()).put("line", s.line());
      if (s.text() != null) {
        o.put("text", s.text());
      }
      o.put("duration_ms", s.durationMs());
    }
  }

  static StatementTimings read(JsonNode report) {
    JsonNode n = report.get(FIELD);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isObject()) {
      throw new ReportTree.ReportFormatException(FIELD + ": expected a mapping");
    }
    List<StatementTiming> ran = new ArrayList<>();
    JsonNode list = n.path("ran");
    if (!list.isMissingNode() && !list.isArray()) {
      throw new ReportTree.ReportFormatException(FIELD + ".ran: expected a list");
    }
    for (JsonNode s : list) {
      Long ms = ReportTree.optionalLong(s, "duration_ms");
      ran.add(new StatementTiming(ReportTree.requiredIntOf(s, "index"), ReportTree.requiredIntOf(s, "line"),
          ReportTree.textOf(s, "text"), ms == null ? 0 : ms));
    }
    return new StatementTimings(ran, ReportTree.optionalLong(n, "locks_held_ms"));
  }
}

package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.lock.LockMode;
import dev.cutter.core.lock.LockPlan;
import dev.cutter.core.lock.LockPlan.RelationHold;
import dev.cutter.core.lock.LockPlan.StatementLocks;
import dev.cutter.core.lock.MeasuredLock;
import java.util.ArrayList;
import java.util.List;

/**
 * The report's {@code lock_plan} section, both ways: one entry per rehearsal that measured its
 * locks, each with its summary per pre-existing relation and its statements that newly held locks.
 * Times are milliseconds with microsecond precision.
 */
final class LockPlanTree {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private LockPlanTree() {}

  static ArrayNode toNode(List<LockPlan> plans) {
    ArrayNode a = F.arrayNode();
    for (LockPlan p : plans) {
      ObjectNode n = a.addObject();
      n.put("source", p.source().yamlName());
      n.put("file", p.file());
      n.put("statements", p.statements());
      n.put("executed", p.executed());
      n.put("complete", p.complete());
      if (p.note() != null) {
        n.put("note", p.note());
      }
      ArrayNode summary = n.putArray("summary");
      for (RelationHold h : p.summary()) {
        ObjectNode o = summary.addObject();
        o.put("relation", h.relation());
        o.put("kind", h.kind());
        o.put("strongest", h.strongest().pgName());
        o.put("blocks", h.strongest().blocks());
        o.put("taken_at", h.takenAt());
        if (h.takenThrough() != h.takenAt()) {
          o.put("taken_through", h.takenThrough());
        }
        o.put("line", h.line());
        o.put("held_statements", h.heldStatements());
        o.put("held_ms", millis(h.heldMicros()));
        putNullable(o, "size_bytes", h.sizeBytes());
        putNullable(o, "estimated_rows", h.estimatedRows());
        o.put("rewritten", h.rewritten());
      }
      ArrayNode per = n.putArray("per_statement");
      for (StatementLocks s : p.perStatement()) {
        ObjectNode o = per.addObject();
        o.put("index", s.index());
        if (s.span()) {
          o.put("through", s.through());
        }
        o.put("line", s.line());
        o.put("duration_ms", millis(s.durationMicros()));
        ArrayNode locks = o.putArray("locks");
        for (MeasuredLock l : s.locks()) {
          ObjectNode m = locks.addObject();
          m.put("relation", l.relation());
          m.put("kind", l.kind());
          m.put("mode", l.mode().pgName());
          m.put("pre_existing", l.preExisting());
          putNullable(m, "size_bytes", l.sizeBytes());
          putNullable(m, "estimated_rows", l.estimatedRows());
          m.put("rewritten", l.rewritten());
        }
      }
    }
    return a;
  }

  /** The plans of a report read back; null when it has no {@code lock_plan}. */
  static List<LockPlan> read(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new ReportTree.ReportFormatException("lock_plan: expected a list");
    }
    List<LockPlan> out = new ArrayList<>();
    for (JsonNode n : v) {
      List<RelationHold> summary = new ArrayList<>();
      for (JsonNode o : n.path("summary")) {
        summary.add(new RelationHold(text(o, "relation"), text(o, "kind"), mode(o, "strongest"), o.path("taken_at").asInt(),
            o.path("line").asInt(), o.path("held_statements").asInt(), micros(o.path("held_ms")),
            o.hasNonNull("size_bytes") ? o.get("size_bytes").asLong() : null,
            o.hasNonNull("estimated_rows") ? o.get("estimated_rows").asDouble() : null, o.path("rewritten").asBoolean(),
            o.hasNonNull("taken_through") ? o.get("taken_through").asInt() : o.path("taken_at").asInt()));
      }
      List<StatementLocks> per = new ArrayList<>();
      for (JsonNode o : n.path("per_statement")) {
        List<MeasuredLock> locks = new ArrayList<>();
        for (JsonNode m : o.path("locks")) {
          locks.add(new MeasuredLock(text(m, "relation"), text(m, "kind"), mode(m, "mode"),
              m.path("pre_existing").asBoolean(), m.hasNonNull("size_bytes") ? m.get("size_bytes").asLong() : null,
              m.hasNonNull("estimated_rows") ? m.get("estimated_rows").asDouble() : null, m.path("rewritten").asBoolean()));
        }
        per.add(new StatementLocks(o.path("index").asInt(), o.path("line").asInt(), micros(o.path("duration_ms")), locks,
            o.hasNonNull("through") ? o.get("through").asInt() : o.path("index").asInt()));
      }
      LockPlan.Source source;
      try {
        source = LockPlan.Source.ofYamlName(text(n, "source"));
      } catch (IllegalArgumentException e) {
        throw new ReportTree.ReportFormatException("lock_plan.source: unknown value '" + text(n, "source") + "'");
      }
      out.add(new LockPlan(source, text(n, "file"), n.path("statements").asInt(), n.path("executed").asInt(),
          n.path("complete").asBoolean(), text(n, "note"), per, summary));
    }
    return out;
  }

  private static LockMode mode(JsonNode n, String field) {
    String name = text(n, field);
    return LockMode.ofPgName(name).orElseThrow(() -> new ReportTree.ReportFormatException(
        "lock_plan: " + field + ": unknown lock mode '" + name + "'"));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }

  private static long micros(JsonNode ms) {
    return Math.round(ms.asDouble() * 1000);
  }

  private static void putNullable(ObjectNode o, String field, Long v) {
    if (v != null) {
      o.put(field, v);
    }
  }

  private static void putNullable(ObjectNode o, String field, Double v) {
    if (v != null) {
      o.put(field, v);
    }
  }
}

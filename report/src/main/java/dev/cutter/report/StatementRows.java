package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.util.List;

/**
 * The rows of {@code statements.ran} (one per statement an apply ran: thousands in a large
 * change) kept out of the report's document tree while it is scanned, read back and laid out as
 * YAML: the tree holds an empty list where they stand, the scan masks each row's text where the
 * tree's scan would have reached it (the same findings, in the same order), and {@link BlockYaml}
 * writes the rows from the masked records where the list stands. The text is the one the tree
 * would give ({@code report: StatementRowsTest} holds the two paths against each other); the tree
 * itself is made whole only when a caller reads it ({@link #into}).
 */
final class StatementRows {

  /** The fields of a row as {@link ReportTree} spells them, in its order. */
  static final String INDEX = "index";
  static final String LINE = "line";
  static final String TEXT = "text";
  static final String DURATION = "duration_ms";
  static final List<String> KEYS = List.of(INDEX, LINE, TEXT, DURATION);

  /** How far the rows' indicators (and the committed numbers') stand in the YAML: two levels below the root. */
  static final int INDENT = 4;

  /**
   * The empty list in the tree where the rows stand, and the rows, their texts masked; the empty
   * list where {@code apply.committed_statements} stands and its numbers (null and empty when the
   * tree holds them); the rows' and the numbers' YAML at {@link #INDENT} when it was written ahead
   * ({@link RowsAhead}), else null.
   */
  record Streamed(ArrayNode at, List<StatementTiming> ran, ArrayNode committedAt, List<Integer> committed,
      String block, String committedBlock) {

    Streamed(ArrayNode at, List<StatementTiming> ran, ArrayNode committedAt, List<Integer> committed) {
      this(at, ran, committedAt, committed, null, null);
    }
  }

  private StatementRows() {}

  /** Whether {@code report} has rows to keep out of its tree. */
  static boolean applies(RunReport report) {
    return report.statements() != null && !report.statements().ran().isEmpty();
  }

  /** {@code report} without its rows (the locks' time kept): what the tree is made of. */
  static RunReport withoutRows(RunReport report) {
    return report.withStatements(new StatementTimings(List.of(), report.statements().locksHeldMs()));
  }

  /** Whether {@code report} lists statements the apply committed (as many as its rows, in a large change). */
  static boolean hasCommitted(RunReport report) {
    List<Integer> committed = report.apply() == null ? null : report.apply().committedStatements();
    return committed != null && !committed.isEmpty() && committed.stream().allMatch(java.util.Objects::nonNull);
  }

  /**
   * {@code report} with one number for the statements the apply committed (a list left out when
   * empty would leave no place in the tree): the list {@link #committedPlaceholder} empties.
   */
  static RunReport withOneCommitted(RunReport report) {
    return report.withApply(withCommitted(report.apply(), List.of(0)));
  }

  static RunReport.ApplyInfo withCommitted(RunReport.ApplyInfo a, List<Integer> committed) {
    return new RunReport.ApplyInfo(a.status(), a.statementsTotal(), a.statementsExecuted(), a.transaction(),
        a.wrapperAbsorbed(), committed, a.failedStatement());
  }

  /** The list of committed statements in a tree made of {@link #withOneCommitted}, emptied; null when it is not there. */
  static ArrayNode committedPlaceholder(ObjectNode tree) {
    JsonNode apply = tree.get("apply");
    JsonNode committed = apply == null ? null : apply.get("committed_statements");
    if (committed instanceof ArrayNode a && a.size() == 1 && a.get(0).isInt() && a.get(0).intValue() == 0) {
      return a.removeAll();
    }
    return null;
  }

  /** The empty list of rows in a tree made of {@link #withoutRows}; null when it is not where it should be. */
  static ArrayNode placeholder(ObjectNode tree) {
    JsonNode st = tree.get("statements");
    JsonNode ran = st == null ? null : st.get("ran");
    return ran instanceof ArrayNode a && a.isEmpty() ? a : null;
  }

  /** {@code tree} (a copy of one with the rows kept out) with the rows written into their list as the tree holds them. */
  static ObjectNode into(ObjectNode tree, Streamed rows) {
    ObjectNode whole = tree.deepCopy();
    if (rows.committedAt() != null) {
      ArrayNode committed = (ArrayNode) whole.get("apply").get("committed_statements");
      rows.committed().forEach(committed::add);
    }
    ArrayNode ran = placeholder(whole);
    for (StatementTiming s : rows.ran()) {
      ObjectNode row = ran.addObject().put(INDEX, s.index()).put(LINE, s.line());
      if (s.text() != null) {
        row.put(TEXT, s.text());
      }
      row.put(DURATION, s.durationMs());
    }
    return whole;
  }
}

package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A run report after the secret scan: every text in it masked, home paths shown as {@code ~/…},
 * row values quoted in server errors masked (unless shown on request, which {@code show_values}
 * records), and the scan's result for {@code secrets_recorded}. Renderers take only this type, so
 * nothing is rendered unscanned.
 */
public final class ScannedReport {

  private static final String SECRETS_FIELD = "secrets_recorded";

  /** The masked run read back from {@link #tree}, made when first asked (the Markdown's thread, beside the YAML's). */
  private RunReport report;
  private final String secretsRecorded;
  private final boolean showValues;
  /** The document tree; without the statement rows when {@link #rows} holds them. */
  private final ObjectNode tree;
  /** The statement rows kept out of {@link #tree}, their texts masked; null when the tree holds them. */
  private final StatementRows.Streamed rows;
  /** {@link #tree} with the rows in it, made when first read. */
  private ObjectNode whole;

  private ScannedReport(ObjectNode tree, StatementRows.Streamed rows, String secretsRecorded, boolean showValues) {
    this.secretsRecorded = secretsRecorded;
    this.showValues = showValues;
    this.tree = tree;
    this.rows = rows;
    this.whole = rows == null ? tree : null;
  }

  /** The run as the masked tree says it, with the statement rows kept apart put back. */
  private RunReport readBack() {
    RunReport r = ReportTree.fromTree(tree).report();
    if (rows != null && rows.committedAt() != null) {
      r = r.withApply(StatementRows.withCommitted(r.apply(), rows.committed()));
    }
    return rows == null ? r : r.withStatements(new StatementTimings(rows.ran(), r.statements().locksHeldMs()));
  }

  /** Scans every text of {@code report} (including the names of baseline schemas); row values are masked. */
  public static ScannedReport scan(RunReport report, SecretScanner scanner) {
    return scan(report, scanner, false);
  }

  /**
   * Scans every text of {@code report}; row values quoted in server errors are masked unless
   * {@code showValues}, which the report then records.
   */
  public static ScannedReport scan(RunReport report, SecretScanner scanner, boolean showValues) {
    return scan(report, scanner, showValues, null);
  }

  /**
   * {@link #scan(RunReport, SecretScanner, boolean)}, taking the statement rows {@code ahead}
   * made ready when they are this report's rows, masked as {@code scanner} masks (null: none made).
   */
  public static ScannedReport scan(RunReport report, SecretScanner scanner, boolean showValues, RowsAhead ahead) {
    return scan(report, scanner, showValues, "none", true, ahead);
  }

  /**
   * {@link #scan} with the statement rows in the document tree, as every report was scanned before
   * they were kept apart ({@link StatementRows}): the tests hold the two against each other.
   */
  static ScannedReport scanWithRowsInTree(RunReport report, SecretScanner scanner, boolean showValues) {
    return scan(report, scanner, showValues, "none", false, null);
  }

  /**
   * A report read back from its file and scanned again (the file may have been edited): what this
   * scan finds is added to what the file recorded.
   */
  static ScannedReport rescan(JsonNode fileTree, SecretScanner scanner) {
    ReportTree.Read read = ReportTree.fromTree(fileTree);
    return scan(read.report(), scanner, read.showValues(),
        read.secretsRecorded() == null ? "none" : scanner.mask(read.secretsRecorded()), true, null);
  }

  /** The scan; what it finds is added to what was {@code recorded} before (none, or a report file's record). */
  private static ScannedReport scan(RunReport report, SecretScanner scanner, boolean showValues, String recorded,
      boolean rowsApart, RowsAhead ahead) {
    RunReport r = showValues ? report : RowValues.mask(report);
    ArrayNode committedAt = null;
    SecretFindings findings = new SecretFindings();
    Texts texts = new Texts(scanner, findings, showValues);
    ObjectNode tree = null;
    if (rowsApart && StatementRows.applies(r) && StatementRows.KEYS.stream().allMatch(texts::keyClean)) {
      // the rows stay records: the scan masks their texts where the tree's scan would reach them
      boolean committed = StatementRows.hasCommitted(r);
      RunReport apart = StatementRows.withoutRows(r);
      tree = ReportTree.toTree(committed ? StatementRows.withOneCommitted(apart) : apart, "none", showValues);
      texts.rowsAt = StatementRows.placeholder(tree);
      texts.rows = r.statements().ran();
      // the numbers of the committed statements (nothing the scan reads) stand apart too
      committedAt = committed ? StatementRows.committedPlaceholder(tree) : null;
      if (texts.rowsAt == null || committed && committedAt == null) {
        tree = null;
      } else if (ahead != null) {
        texts.ahead = ahead.rowsFor(texts.rows, scanner, showValues);
      }
    }
    if (tree == null) {
      texts.rowsAt = null;
      tree = ReportTree.toTree(r, "none", showValues);
    }
    mask(tree, texts);
    if (!findings.isEmpty()) {
      recorded = "none".equals(recorded) ? findings.summary() : recorded + "; on re-reading " + findings.summary();
    }
    tree.put(SECRETS_FIELD, recorded);
    if (texts.rowsAt != null && texts.masked.size() != texts.rows.size()) {
      throw new IllegalStateException("the scan did not reach the statement rows");
    }
    if (texts.rowsAt == null) {
      return new ScannedReport(tree, null, recorded, showValues);
    }
    List<Integer> committedList = committedAt == null ? List.of() : r.apply().committedStatements();
    RowsAhead.Rows made = texts.ahead;
    return new ScannedReport(tree, new StatementRows.Streamed(texts.rowsAt, texts.masked, committedAt, committedList,
        made == null ? null : made.block(),
        made == null || committedAt == null ? null : ahead.committedBlockFor(made, committedList)), recorded, showValues);
  }

  public synchronized RunReport report() {
    if (report == null) {
      report = readBack();
    }
    return report;
  }

  /** The scan result: {@code none} or {@code masked: N (kinds…)}. */
  public String secretsRecorded() {
    return secretsRecorded;
  }

  /** Whether the operator asked for row values to be kept ({@code --show-values}). */
  public boolean showValues() {
    return showValues;
  }

  /** The document tree (SPEC section 5 order), already masked. */
  ObjectNode tree() {
    return treeToRead().deepCopy();
  }

  /** The document tree itself, for a caller that only reads it (the JSON writer). */
  synchronized ObjectNode treeToRead() {
    if (whole == null) {
      whole = StatementRows.into(tree, rows);
    }
    return whole;
  }

  /** The tree to lay out as YAML with {@link #rows}: without the statement rows when they are kept apart. */
  ObjectNode layoutTree() {
    return tree;
  }

  /** The statement rows kept out of {@link #layoutTree}, masked; null when the tree holds them. */
  StatementRows.Streamed rows() {
    return rows;
  }

  /**
   * A value of the report as its scan masks it: scanned, then the row values in it masked unless
   * {@code showValues}; what the scan found is added to {@code found}.
   */
  static String maskedText(SecretScanner scanner, String text, boolean showValues, SecretFindings found) {
    String scanned = scanner.scan(text, found);
    return showValues ? scanned : RowValues.text(scanned);
  }

  /**
   * {@code node} with every text (and every key) in it masked: a text node is replaced, a container
   * masked in place.
   */
  private static JsonNode mask(JsonNode node, Texts texts) {
    if (node.isTextual()) {
      return texts.value(node.textValue());
    }
    if (node == texts.rowsAt) {
      texts.maskRows();
      return node;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((ArrayNode) node).set(i, mask(node.get(i), texts));
      }
    } else if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      boolean keysKept = true;
      for (Iterator<String> it = object.fieldNames(); it.hasNext() && keysKept; ) {
        String key = it.next();
        keysKept = texts.keyKept(key);
      }
      if (keysKept) {
        // every key stays as it is: each value is replaced where it stands (a key's value, not the order, changes)
        for (Map.Entry<String, JsonNode> e : object.properties()) {
          texts.key(e.getKey());
          JsonNode masked = mask(e.getValue(), texts);
          if (masked != e.getValue()) {
            e.setValue(masked);
          }
        }
      } else {
        List<Map.Entry<String, JsonNode>> fields = object.properties().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        object.removeAll();
        fields.forEach(e -> object.set(texts.key(e.getKey()), mask(e.getValue(), texts)));
      }
    }
    return node;
  }

  /**
   * The scan of one report's texts. A report repeats texts thousands of times (the keys of its
   * statements, the same check's wording): the scan is a function of the text, so each distinct
   * text is scanned once and what it found is counted again at every repetition.
   */
  private static final class Texts {
    /** A text as scanned: the masked text and what the scan found in it. */
    private record Scan(String masked, SecretFindings found) {}

    private final SecretScanner scanner;
    private final SecretFindings findings;
    private final boolean showValues;
    private final Map<String, Scan> keys = new HashMap<>();
    private final Map<String, Scan> values = new HashMap<>();
    private final Map<String, TextNode> nodes = new HashMap<>();

    /** The empty list standing for the statement rows, and the rows, when they are kept out of the tree. */
    ArrayNode rowsAt;
    List<StatementTiming> rows;
    /** The rows with their texts masked, once the scan reached {@link #rowsAt}. */
    List<StatementTiming> masked = List.of();
    /** The rows made ready ahead for this scan ({@link RowsAhead}); null when the scan masks them itself. */
    RowsAhead.Rows ahead;

    Texts(SecretScanner scanner, SecretFindings findings, boolean showValues) {
      this.scanner = scanner;
      this.findings = findings;
      this.showValues = showValues;
    }

    String key(String key) {
      return seen(keys.computeIfAbsent(key, this::scan));
    }

    /**
     * Whether the scan leaves {@code key} as it is and finds nothing in it: a row's keys, counted
     * at each row by the tree's scan, then add nothing.
     */
    boolean keyClean(String key) {
      Scan scan = keys.computeIfAbsent(key, this::scan);
      return scan.masked().equals(key) && scan.found().isEmpty();
    }

    /**
     * The statement rows scanned as the tree's scan scans their nodes, row by row: each key (clean,
     * see {@link #keyClean}) and number as it is, each text through {@link #value}.
     */
    void maskRows() {
      if (ahead != null) {
        // masked ahead as below, with the same scanner: the same texts, and what was found in them in the same order
        masked = ahead.masked();
        findings.addAll(ahead.found());
        return;
      }
      List<StatementTiming> out = new ArrayList<>(rows.size());
      for (StatementTiming s : rows) {
        out.add(s.text() == null ? s
            : new StatementTiming(s.index(), s.line(), value(s.text()).textValue(), s.durationMs()));
      }
      masked = out;
    }

    /** Whether the scan leaves {@code key} as it is (it is counted when {@link #key} is asked). */
    boolean keyKept(String key) {
      return keys.computeIfAbsent(key, this::scan).masked().equals(key);
    }

    TextNode value(String text) {
      Scan scan = values.computeIfAbsent(text, t -> {
        SecretFindings found = new SecretFindings();
        return new Scan(maskedText(scanner, t, showValues, found), found);
      });
      seen(scan);
      return nodes.computeIfAbsent(scan.masked(), TextNode::valueOf);
    }

    private Scan scan(String text) {
      SecretFindings found = new SecretFindings();
      return new Scan(scanner.scan(text, found), found);
    }

    private String seen(Scan scan) {
      findings.addAll(scan.found());
      return scan.masked();
    }
  }
}

package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cutter.core.run.RunReport;
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

  private final RunReport report;
  private final String secretsRecorded;
  private final boolean showValues;
  private final ObjectNode tree;

  private ScannedReport(ObjectNode tree) {
    ReportTree.Read read = ReportTree.fromTree(tree);
    this.report = read.report();
    this.secretsRecorded = read.secretsRecorded();
    this.showValues = read.showValues();
    this.tree = tree;
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
    return scan(report, scanner, showValues, "none");
  }

  /**
   * A report read back from its file and scanned again (the file may have been edited): what this
   * scan finds is added to what the file recorded.
   */
  static ScannedReport rescan(JsonNode fileTree, SecretScanner scanner) {
    ReportTree.Read read = ReportTree.fromTree(fileTree);
    return scan(read.report(), scanner, read.showValues(),
        read.secretsRecorded() == null ? "none" : scanner.mask(read.secretsRecorded()));
  }

  /** The scan; what it finds is added to what was {@code recorded} before (none, or a report file's record). */
  private static ScannedReport scan(RunReport report, SecretScanner scanner, boolean showValues, String recorded) {
    ObjectNode tree = ReportTree.toTree(showValues ? report : RowValues.mask(report), "none", showValues);
    SecretFindings findings = new SecretFindings();
    mask(tree, new Texts(scanner, findings, showValues));
    if (!findings.isEmpty()) {
      recorded = "none".equals(recorded) ? findings.summary() : recorded + "; on re-reading " + findings.summary();
    }
    tree.put(SECRETS_FIELD, recorded);
    return new ScannedReport(tree);
  }

  public RunReport report() {
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
    return tree.deepCopy();
  }

  /** The document tree itself, for a caller that only reads it (the YAML and JSON writers). */
  ObjectNode treeToRead() {
    return tree;
  }

  /**
   * {@code node} with every text (and every key) in it masked: a text node is replaced, a container
   * masked in place.
   */
  private static JsonNode mask(JsonNode node, Texts texts) {
    if (node.isTextual()) {
      return texts.value(node.textValue());
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

    Texts(SecretScanner scanner, SecretFindings findings, boolean showValues) {
      this.scanner = scanner;
      this.findings = findings;
      this.showValues = showValues;
    }

    String key(String key) {
      return seen(keys.computeIfAbsent(key, this::scan));
    }

    /** Whether the scan leaves {@code key} as it is (it is counted when {@link #key} is asked). */
    boolean keyKept(String key) {
      return keys.computeIfAbsent(key, this::scan).masked().equals(key);
    }

    TextNode value(String text) {
      Scan scan = values.computeIfAbsent(text, t -> {
        Scan s = scan(t);
        return new Scan(showValues ? s.masked() : RowValues.text(s.masked()), s.found());
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

package dev.cutter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cutter.core.run.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run report after the secret scan: every text in it masked, home paths shown as {@code ~/…},
 * and the scan's result for {@code secrets_recorded}. Renderers take only this type, so nothing
 * is rendered unscanned.
 */
public final class ScannedReport {

  private static final String SECRETS_FIELD = "secrets_recorded";

  private final RunReport report;
  private final String secretsRecorded;
  private final ObjectNode tree;

  private ScannedReport(ObjectNode tree) {
    ReportTree.Read read = ReportTree.fromTree(tree);
    this.report = read.report();
    this.secretsRecorded = read.secretsRecorded();
    this.tree = tree;
  }

  /** Scans every text of {@code report} (including the names of baseline schemas). */
  public static ScannedReport scan(RunReport report, SecretScanner scanner) {
    ObjectNode tree = ReportTree.toTree(report, "none");
    SecretFindings findings = new SecretFindings();
    maskTree(tree, scanner, findings);
    tree.put(SECRETS_FIELD, findings.summary());
    return new ScannedReport(tree);
  }

  /**
   * A report read back from its file and scanned again (the file may have been edited): what this
   * scan finds is added to what the file recorded.
   */
  static ScannedReport rescan(JsonNode fileTree, SecretScanner scanner) {
    ReportTree.Read read = ReportTree.fromTree(fileTree);
    ObjectNode tree = ReportTree.toTree(read.report(), "none");
    SecretFindings findings = new SecretFindings();
    maskTree(tree, scanner, findings);
    String recorded = read.secretsRecorded() == null ? "none" : scanner.mask(read.secretsRecorded());
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

  /** The document tree (SPEC section 5 order), already masked. */
  ObjectNode tree() {
    return tree.deepCopy();
  }

  private static void maskTree(JsonNode node, SecretScanner scanner, SecretFindings findings) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        JsonNode child = node.get(i);
        if (child.isTextual()) {
          ((ArrayNode) node).set(i, maskText(child, scanner, findings));
        } else {
          maskTree(child, scanner, findings);
        }
      }
    } else if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      object.properties().forEach(e -> fields.add(Map.entry(e.getKey(), e.getValue())));
      object.removeAll();
      for (Map.Entry<String, JsonNode> field : fields) {
        String key = scanner.scan(field.getKey(), findings);
        JsonNode value = field.getValue();
        if (value.isTextual()) {
          value = maskText(value, scanner, findings);
        } else {
          maskTree(value, scanner, findings);
        }
        object.set(key, value);
      }
    }
  }

  private static JsonNode maskText(JsonNode text, SecretScanner scanner, SecretFindings findings) {
    return TextNode.valueOf(scanner.scan(text.textValue(), findings));
  }
}

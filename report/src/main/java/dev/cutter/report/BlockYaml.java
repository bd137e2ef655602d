package dev.cutter.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.exec.StatementTiming;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A report tree as block YAML, written here rather than event by event through the YAML library:
 * the same text the report's mapper writes ({@link ReportCodec}), at a fraction of the cost for a
 * report of thousands of statements. Only the layout is written here (block mappings, sequences
 * with their indicator indented, {@code {}} and {@code []}, whole numbers); every scalar that is
 * not a plain identifier is written by the mapper itself, all of them in one document, and copied
 * from it. A tree with anything else (a sequence in a sequence, an empty container as an item, a
 * text the mapper writes on more than one line or a key it writes as a complex key) is left to the
 * mapper: {@link #write} returns null. So is a text with a line break in it (YAML's five), which
 * is written over several lines indented as where it stands. A hidden character is escaped as the
 * mapper's text has it escaped ({@link VisibleYamlFactory}). {@code BlockYamlTest} holds the two against each other.
 */
final class BlockYaml {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Plain identifiers YAML or the mapper would read as something else, compared ignoring case. */
  private static final Set<String> RESERVED = Set.of("y", "n", "yes", "no", "true", "false", "on", "off", "null");

  private final ObjectMapper mapper;
  /** Each scalar the mapper writes, as it writes it as a mapping value. */
  private final Map<JsonNode, String> values = new LinkedHashMap<>();
  /** Each key the mapper writes, as it writes it. */
  private final Map<String, String> keys = new LinkedHashMap<>();

  /** The statement rows written where their (empty) list stands in the tree; null when the tree holds them. */
  private final StatementRows.Streamed rows;

  private BlockYaml(ObjectMapper mapper, StatementRows.Streamed rows) {
    this.mapper = mapper;
    this.rows = rows;
  }

  /** {@code root} as {@code mapper} writes it, or null when this class does not write such a tree. */
  static String write(JsonNode root, ObjectMapper mapper) {
    return write(root, mapper, null);
  }

  /**
   * {@code root}, with {@code rows} written where their list stands ({@link StatementRows#into}
   * would put them there), as {@code mapper} writes the whole tree; null when this class does not
   * write such a tree.
   */
  static String write(JsonNode root, ObjectMapper mapper, StatementRows.Streamed rows) {
    if (!root.isObject() || root.isEmpty()) {
      return null;
    }
    if (rows != null && (rows.block() != null && root.path("statements").path("ran") != rows.at()
        || rows.committedBlock() != null && root.path("apply").path("committed_statements") != rows.committedAt())) {
      // written ahead for the rows' place two levels down: elsewhere they are written here
      rows = new StatementRows.Streamed(rows.at(), rows.ran(), rows.committedAt(), rows.committed());
    }
    BlockYaml y = new BlockYaml(mapper, rows);
    if (!y.collect(root) || !y.scalars()) {
      return null;
    }
    StringBuilder out = new StringBuilder((1 << 16) + (rows == null ? 0 : rows.ran().size() * 64));
    y.mapping(root, 0, out, false);
    return VisibleYamlFactory.visible(out.toString());
  }

  /** Gathers the keys and scalars the mapper must write; false for a tree of a shape not written here. */
  private boolean collect(JsonNode n) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (breaks(e.getKey())) {
          return false;
        }
        if (!plain(e.getKey())) {
          keys.put(e.getKey(), null);
        }
        if (!collect(e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (rows != null && n == rows.at()) {
      return rows.block() != null || collectRows();
    }
    if (n.isArray()) {
      for (JsonNode item : n) {
        if (item.isArray() || (item.isObject() && item.isEmpty()) || !collect(item)) {
          return false;
        }
      }
      return true;
    }
    if (n.isTextual() && breaks(n.textValue())) {
      return false; // written over several lines, indented as where it stands
    }
    if (n.isBigDecimal()) {
      return false; // equal decimals may be written differently (1.0, 1.00): none in a report
    }
    if (!wholeNumber(n) && !(n.isTextual() && plain(n.textValue()))) {
      values.put(n, null);
    }
    return true;
  }

  /** Gathers the texts of the rows the mapper must write; false when one is written over several lines. */
  private boolean collectRows() {
    for (StatementTiming s : rows.ran()) {
      String text = s.text();
      if (text != null && breaks(text)) {
        return false;
      }
      if (text != null && !plain(text)) {
        values.put(F.textNode(text), null);
      }
    }
    return true;
  }

  /**
   * The statement rows {@code masked} (their texts masked) as {@link #write} writes them where
   * their list stands, each indicator at {@link StatementRows#INDENT}: what {@link RowsAhead}
   * writes before the report is rendered. Null when {@link #write} would leave the report to the
   * mapper for them (a text written over several lines).
   */
  static String rowsBlock(List<StatementTiming> masked, ObjectMapper mapper) {
    BlockYaml y = new BlockYaml(mapper, new StatementRows.Streamed(null, masked, null, List.of()));
    if (!y.collectRows() || !y.scalars()) {
      return null;
    }
    StringBuilder out = new StringBuilder(masked.size() * 64);
    y.rows(StatementRows.INDENT, out);
    return out.toString();
  }

  /** The numbers of the committed statements as {@link #write} writes them, each indicator at {@link StatementRows#INDENT}. */
  static String committedBlock(List<Integer> committed) {
    StringBuilder out = new StringBuilder(committed.size() * 12);
    committed(committed, StatementRows.INDENT, out);
    return out.toString();
  }

  private static void committed(List<Integer> committed, int indent, StringBuilder out) {
    String item = " ".repeat(indent) + "- ";
    for (Integer i : committed) {
      out.append(item).append(i.intValue()).append('\n');
    }
  }

  /**
   * Writes every gathered key and scalar through the mapper, in two documents, and reads each back
   * from its line; false when one is not written on one line of its own.
   */
  private boolean scalars() {
    if (!values.isEmpty()) {
      ObjectNode doc = F.objectNode();
      int i = 0;
      for (JsonNode v : values.keySet()) {
        doc.set("v" + i++, v);
      }
      String[] lines = lines(doc, values.size());
      if (lines == null) {
        return false;
      }
      i = 0;
      for (Map.Entry<JsonNode, String> e : values.entrySet()) {
        String prefix = "v" + i + ": ";
        if (!lines[i].startsWith(prefix)) {
          return false;
        }
        e.setValue(lines[i++].substring(prefix.length()));
      }
    }
    if (!keys.isEmpty()) {
      ObjectNode doc = F.objectNode();
      keys.keySet().forEach(k -> doc.put(k, 0));
      String[] lines = lines(doc, keys.size());
      if (lines == null) {
        return false;
      }
      int i = 0;
      for (Map.Entry<String, String> e : keys.entrySet()) {
        if (!lines[i].endsWith(": 0") || lines[i].startsWith("? ")) {
          return false;
        }
        e.setValue(lines[i].substring(0, lines[i].length() - 3));
        i++;
      }
    }
    return true;
  }

  /** {@code doc} as the mapper writes it, line by line; null unless it is {@code count} lines. */
  private String[] lines(ObjectNode doc, int count) {
    String text;
    try {
      text = mapper.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (!text.endsWith("\n")) {
      return null;
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    return lines.length == count ? lines : null;
  }

  /** The members of {@code n}, each key at {@code indent}; the first on the current line when {@code inItem}. */
  private void mapping(JsonNode n, int indent, StringBuilder out, boolean inItem) {
    boolean first = true;
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!(first && inItem)) {
        pad(out, indent);
      }
      first = false;
      String key = e.getKey();
      String written = keys.get(key);
      out.append(written != null ? written : key).append(':');
      JsonNode v = e.getValue();
      if (v.isObject()) {
        if (v.isEmpty()) {
          out.append(" {}\n");
        } else {
          out.append('\n');
          mapping(v, indent + 2, out, false);
        }
      } else if (rows != null && v == rows.at()) {
        out.append('\n');
        if (rows.block() != null) {
          out.append(rows.block());
        } else {
          rows(indent + 2, out);
        }
      } else if (rows != null && v == rows.committedAt()) {
        out.append('\n');
        if (rows.committedBlock() != null) {
          out.append(rows.committedBlock());
        } else {
          committed(rows.committed(), indent + 2, out);
        }
      } else if (v.isArray()) {
        if (v.isEmpty()) {
          out.append(" []\n");
        } else {
          out.append('\n');
          sequence(v, indent + 2, out);
        }
      } else {
        out.append(' ');
        scalar(v, out);
        out.append('\n');
      }
    }
  }

  /** The items of {@code n}, each indicator at {@code indent}. */
  private void sequence(JsonNode n, int indent, StringBuilder out) {
    for (JsonNode item : n) {
      pad(out, indent);
      out.append("- ");
      if (item.isObject()) {
        mapping(item, indent + 2, out, true);
      } else {
        scalar(item, out);
        out.append('\n');
      }
    }
  }

  /**
   * The statement rows as {@link #sequence} writes their list in the tree: each row a mapping of
   * index, line, text (when kept) and duration, the indicator at {@code indent}.
   */
  private void rows(int indent, StringBuilder out) {
    String item = " ".repeat(indent) + "- " + StatementRows.INDEX + ": ";
    String member = "\n" + " ".repeat(indent + 2);
    String line = member + StatementRows.LINE + ": ";
    String text = member + StatementRows.TEXT + ": ";
    String duration = member + StatementRows.DURATION + ": ";
    for (StatementTiming s : rows.ran()) {
      row(s, out, item, line, text, duration);
    }
  }

  /** One row (a method of its own: it is compiled after a few hundred rows, while the loop above runs on). */
  private void row(StatementTiming s, StringBuilder out, String item, String line, String text, String duration) {
    out.append(item).append(s.index()).append(line).append(s.line());
    String t = s.text();
    if (t != null) {
      out.append(text).append(plain(t) ? t : values.get(F.textNode(t)));
    }
    out.append(duration).append(s.durationMs()).append('\n');
  }

  private void scalar(JsonNode v, StringBuilder out) {
    if (wholeNumber(v)) {
      out.append(v.longValue());
    } else if (v.isTextual() && plain(v.textValue())) {
      out.append(v.textValue());
    } else {
      out.append(values.get(v));
    }
  }

  /** Whether {@code s} holds a character YAML breaks a line at (a quoted text continues on an indented line). */
  private static boolean breaks(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }

  private static void pad(StringBuilder out, int indent) {
    for (int i = 0; i < indent; i++) {
      out.append(' ');
    }
  }

  private static boolean wholeNumber(JsonNode n) {
    return n.isInt() || n.isLong();
  }

  /** A text written as it is: an ASCII identifier ({@code [A-Za-z_][A-Za-z0-9_]*}) YAML reads as a string. */
  static boolean plain(String s) {
    int n = s.length();
    if (n == 0 || n > 64) {
      return false;
    }
    char c0 = s.charAt(0);
    if (!(c0 >= 'a' && c0 <= 'z' || c0 >= 'A' && c0 <= 'Z' || c0 == '_')) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
        return false;
      }
    }
    return n > 5 || !RESERVED.contains(s.toLowerCase(java.util.Locale.ROOT));
  }
}

package dev.cutter.core.model;

import dev.cutter.core.check.Problems;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * One YAML file read within fixed limits: UTF-8 only, at most {@link #MAX_BYTES}, one document,
 * bounded nesting, few aliases, and at most {@link #MAX_NODES} values after aliases are expanded
 * (so an alias bomb is one clear error in bounded memory). Keeps the text and SnakeYAML's nodes,
 * whose marks give exact positions, next to the converted {@link YamlValue} tree.
 */
final class YamlDocument {

  static final int MAX_BYTES = 10 * 1024 * 1024;
  static final int MAX_NODES = 100_000;
  static final int MAX_DEPTH = 32;
  static final int MAX_COLLECTION_ALIASES = 50;

  private final String text;
  private final Node root;
  private final YamlValue value;

  private YamlDocument(String text, Node root, YamlValue value) {
    this.text = text;
    this.root = root;
    this.value = value;
  }

  /** The decoded text, exactly as in the file (a byte order mark included). */
  String text() {
    return text;
  }

  /** SnakeYAML's root node (for exact text offsets). */
  Node root() {
    return root;
  }

  /** The root value with positions. */
  YamlValue value() {
    return value;
  }

  /** Offset in {@link #text()} of a SnakeYAML mark (marks count code points). */
  int offsetOf(Mark mark) {
    return text.offsetByCodePoints(0, mark.getIndex());
  }

  /**
   * Parses {@code bytes}; on any problem reports it to {@code problems} and returns empty. An
   * empty document (no content, or only comments) is reported as such.
   */
  static Optional<YamlDocument> parse(byte[] bytes, Problems problems) {
    if (bytes.length > MAX_BYTES) {
      problems.add(SourcePosition.UNKNOWN, "file is " + bytes.length + " bytes; a package.yaml may have at most " + MAX_BYTES);
      return Optional.empty();
    }
    Optional<String> text = decodeUtf8(bytes, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Node root;
    try {
      root = YamlComposer.compose(text.get(), loaderOptions());
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      problems.add(mark == null ? SourcePosition.UNKNOWN : positionOfIndex(text.get(), mark.getIndex()), "invalid YAML: " + yamlProblem(e));
      return Optional.empty();
    } catch (ReaderException e) {
      problems.add(positionOfIndex(text.get(), e.getPosition()),
          String.format("invalid YAML: character U+%04X is not allowed in YAML", e.getCodePoint()));
      return Optional.empty();
    } catch (YAMLException | IllegalArgumentException e) {
      problems.add(SourcePosition.UNKNOWN, "invalid YAML: " + e.getMessage());
      return Optional.empty();
    }
    if (root == null) {
      problems.add(new SourcePosition(1, 1), "the file is empty: expected a mapping that starts with apiVersion: cutter/v1");
      return Optional.empty();
    }
    Optional<HiddenCharacters.Finding> hidden = HiddenCharacters.outsideQuotedScalars(text.get(), root);
    if (hidden.isPresent()) {
      problems.add(hidden.get().position(), hidden.get().message());
      return Optional.empty();
    }
    Converter converter = new Converter(problems, new LineMap(text.get()));
    YamlValue value = converter.convert(root, 0);
    if (converter.failed) {
      return Optional.empty();
    }
    return Optional.of(new YamlDocument(text.get(), root, value));
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setAllowDuplicateKeys(false); // enforced while converting, with both positions
    o.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    o.setAllowRecursiveKeys(false);
    o.setNestingDepthLimit(MAX_DEPTH);
    o.setCodePointLimit(MAX_BYTES);
    o.setMergeOnCompose(false);
    o.setProcessComments(false);
    return o;
  }

  private static Optional<String> decodeUtf8(byte[] bytes, Problems problems) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    var result = decoder.decode(in, out, true);
    if (result.isError()) {
      int bad = in.position();
      problems.add(positionOfByte(bytes, bad), "not UTF-8 text (invalid byte 0x"
          + String.format("%02X", bytes[bad] & 0xff) + " at byte offset " + bad + "); save package.yaml as UTF-8");
      return Optional.empty();
    }
    try {
      decoder.flush(out);
    } catch (IllegalStateException e) {
      // cannot happen after a complete decode; fall through with what was decoded
    }
    out.flip();
    return Optional.of(out.toString());
  }

  /** Line and column of a byte offset in valid-so-far UTF-8 (columns count characters). */
  private static SourcePosition positionOfByte(byte[] bytes, int offset) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
        column = 1;
      } else if ((bytes[i] & 0xC0) != 0x80) {
        column++;
      }
    }
    return new SourcePosition(line, column);
  }

  private static SourcePosition positionOfIndex(String text, int codePointIndex) {
    int line = 1;
    int column = 1;
    int seen = 0;
    for (int i = 0; i < text.length() && seen < codePointIndex; i += Character.charCount(text.codePointAt(i)), seen++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new SourcePosition(line, column);
  }

  private static String yamlProblem(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext();
    if (problem.startsWith("The incoming YAML document exceeds the limit")) {
      return "the file is too large (limit " + MAX_BYTES + " characters)";
    }
    if (context != null && context.contains("expected a single document")) {
      return "a package.yaml holds one document, found a second one";
    }
    return context == null || context.isBlank() ? problem : problem + " (" + context + ")";
  }

  /**
   * Line and column of parser marks as editors, grep and diff count them: lines end at LF only
   * (the parser also ends them at U+2028, U+2029, U+0085 and CR, which may stand inside quoted
   * scalars); columns count code points.
   */
  static final class LineMap {
    private final int[] lineStarts; // code point index of the first character of each line

    LineMap(String text) {
      List<Integer> starts = new ArrayList<>(List.of(0));
      int index = 0;
      for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i)), index++) {
        if (text.charAt(i) == '\n') {
          starts.add(index + 1);
        }
      }
      lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    SourcePosition at(Mark mark) {
      if (mark == null) {
        return SourcePosition.UNKNOWN;
      }
      int found = java.util.Arrays.binarySearch(lineStarts, mark.getIndex());
      int line = found >= 0 ? found : -found - 2;
      return new SourcePosition(line + 1, mark.getIndex() - lineStarts[line] + 1);
    }
  }

  /** SnakeYAML nodes to {@link YamlValue}s, counting values so that aliases cannot multiply them. */
  private static final class Converter {
    private final Problems problems;
    private final LineMap lines;
    private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Each anchor's node: a name anchored again makes every later alias name another value than the first. */
    private final Map<String, Node> anchors = new LinkedHashMap<>();
    private int nodes;
    private boolean failed;

    Converter(Problems problems, LineMap lines) {
      this.problems = problems;
      this.lines = lines;
    }

    YamlValue convert(Node node, int depth) {
      SourcePosition at = lines.at(node.getStartMark());
      if (failed) {
        return new YamlValue.Scalar("", false, YamlValue.Scalar.NULL, at);
      }
      if (++nodes > MAX_NODES) {
        fail(at, "the document expands to more than " + MAX_NODES + " values (aliases?); a package is far smaller");
        return new YamlValue.Scalar("", false, YamlValue.Scalar.NULL, at);
      }
      String anchor = node.getAnchor();
      Node first = anchor == null ? null : anchors.putIfAbsent(anchor, node);
      if (first != null && first != node) {
        fail(at, "anchor &" + anchor + " is defined again (first at line " + lines.at(first.getStartMark()).line()
            + "): an alias after this line would name this value, not the first; give each anchor its own name");
        return new YamlValue.Scalar("", false, YamlValue.Scalar.NULL, at);
      }
      if (depth > MAX_DEPTH || !inProgress.add(node)) {
        fail(at, depth > MAX_DEPTH ? "nested deeper than " + MAX_DEPTH + " levels" : "recursive alias: a value that contains itself");
        return new YamlValue.Scalar("", false, YamlValue.Scalar.NULL, at);
      }
      try {
        if (node instanceof ScalarNode s) {
          return new YamlValue.Scalar(s.getValue(), s.getScalarStyle() == ScalarStyle.PLAIN, s.getTag().getValue(), at);
        }
        if (node instanceof SequenceNode s) {
          List<YamlValue> items = new ArrayList<>();
          for (Node item : s.getValue()) {
            items.add(convert(item, depth + 1));
          }
          return new YamlValue.Sequence(items, at);
        }
        return mapping((MappingNode) node, depth, at);
      } finally {
        inProgress.remove(node);
      }
    }

    private YamlValue mapping(MappingNode m, int depth, SourcePosition at) {
      Map<String, YamlValue> entries = new LinkedHashMap<>();
      Map<String, SourcePosition> keys = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        SourcePosition keyAt = lines.at(t.getKeyNode().getStartMark());
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          problems.add(keyAt, "a key must be a plain name, not a list or mapping");
          continue;
        }
        String key = k.getValue();
        YamlValue v = convert(t.getValueNode(), depth + 1);
        if (keys.containsKey(key)) {
          SourcePosition first = keys.get(key);
          problems.add(keyAt, "duplicate key '" + key + "' (first at line " + first.line() + ")");
          continue;
        }
        keys.put(key, keyAt);
        entries.put(key, v);
      }
      return new YamlValue.Mapping(entries, keys, at);
    }

    private void fail(SourcePosition at, String message) {
      failed = true;
      problems.add(at, message);
    }
  }
}

package dev.cutter.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reviewers must see what cutter parses. The YAML parser ends a line at U+2028, U+2029, U+0085
 * and a lone carriage return, where editors, grep and diff show one line; bidi controls and other
 * invisible format characters (Unicode category Cf) make text read differently than it parses.
 * Outside quoted scalars, where they could change the document's structure, they are refused. The
 * extents of quoted scalars are taken from the parser's own nodes, so this scan and the parser
 * cannot disagree about what is inside a string. A byte order mark at the very start is allowed.
 */
final class HiddenCharacters {

  /** The first hidden character outside a quoted scalar: where it stands (as editors count) and what it is. */
  record Finding(SourcePosition position, String message) {}

  private record Range(int start, int end) {}

  private HiddenCharacters() {}

  /** Scans {@code text}, whose composed document is {@code root}; positions count code points, lines end at LF only. */
  static Optional<Finding> outsideQuotedScalars(String text, Node root) {
    List<Range> quoted = quotedScalars(root);
    int next = 0;
    int line = 1;
    int column = 1;
    int index = 0; // code points, as the parser's marks count
    for (int i = 0; i < text.length(); index++) {
      int cp = text.codePointAt(i);
      int width = Character.charCount(cp);
      while (next < quoted.size() && quoted.get(next).end() <= index) {
        next++;
      }
      boolean inQuotes = next < quoted.size() && quoted.get(next).start() <= index;
      if (!inQuotes) {
        Optional<String> why = why(text, i, cp, index);
        if (why.isPresent()) {
          return Optional.of(new Finding(new SourcePosition(line, column), why.get()));
        }
      }
      if (cp == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
      i += width;
    }
    return Optional.empty();
  }

  private static Optional<String> why(String text, int offset, int cp, int index) {
    if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
      return Optional.of(name(cp) + " outside a quoted string: YAML reads it as a line break where editors, grep and diff"
          + " show one line; remove it");
    }
    if (cp == '\r' && !text.startsWith("\n", offset + 1)) {
      return Optional.of("a carriage return not followed by a line feed: YAML reads it as a line break where grep and diff"
          + " show one line and a terminal overwrites the line; use LF or CRLF line ends");
    }
    if (Character.getType(cp) == Character.FORMAT && !(cp == 0xFEFF && index == 0)) {
      return Optional.of(name(cp) + " outside a quoted string: an invisible "
          + (isBidiControl(cp) ? "bidirectional control that reorders how the text reads" : "format character")
          + "; remove it, or quote the value if it is meant");
    }
    return Optional.empty();
  }

  private static boolean isBidiControl(int cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
  }

  private static String name(int cp) {
    String name = Character.getName(cp);
    return String.format(Locale.ROOT, "U+%04X", cp) + (name == null ? "" : " (" + name + ")");
  }

  /** Code point ranges [start, end) of every single- or double-quoted scalar, quotes included, sorted. */
  private static List<Range> quotedScalars(Node root) {
    List<Range> ranges = new ArrayList<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      Node n = todo.remove(todo.size() - 1);
      if (!seen.add(n)) {
        continue; // an alias: its node was (or will be) visited where it was defined
      }
      if (n instanceof ScalarNode s) {
        ScalarStyle style = s.getScalarStyle();
        if ((style == ScalarStyle.SINGLE_QUOTED || style == ScalarStyle.DOUBLE_QUOTED)
            && s.getStartMark() != null && s.getEndMark() != null) {
          ranges.add(new Range(s.getStartMark().getIndex(), s.getEndMark().getIndex()));
        }
      } else if (n instanceof SequenceNode s) {
        todo.addAll(s.getValue());
      } else if (n instanceof MappingNode m) {
        for (NodeTuple t : m.getValue()) {
          todo.add(t.getKeyNode());
          todo.add(t.getValueNode());
        }
      }
    }
    ranges.sort(Comparator.comparingInt(Range::start));
    return ranges;
  }
}

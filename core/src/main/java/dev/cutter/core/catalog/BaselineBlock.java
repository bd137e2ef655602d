package dev.cutter.core.catalog;

import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The {@code baseline} check entry of a package, written from live counts, ready to paste
 * under {@code preflight:} or {@code verify:}:
 * {@code - baseline: {schema: s, constraints: {f: 19, p: 12}, relations: {i: 18, r: 12}}}.
 */
public final class BaselineBlock {

  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

  private BaselineBlock() {}

  /** One list entry (without a trailing newline). */
  public static String entry(SchemaCounts counts) {
    return "- baseline: {schema: " + scalar(counts.schema()) + ", constraints: " + flow(counts.constraints())
        + ", relations: " + flow(counts.relations()) + "}";
  }

  /** Counts as a YAML flow mapping, letters in order: {@code {f: 19, p: 12}}; {@code {}} when empty. */
  public static String flow(Map<String, Integer> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
  }

  /** A YAML scalar for a name: plain when it is a plain lower-case name, else double-quoted. */
  static String scalar(String s) {
    if (PLAIN.matcher(s).matches() && !s.equals("null") && !s.equals("true") && !s.equals("false") && !s.equals("y")
        && !s.equals("n") && !s.equals("yes") && !s.equals("no") && !s.equals("on") && !s.equals("off")) {
      return s;
    }
    StringBuilder b = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      if (cp == '"' || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (cp < 0x20 || cp == 0x7f) {
        b.append(String.format("\\x%02x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append('"').toString();
  }
}

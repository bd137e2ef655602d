package dev.cutter.core.scaffold;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * YAML text for names and comments written by {@code cutter package new}. A name is written plain
 * only when it is a lower-case word (letters, digits, {@code _ . -}) YAML reads back as the same string; anything else is
 * double-quoted with every character a reader or an editor could take for a line break or hide
 * (controls, format characters, line and paragraph separators) escaped, so that the file shows
 * what the loader reads. Comment text gets the same escapes: a name in a comment cannot end it.
 */
public final class Yaml {

  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_.-]*");

  /** Plain words YAML 1.1 reads as something other than a string. */
  private static final Set<String> NOT_STRINGS = Set.of("null", "true", "false", "y", "n", "yes", "no", "on", "off");

  private Yaml() {}

  /** A YAML scalar that reads back as exactly {@code s}. */
  public static String scalar(String s) {
    return PLAIN.matcher(s).matches() && !NOT_STRINGS.contains(s) ? s : quoted(s);
  }

  /** {@code s} always double-quoted, with {@code "}, {@code \} and every unsafe character escaped. */
  public static String quoted(String s) {
    StringBuilder b = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      if (cp == '"' || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (unsafe(cp)) {
        b.append(cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append('"').toString();
  }

  /** Text safe to follow {@code #} on one line: unsafe characters written as {@code \\uXXXX}. */
  public static String comment(String text) {
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (unsafe(cp)) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }

  /** Controls (a tab and U+0085 included), line and paragraph separators, format characters (Cf), lone surrogates. */
  static boolean unsafe(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
  }
}

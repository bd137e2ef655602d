package dev.cutter.core.text;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one writer of YAML text an operator pastes or a reviewer reads: names and comments written
 * by {@code cutter package new}, {@code cutter target} and {@code cutter baseline}. A name is written
 * plain only when it is a lower-case word (letters, digits, {@code _ . -}) YAML reads back as the
 * same string; anything else is double-quoted with every character a reader or an editor could take
 * for a line break or that reorders or hides text (controls, format characters such as the bidi
 * overrides and isolates and the zero-width ones, line and paragraph separators) escaped as
 * {@code \\uXXXX}, so that the text shows what the loader reads. Comment text gets the same escapes:
 * a name in a comment cannot end it.
 */
public final class YamlText {

  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_.-]*");

  /** Plain words YAML 1.1 reads as something other than a string. */
  private static final Set<String> NOT_STRINGS = Set.of("null", "true", "false", "y", "n", "yes", "no", "on", "off");

  private YamlText() {}

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
        b.append(escape(cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.append('"').toString();
  }

  /** Text safe to follow {@code #} on one line: unsafe characters written as {@code \\uXXXX}. */
  public static String comment(String text) {
    return visible(text);
  }

  /** {@code text} with every unsafe character written as its escape {@code \\uXXXX} (or {@code \\UXXXXXXXX}). */
  public static String visible(String text) {
    return visible(text, false);
  }

  /**
   * {@code text} with every unsafe character but the tab, line feed and carriage return written as
   * its escape: for text laid out over lines (a report), where only what hides or reorders goes.
   */
  public static String visibleKeepingBreaks(String text) {
    return visible(text, true);
  }

  /** Whether {@code cp} is unsafe and not one of the tab, line feed and carriage return. */
  public static boolean hidden(int cp) {
    return unsafe(cp) && cp != '\t' && cp != '\n' && cp != '\r';
  }

  private static boolean escaped(int cp, boolean keepBreaks) {
    return keepBreaks ? hidden(cp) : unsafe(cp);
  }

  private static String visible(String text, boolean keepBreaks) {
    if (!anyEscaped(text, keepBreaks)) {
      return text;
    }
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(cp -> {
      if (escaped(cp, keepBreaks)) {
        b.append(escape(cp));
      } else {
        b.appendCodePoint(cp);
      }
    });
    return b.toString();
  }

  /**
   * Whether a code point of {@code text} is escaped: printable ASCII (and, keeping breaks, the tab,
   * line feed and carriage return) is never, so only the other code points are looked up (a report
   * is hundreds of kilobytes of ASCII).
   */
  private static boolean anyEscaped(String text, boolean keepBreaks) {
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f || keepBreaks && (c == '\n' || c == '\t' || c == '\r')) {
        continue;
      }
      int cp = text.codePointAt(i);
      if (escaped(cp, keepBreaks)) {
        return true;
      }
      i += Character.charCount(cp) - 1;
    }
    return false;
  }

  /** The YAML escape of one code point: {@code \\u202e}, {@code \\U000e0001}. */
  public static String escape(int cp) {
    return cp > 0xffff ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp);
  }

  /**
   * Controls (a tab and U+0085 included), line and paragraph separators, format characters (Cf: the
   * bidi embeddings, overrides and isolates U+202A–202E and U+2066–2069, the marks U+200E/200F,
   * the zero-width ones, U+FEFF), lone surrogates.
   */
  public static boolean unsafe(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
  }
}

package dev.cutter.core.blockers;

/**
 * Another session's statement as a report may show it: every literal that could carry a row
 * value or a secret masked ({@code '…'}, {@code E'…'}, dollar-quoted text, numbers, and the
 * text of comments), whitespace folded, cut to {@link #MAX_LENGTH} characters. Identifiers and
 * key words stay, so the operator can tell which statement it is.
 */
public final class QueryText {

  /** The longest query text a report keeps. */
  public static final int MAX_LENGTH = 200;
  /** What replaces a literal. */
  public static final String MASK = "****";

  private QueryText() {}

  /** {@code sql} with literals masked and cut; null stays null. */
  public static String masked(String sql) {
    if (sql == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') {
        boolean backslashes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
            && (i < 2 || !isIdentPart(sql.charAt(i - 2)));
        i = endOfString(sql, i + 1, backslashes);
        out.append('\'').append(MASK).append('\'');
      } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < n && Character.isDigit(sql.charAt(end))) {
          end++;
        }
        out.append(sql, i, end); // a parameter, $1: no value in the text
        i = end;
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? n : end + tag.length();
        out.append(tag).append(MASK).append(tag);
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end;
        out.append("--").append(MASK);
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        i = endOfComment(sql, i + 2);
        out.append("/*").append(MASK).append("*/");
      } else if (c == '"') {
        int end = i + 1;
        while (end < n && !(sql.charAt(end) == '"' && (end + 1 >= n || sql.charAt(end + 1) != '"'))) {
          end += sql.charAt(end) == '"' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
        out.append(sql, i, end);
        i = end;
      } else if (isIdentStart(c)) {
        int end = i;
        while (end < n && isIdentPart(sql.charAt(end))) {
          end++;
        }
        out.append(sql, i, end);
        i = end;
      } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
        int end = i;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.' || sql.charAt(end) == '_'
            || (sql.charAt(end) == '+' || sql.charAt(end) == '-') && end > i
                && (sql.charAt(end - 1) == 'e' || sql.charAt(end - 1) == 'E'))) {
          end++;
        }
        out.append(MASK);
        i = end;
      } else if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        if (out.length() > 0) {
          out.append(' ');
        }
      } else {
        out.append(c);
        i++;
      }
    }
    String text = out.toString().strip();
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 1) + "…";
  }

  /** The index after the closing quote of a string literal whose text starts at {@code from}. */
  private static int endOfString(String sql, int from, boolean backslashes) {
    int i = from;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (backslashes && c == '\\') {
        i += 2;
      } else if (c == '\'') {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return sql.length();
  }

  /** The index after the end of a block comment whose text starts at {@code from}; comments nest, as in PostgreSQL. */
  private static int endOfComment(String sql, int from) {
    int depth = 1;
    int i = from;
    while (i < sql.length() && depth > 0) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
      } else {
        i++;
      }
    }
    return i;
  }

  /** The dollar-quote tag ({@code $$} or {@code $name$}) starting at {@code i}, or null. */
  private static String dollarTag(String sql, int i) {
    if (i > 0 && isIdentPart(sql.charAt(i - 1))) {
      return null; // part of an identifier such as a$b, or a parameter such as $1
    }
    int j = i + 1;
    while (j < sql.length() && sql.charAt(j) != '$') {
      char c = sql.charAt(j);
      if (!(j == i + 1 ? isIdentStart(c) : isIdentPart(c)) || c == '$') {
        return null;
      }
      j++;
    }
    return j < sql.length() ? sql.substring(i, j + 1) : null;
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}

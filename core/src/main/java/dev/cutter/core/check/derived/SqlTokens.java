package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.Identifiers;
import java.util.ArrayList;
import java.util.List;

/**
 * A small lexer over the text of one statement, enough to recognise the DDL that needs
 * privileges: words (unquoted identifiers and key words, folded to lower case), quoted
 * identifiers (unescaped, case kept), and single punctuation characters. Comments, string
 * literals (plain, {@code E''}, {@code U&''}, {@code B''}, {@code X''}, dollar-quoted) and
 * numbers are skipped; they never name an object ({@link #withNumbers} keeps numbers, for the
 * lock-hazard rules' type modifiers and settings).
 */
public final class SqlTokens {

  /** What a token is. */
  public enum Kind { WORD, QUOTED, PUNCT, STRING, NUMBER }

  /** One token; {@code line} is 0-based within the statement. */
  public record Token(Kind kind, String text, int line) {
    /** True for an unquoted word equal to {@code keyword} (lower case). */
    public boolean is(String keyword) {
      return kind == Kind.WORD && text.equals(keyword);
    }

    public boolean isPunct(char c) {
      return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }

    /** A word or a quoted identifier: something that can name an object. */
    public boolean isName() {
      return kind == Kind.WORD || kind == Kind.QUOTED;
    }
  }

  private final String s;
  private int i;
  private int line;
  private final List<Token> out = new ArrayList<>();
  private final boolean numbers;

  private SqlTokens(String s, boolean numbers) {
    this.s = s;
    this.numbers = numbers;
  }

  /** The tokens of {@code sql}; unterminated quotes or comments end the list quietly. */
  public static List<Token> of(String sql) {
    SqlTokens t = new SqlTokens(sql, false);
    t.run();
    return t.out;
  }

  /** As {@link #of}, with numeric literals kept as {@link Kind#NUMBER} tokens (type modifiers, settings). */
  public static List<Token> withNumbers(String sql) {
    SqlTokens t = new SqlTokens(sql, true);
    t.run();
    return t.out;
  }

  private void run() {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && peek(1) == '-') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && peek(1) == '*') {
        blockComment();
      } else if (c == '\'') {
        quoted('\'', false, Kind.STRING);
      } else if (c == '"') {
        quoted('"', false, Kind.QUOTED);
      } else if ((c == 'e' || c == 'E') && peek(1) == '\'') {
        i++;
        quoted('\'', true, Kind.STRING);
      } else if ((c == 'u' || c == 'U') && peek(1) == '&' && (peek(2) == '\'' || peek(2) == '"')) {
        i += 2;
        quoted(s.charAt(i), false, s.charAt(i) == '"' ? Kind.QUOTED : Kind.STRING);
      } else if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && peek(1) == '\'') {
        i++;
        quoted('\'', false, Kind.STRING);
      } else if (c == '$' && dollarTag() != null) {
        dollarQuoted(dollarTag());
      } else if (Character.isDigit(c)) {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_')) {
          i++;
        }
        if (numbers) {
          out.add(new Token(Kind.NUMBER, s.substring(start, i), line));
        }
      } else if (isIdentStart(c)) {
        int start = i;
        while (i < n && isIdentPart(s.charAt(i))) {
          i++;
        }
        out.add(new Token(Kind.WORD, Identifiers.fold(s.substring(start, i)), line));
      } else {
        out.add(new Token(Kind.PUNCT, String.valueOf(c), line));
        i++;
      }
    }
  }

  private char peek(int ahead) {
    return i + ahead < s.length() ? s.charAt(i + ahead) : '\0';
  }

  private static boolean isIdentStart(char c) {
    return Character.isLetter(c) || c == '_' || c >= 0x80;
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || Character.isDigit(c) || c == '$';
  }

  private void blockComment() {
    int depth = 0;
    int n = s.length();
    while (i < n) {
      if (s.charAt(i) == '/' && peek(1) == '*') {
        depth++;
        i += 2;
      } else if (s.charAt(i) == '*' && peek(1) == '/') {
        depth--;
        i += 2;
        if (depth == 0) {
          return;
        }
      } else {
        if (s.charAt(i) == '\n') {
          line++;
        }
        i++;
      }
    }
  }

  /** A quoted run from the opening quote at {@code i}; a doubled quote is an escaped quote. */
  private void quoted(char q, boolean backslashEscapes, Kind kind) {
    int startLine = line;
    StringBuilder b = new StringBuilder();
    i++;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (backslashEscapes && c == '\\' && i + 1 < n) {
        if (s.charAt(i + 1) == '\n') {
          line++;
        }
        b.append(s.charAt(i + 1));
        i += 2;
      } else if (c == q && peek(1) == q) {
        b.append(q);
        i += 2;
      } else if (c == q) {
        i++;
        break;
      } else {
        if (c == '\n') {
          line++;
        }
        b.append(c);
        i++;
      }
    }
    out.add(new Token(kind, b.toString(), startLine));
  }

  /** The dollar-quote delimiter starting at {@code i} ({@code $$} or {@code $tag$}), or null. */
  private String dollarTag() {
    if (!out.isEmpty() && i > 0 && isIdentPart(s.charAt(i - 1))) {
      return null; // '$' inside an identifier such as x$$
    }
    int j = i + 1;
    int n = s.length();
    if (j < n && s.charAt(j) == '$') {
      return "$$";
    }
    if (j >= n || !(Character.isLetter(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) >= 0x80)) {
      return null;
    }
    while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) >= 0x80)) {
      j++;
    }
    return j < n && s.charAt(j) == '$' ? s.substring(i, j + 1) : null;
  }

  private void dollarQuoted(String tag) {
    int startLine = line;
    int end = s.indexOf(tag, i + tag.length());
    int stop = end < 0 ? s.length() : end + tag.length();
    for (int k = i; k < stop; k++) {
      if (s.charAt(k) == '\n') {
        line++;
      }
    }
    out.add(new Token(Kind.STRING, end < 0 ? s.substring(i + tag.length()) : s.substring(i + tag.length(), end), startLine));
    i = stop;
  }
}

package dev.cutter.core.exec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The statements an apply ran, each with its time, and {@code locksHeldMs}: in transaction mode
 * how long the transaction held its locks on pre-existing relations — from BEGIN, where the
 * re-check takes the change's locks, to the end of COMMIT or ROLLBACK; null in autocommit mode,
 * where each statement's locks last only as long as the statement.
 */
public record StatementTimings(List<StatementTiming> ran, Long locksHeldMs) {

  /** How many characters of a statement's first line a report keeps. */
  public static final int TEXT_LIMIT = 120;

  /**
   * How many statements keep their text: the slowest ones (and the failing one). Every statement
   * is listed with index, line and time; beyond these the artifact has the text, and a report of
   * a 10,000-statement change stays small and quick to scan.
   */
  public static final int TEXTS_KEPT = 200;

  public StatementTimings {
    ran = ran == null ? List.of() : List.copyOf(ran);
  }

  /** The {@code n} slowest statements, slowest first (ties in statement order). */
  public List<StatementTiming> slowest(int n) {
    return ran.stream().sorted(Comparator.comparingLong(StatementTiming::durationMs).reversed()
        .thenComparingInt(StatementTiming::index)).limit(n).toList();
  }

  /**
   * The first line of {@code sql} that is not blank or a {@code --} comment, with the content of
   * every string literal and dollar quote replaced by {@code …} and comments left out, at most
   * {@link #TEXT_LIMIT} characters. A literal is a value — a password, a row's data — and in
   * forms no secret scan can be sure to recognise (a password inside a {@code DO} body's doubled
   * quotes); the statement's shape, keywords and names are what a reader needs. A cut never falls
   * inside a quote.
   */
  public static String firstLine(String sql) {
    String line = "";
    // the lines as split at each line break (\R): a CRLF's empty line between its two breaks is blank
    // and skipped like any other, so a scan that stops at the first line needed reads no more
    int n = sql.length();
    for (int start = 0; start <= n; ) {
      int end = start;
      while (end < n && !lineBreak(sql.charAt(end))) {
        end++;
      }
      String t = sql.substring(start, end).strip();
      if (!t.isEmpty() && !t.startsWith("--")) {
        line = withoutLiterals(t).strip();
        break;
      }
      start = end + 1;
    }
    if (line.length() <= TEXT_LIMIT) {
      return line;
    }
    return line.substring(0, safeCut(line, TEXT_LIMIT)).stripTrailing() + " …";
  }

  /** A character {@code \\R} matches alone: LF, VT, FF, CR, NEL, LS, PS. */
  private static boolean lineBreak(char c) {
    return c == '\n' || c == '\u000B' || c == '\f' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
  }

  /**
   * {@code line} (the start of a statement) with each {@code '…'} literal (also {@code E'…'} and
   * the like) and each {@code $tag$…$tag$} body emptied to {@code …}, and comments dropped; quoted
   * identifiers are kept. A quote the line does not close is closed.
   */
  static String withoutLiterals(String line) {
    StringBuilder out = new StringBuilder(line.length());
    int i = 0;
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == '\'') {
        int j = i + 1;
        while (j < n) {
          if (line.charAt(j) == '\'' && oddBackslashesBefore(line, j, i + 1)) {
            // an escape string (or a plain one with standard_conforming_strings off) goes on past
            // this quote, a plain one ends here: which holds is not known here, so nothing after it is kept
            return out.append("'…' …").toString();
          } else if (line.charAt(j) == '\'' && j + 1 < n && line.charAt(j + 1) == '\'') {
            j += 2;
          } else if (line.charAt(j) == '\'') {
            break;
          } else {
            j++;
          }
        }
        out.append("'…'");
        i = j + 1;
      } else if (c == '"') {
        int j = line.indexOf('"', i + 1);
        j = j < 0 ? n : j + 1;
        out.append(line, i, j);
        i = j;
      } else if (c == '$' && (i == 0 || !isIdentifierPart(line.charAt(i - 1))) && dollarTag(line, i) != null) {
        String tag = dollarTag(line, i);
        int end = line.indexOf(tag, i + tag.length());
        out.append(tag).append('…').append(tag);
        i = end < 0 ? n : end + tag.length();
      } else if (c == '-' && i + 1 < n && line.charAt(i + 1) == '-') {
        break;
      } else if (c == '/' && i + 1 < n && line.charAt(i + 1) == '*') {
        out.append(' ');
        i = commentEnd(line, i);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Whether an odd number of backslashes stands right before {@code at} (none before {@code from} counted). */
  private static boolean oddBackslashesBefore(String s, int at, int from) {
    int k = at - 1;
    while (k >= from && s.charAt(k) == '\\') {
      k--;
    }
    return (at - 1 - k) % 2 == 1;
  }

  /** Where the block comment opening at {@code i} ends (they nest, as the server reads them); the line's end when it does not. */
  private static int commentEnd(String s, int i) {
    int depth = 0;
    int j = i;
    while (j + 1 < s.length()) {
      if (s.charAt(j) == '/' && s.charAt(j + 1) == '*') {
        depth++;
        j += 2;
      } else if (s.charAt(j) == '*' && s.charAt(j + 1) == '/') {
        depth--;
        j += 2;
        if (depth == 0) {
          return j;
        }
      } else {
        j++;
      }
    }
    return s.length();
  }

  /** The dollar-quote tag ({@code $$}, {@code $body$}) that opens at {@code i}, or null ({@code $1} is a parameter). */
  private static String dollarTag(String s, int i) {
    int j = i + 1;
    while (j < s.length() && isIdentifierPart(s.charAt(j))) {
      j++;
    }
    if (j >= s.length() || s.charAt(j) != '$' || (j > i + 1 && Character.isDigit(s.charAt(i + 1)))) {
      return null;
    }
    return s.substring(i, j + 1);
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** The largest cut at or before {@code limit} that is outside every quote. */
  static int safeCut(String s, int limit) {
    int quoteStart = -1;
    String dollarTag = null;
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (dollarTag != null) {
        if (s.startsWith(dollarTag, i)) {
          i += dollarTag.length() - 1;
          dollarTag = null;
          quoteStart = -1;
        }
      } else if (quoteStart >= 0) {
        if (c == '\'' || c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == c) {
            i++;
          } else if (c == s.charAt(quoteStart)) {
            quoteStart = -1;
          }
        }
      } else if (c == '\'' || c == '"') {
        quoteStart = i;
      } else if (c == '$') {
        int end = s.indexOf('$', i + 1);
        if (end > i && s.substring(i + 1, end).matches("[A-Za-z_0-9]*")) {
          dollarTag = s.substring(i, end + 1);
          quoteStart = i;
          i = end;
        }
      }
    }
    if (quoteStart >= 0) {
      int cut = quoteStart;
      // E'…' and other prefixed literals: cut before the prefix too
      while (cut > 0 && Character.isLetter(s.charAt(cut - 1))) {
        cut--;
      }
      return cut;
    }
    return limit;
  }

  /** Whole milliseconds of a nanosecond span, rounded to the nearest. */
  static long millis(long nanos) {
    return Math.max(0, (nanos + 500_000) / 1_000_000);
  }

  /** Collects the timings while the engine runs. */
  static final class Recorder {
    private final List<StatementTiming> ran = new ArrayList<>();
    /** Each statement's text, beside {@link #ran}: its first line is made only for the statements whose text is kept. */
    private final List<String> texts = new ArrayList<>();
    private long lockStart = -1;
    private Long locksHeldMs;

    void statement(ExecStatement s, long startedNanos) {
      ran.add(new StatementTiming(s.index(), s.line(), null, millis(System.nanoTime() - startedNanos)));
      texts.add(s.text());
    }

    void locksTaken() {
      lockStart = System.nanoTime();
    }

    void locksReleased() {
      if (lockStart >= 0 && locksHeldMs == null) {
        locksHeldMs = millis(System.nanoTime() - lockStart);
      }
    }

    StatementTimings result() {
      return new StatementTimings(withTexts(ran, texts), locksHeldMs);
    }
  }

  /**
   * {@code ran}, each with the first line of its text in {@code texts} (same order) when it is one of
   * the statements whose text is kept (the {@link #TEXTS_KEPT} slowest and the last sent: the failing one, if
   * any), without a text otherwise.
   */
  static List<StatementTiming> withTexts(List<StatementTiming> ran, List<String> texts) {
    java.util.Set<Integer> kept = kept(ran);
    List<StatementTiming> out = new ArrayList<>(ran.size());
    for (int i = 0; i < ran.size(); i++) {
      StatementTiming s = ran.get(i);
      out.add(kept == null || kept.contains(s.index())
          ? new StatementTiming(s.index(), s.line(), firstLine(texts.get(i)), s.durationMs())
          : new StatementTiming(s.index(), s.line(), null, s.durationMs()));
    }
    return out;
  }

  /** The indexes of the statements whose text is kept: the {@link #TEXTS_KEPT} slowest and the last; null: all. */
  private static java.util.Set<Integer> kept(List<StatementTiming> ran) {
    if (ran.size() <= TEXTS_KEPT) {
      return null;
    }
    java.util.Set<Integer> kept = new java.util.HashSet<>();
    new StatementTimings(ran, null).slowest(TEXTS_KEPT).forEach(s -> kept.add(s.index()));
    kept.add(ran.get(ran.size() - 1).index());
    return kept;
  }
}

package dev.cutter.report;

import dev.cutter.core.blockers.QueryText;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import java.util.List;
import java.util.Locale;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the row values the server quotes in its errors (SPEC section 6): {@code Key (card)=(4111…)
 * already exists.}, {@code Failing row contains (…).}, {@code invalid input syntax for type integer:
 * "…"}. A report, stdout and the logs keep the column, constraint and table names and lose the
 * values, unless the operator asked for them ({@code --show-values}); so does the CONTEXT of an
 * error in {@code COPY … FROM STDIN} data ({@code COPY t, line 3, column b: "…"}) or in JSON
 * input ({@code JSON data, line 1: …}), and the literals of a statement a CONTEXT quotes
 * ({@code SQL statement "insert … values ('…')"}: dynamic SQL built from rows). Which part of an error is a
 * value is decided from its SQLSTATE and the fixed shape of the server's DETAIL and message, never
 * from what the value looks like.
 */
public final class RowValues {

  /** What replaces a value. */
  static final String MASK = SecretScanner.MASK;

  /** A DETAIL of class 22 or 23 whose shape is not one of the server's known ones is withheld whole. */
  static final String WITHHELD = "(withheld: it may quote row values; --show-values shows it)";

  /** A column list and its values: {@code (a, b)=(1, x)}; the names end at the first {@code )=(}. */
  private static final String PAIR = "\\((.*?)\\)=\\((.*)\\)";

  /** The server's DETAIL shapes of class 23 (errdetail in nbtree, ri_triggers, execIndexing, execMain, execPartition). */
  private static final List<Pattern> DETAILS = List.of(
      Pattern.compile("Key " + PAIR + " (?:already exists|is duplicated)\\.", Pattern.DOTALL),
      Pattern.compile("Key " + PAIR + " is (?:not present in|still referenced from) table (?:\"(?:[^\"]|\"\")*\"|\\S+)\\.",
          Pattern.DOTALL),
      Pattern.compile("Key " + PAIR + " conflicts with (?:existing )?key " + PAIR + "\\.", Pattern.DOTALL),
      Pattern.compile("Failing row contains \\((.*)\\)\\.", Pattern.DOTALL),
      Pattern.compile("Partition key of the failing row contains \\((.*?)\\) = \\((.*)\\)\\.", Pattern.DOTALL));

  /** DETAILs of class 23 that quote no value. */
  private static final List<Pattern> VALUE_FREE_DETAILS = List.of(
      Pattern.compile("Key is (?:not present in|still referenced from) table (?:\"(?:[^\"]|\"\")*\"|\\S+)\\."),
      Pattern.compile("MATCH FULL does not allow mixing of null and nonnull key values\\."));

  /** Class 22 messages that end in the rejected input, e.g. {@code invalid input syntax for type integer: "x"}. */
  private static final Pattern TRAILING_INPUT = Pattern.compile("(.*?: )\"(.*)\"", Pattern.DOTALL);
  /** {@code value "…" is out of range for type …}. */
  private static final Pattern OUT_OF_RANGE = Pattern.compile("(value \")(.*)(\" is out of range for type .*)",
      Pattern.DOTALL);

  /** The same shapes where a DETAIL or message was copied into other text (a root cause, a check's message). */
  private static final List<Pattern> IN_TEXT = List.of(
      Pattern.compile("Key \\((.*?)\\)=\\((.*?)\\)(?= (?:already exists|is duplicated|is not present in table"
          + "|is still referenced from table|conflicts with (?:existing )?key))"),
      Pattern.compile("conflicts with (?:existing )?key \\((.*?)\\)=\\((.*?)\\)(?=\\.)"),
      Pattern.compile("Failing row contains \\((.*?)(?=\\)(?:[.)\\s]|$))"),
      Pattern.compile("Partition key of the failing row contains \\((.*?)\\) = \\((.*?)\\)(?=\\.)"),
      Pattern.compile("(?:invalid input syntax for type [\\w .\\[\\]\"]+|invalid input value for enum \\S+"
          + "|date/time field value out of range|malformed (?:array|range|multirange|record) literal): \"(.*?)\""
          + "(?= \\(SQLSTATE 22|$|;|\\))"),
      Pattern.compile("invalid value \"(.*?)\" for \""),
      // any other class 22 message copied with its SQLSTATE: the input it quotes last, as message() masks it
      Pattern.compile("(?<=: )\"(.*?)\"(?= \\(SQLSTATE 22[0-9A-Z]{3}\\))"),
      Pattern.compile("value \"(.*?)\" is out of range for type"),
      // the CONTEXT of an error in COPY data quotes the field or the whole line; COPY's is the outermost
      // context, so the value runs to the text's last quote (anything after it is masked too)
      Pattern.compile("COPY [^\n]+?, line \\d+(?:, column [^\n]+?)?: \"(.*)\"", Pattern.DOTALL),
      // the CONTEXT of JSON input the server could not parse quotes its line up to the bad token
      // (jsonfuncs' json_errcontext: "JSON data, line 1: {…"): a row's text cast to json or jsonb
      Pattern.compile("JSON data, line \\d+: ([^\n]+)"));

  private RowValues() {}

  /** {@code report} with the values in its failed statement (message, DETAIL) masked; everything else as it was. */
  public static RunReport mask(RunReport report) {
    if (report.online() != null) {
      report = report.withOnline(report.online().withFailedMessage(RowValues::message));
    }
    ApplyInfo a = report.apply();
    if (a == null || a.failedStatement() == null) {
      return report;
    }
    FailedStatement f = a.failedStatement();
    FailedStatement masked = new FailedStatement(f.index(), f.line(), f.sqlstate(), message(f.sqlstate(), f.message()),
        detail(f.sqlstate(), f.detail()), f.hint(), f.where());
    ApplyInfo apply = new ApplyInfo(a.status(), a.statementsTotal(), a.statementsExecuted(), a.transaction(),
        a.wrapperAbsorbed(), a.committedStatements(), masked);
    return report.withApply(apply);
  }

  /**
   * The DETAIL of an error with {@code sqlstate}, its values masked: for class 23 (integrity
   * constraint violation) the key and failing-row values in the server's known shapes, anything
   * else of class 22 or 23 withheld whole; other classes quote no row values and are kept.
   */
  static String detail(String sqlstate, String detail) {
    if (detail == null || detail.isBlank()) {
      return detail;
    }
    String cls = errorClass(sqlstate);
    if (!cls.equals("23") && !cls.equals("22")) {
      return detail;
    }
    String d = detail.strip();
    if (cls.equals("23")) {
      for (Pattern p : VALUE_FREE_DETAILS) {
        if (p.matcher(d).matches()) {
          return detail;
        }
      }
      for (Pattern p : DETAILS) {
        Matcher m = p.matcher(d);
        if (m.matches()) {
          return maskValues(d, List.of(m.toMatchResult()));
        }
      }
    }
    return WITHHELD;
  }

  /** The message of an error with {@code sqlstate}: class 22 messages lose the input they quote. */
  static String message(String sqlstate, String message) {
    if (message == null || !errorClass(sqlstate).equals("22")) {
      return message;
    }
    Matcher range = OUT_OF_RANGE.matcher(message);
    if (range.matches()) {
      return range.group(1) + MASK + range.group(3);
    }
    Matcher trailing = TRAILING_INPUT.matcher(message);
    if (trailing.matches()) {
      return trailing.group(1) + "\"" + MASK + "\"";
    }
    return message;
  }

  /**
   * The statement a CONTEXT line quotes ({@code SQL statement "…"}, PL/pgSQL's and SQL functions'):
   * verbatim, up to the quote that ends its line before the next context line or the end.
   */
  private static final Pattern CONTEXT_STATEMENT = Pattern.compile("SQL statement \"(.*?)\"(?=\n[A-Z]|\s*$)",
      Pattern.DOTALL);

  /** Free text that may carry a copied DETAIL or class 22 message: the values in those shapes masked. */
  static String text(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    // a statement run by EXECUTE was built by the code, often from rows (format's %L): every literal
    // in it is masked, as in another session's query (QueryText)
    String out = CONTEXT_STATEMENT.matcher(text).replaceAll(
        m -> Matcher.quoteReplacement("SQL statement \"" + QueryText.masked(m.group(1)) + "\""));
    for (Pattern p : IN_TEXT) {
      out = maskValues(out, p.matcher(out).results().toList());
    }
    return out;
  }

  /** In each match, the value groups (the even ones of a pair, or the only one) become {@link #MASK}. */
  private static String maskValues(String text, List<MatchResult> matches) {
    StringBuilder out = new StringBuilder();
    int last = 0;
    for (MatchResult m : matches) {
      boolean pairs = m.groupCount() % 2 == 0;
      for (int g = pairs ? 2 : 1; g <= m.groupCount(); g += pairs ? 2 : 1) {
        if (m.group(g) != null && !m.group(g).equals(MASK)) {
          out.append(text, last, m.start(g)).append(MASK);
          last = m.end(g);
        }
      }
    }
    return out.append(text, last, text.length()).toString();
  }

  private static String errorClass(String sqlstate) {
    return sqlstate == null || sqlstate.length() < 2 ? "" : sqlstate.substring(0, 2).toUpperCase(Locale.ROOT);
  }
}

package dev.cutter.core.sql;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether SQL text a package hands the server as a check ({@code sql: {query: …}}) is what a
 * check may be: exactly one query. Split with the executor's splitter, so that what counts as
 * one statement here is what psql would send as one; then the statement must start with
 * {@code SELECT}, {@code WITH}, {@code VALUES}, {@code TABLE}, {@code SHOW} or a parenthesis.
 *
 * <p>This is the first of three layers. It refuses, by syntax, a second statement, transaction
 * control, {@code DO}, {@code CALL}, {@code SET}/{@code RESET}, {@code COPY}, {@code EXPLAIN} and
 * every command that is not a query. What a query can still do through a function call ({@code
 * set_config(…)}, a planted invoker's-rights function) no syntax check can see: the check
 * session stops it, being READ ONLY, sent over the extended query protocol (one statement per
 * message, the server refuses more), and authenticated as apply_role.
 */
public final class CheckQuery {

  /** The words a check query may start with. */
  public static final List<String> FIRST_WORDS = List.of("select", "with", "values", "table", "show");

  private static final Set<String> ALLOWED = Set.copyOf(FIRST_WORDS);

  private CheckQuery() {}

  /** Why a text is not a check query. */
  public enum Reason {
    /** Only comments or nothing at all. */
    EMPTY,
    /** The splitter found a problem: an unterminated quote, comment or dollar quote, a psql variable. */
    MALFORMED,
    /** More than one statement. */
    SEVERAL_STATEMENTS,
    /** A psql meta-command ({@code \!}, {@code \c}, …). */
    META_COMMAND,
    /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, … */
    TRANSACTION_CONTROL,
    /** Any other command: DO, CALL, SET, RESET, COPY, EXPLAIN, DDL, DML, … */
    NOT_A_QUERY
  }

  /** What {@link #examine} decided. */
  public sealed interface Verdict permits Query, Refused {}

  /** One query, with its text as psql would send it. */
  public record Query(String text) implements Verdict {}

  /**
   * Not a check query; {@code line} is the 1-based line within the text where the offending
   * statement starts (0 when not known).
   */
  public record Refused(Reason reason, int line, String message) implements Verdict {}

  /** Decides whether {@code sql} is exactly one query. */
  public static Verdict examine(String sql) {
    SplitResult split = SqlSplitter.split("query", sql);
    if (!split.problems().isEmpty()) {
      var p = split.problems().get(0);
      return new Refused(Reason.MALFORMED, p.line(), "the query cannot be split as psql would: " + p.message());
    }
    List<SqlStatement> statements = split.statements().stream().filter(s -> s.kind() != StatementKind.EMPTY).toList();
    if (statements.isEmpty()) {
      return new Refused(Reason.EMPTY, 0, "the query is empty (only comments)");
    }
    if (statements.size() > 1) {
      SqlStatement second = statements.get(1);
      return new Refused(Reason.SEVERAL_STATEMENTS, second.startLine(), "a check is exactly one statement; found "
          + statements.size() + ", the second (" + brief(second.text()) + ") on line " + second.startLine() + " of the query");
    }
    SqlStatement s = statements.get(0);
    switch (s.kind()) {
      case META_COMMAND:
        return new Refused(Reason.META_COMMAND, s.startLine(), "psql meta-command " + SqlSplitter.metaName(s.text())
            + " in a check; a check is one query starting with " + allowed());
      case TRANSACTION_CONTROL:
        return new Refused(Reason.TRANSACTION_CONTROL, s.startLine(), "transaction control (" + brief(s.text())
            + ") in a check; a check is one query that runs inside cutter's read-only transaction");
      default:
        break;
    }
    if (joinedBySemicolon(s.text())) {
      return new Refused(Reason.SEVERAL_STATEMENTS, s.startLine(), "a check is exactly one statement; this one holds"
          + " several joined by \\; (psql sends them in one message)");
    }
    String first = firstWord(s.text());
    if (!ALLOWED.contains(first)) {
      return new Refused(Reason.NOT_A_QUERY, s.startLine(), "a check is one query starting with " + allowed()
          + ", not " + (first.isEmpty() ? brief(s.text()) : first.toUpperCase(Locale.ROOT)));
    }
    return new Query(s.text());
  }

  /** The first keyword, lower case, looking through opening parentheses; "" when the statement starts otherwise. */
  private static String firstWord(String text) {
    StatementClassifier.Tokens t = new StatementClassifier.Tokens(text);
    while (t.next()) {
      if (t.isPunct('(')) {
        continue;
      }
      return t.type == StatementClassifier.Tokens.WORD ? t.lowerWord() : "";
    }
    return "";
  }

  /** True when a {@code ;} outside quotes and comments is followed by more SQL: psql's {@code \;} joins. */
  private static boolean joinedBySemicolon(String text) {
    StatementClassifier.Tokens t = new StatementClassifier.Tokens(text);
    boolean afterSemicolon = false;
    while (t.next()) {
      if (t.isPunct(';')) {
        afterSemicolon = true;
      } else if (afterSemicolon) {
        return true;
      }
    }
    return false;
  }

  /** The statement's first line, without its terminator, at most 60 characters: for messages. */
  private static String brief(String text) {
    String line = text.strip().lines().findFirst().orElse("").strip();
    if (line.endsWith(";")) {
      line = line.substring(0, line.length() - 1).stripTrailing();
    }
    return line.length() <= 60 ? line : line.substring(0, 59) + "…";
  }

  private static String allowed() {
    List<String> upper = FIRST_WORDS.stream().map(w -> w.toUpperCase(Locale.ROOT)).toList();
    return String.join(", ", upper.subList(0, upper.size() - 1)) + " or " + upper.get(upper.size() - 1);
  }
}

package dev.cutter.core.exec;

import dev.cutter.core.sql.LexingSettings;
import java.util.Locale;
import java.util.Set;
import org.postgresql.core.QueryExecutor;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Which statements of a pipelined window travel joined in one Query message, and what a result of
 * a joined message says about its statements.
 *
 * <p>A Query message holding several statements costs the server one ReadyForQuery, one flush and
 * one round of per-message bookkeeping instead of one per statement. Its results still map to its
 * statements by order (one CommandComplete, rows or error each, nothing for the rest of the message
 * after an error), with one difference: the server raw-parses the whole message before it runs its
 * first statement, so whatever the raw parser raises arrives before anything of the message ran.
 * A statement is joined only where that cannot change what the run reports, nor what an
 * operator's audit function recording {@code current_query()} stores (the whole message): the
 * sender joins nothing when the database has an event trigger that is not disabled, and only
 * statements whose leading command fires no trigger and runs no query ({@link
 * dev.cutter.core.sql.TriggerFree}), none after the first other one ({@link PipelinedSender#joinEnd});
 * of those, here:
 *
 * <ul>
 *   <li>its text ends with {@code ;} (a statement without one would run into the next, and its
 *       syntax error "at end of input" would become one "at or near" the next statement);
 *   <li>it holds no word or quoted name longer than 63 bytes (the lexer's "identifier … will be
 *       truncated" NOTICE has no position and would arrive before the message's first statement
 *       ran) and not the word {@code global} (the grammar's "GLOBAL is deprecated" WARNING);
 *   <li>it names none of {@code current_query}, {@code statement_timestamp}, {@code
 *       pg_stat_activity}, which show the whole message or its arrival time;
 *   <li>a statement that may change how later text is lexed or what later statements see of the
 *       session ({@code SET}, {@code RESET}, {@code set_config}, {@code pg_reload_conf} (a reload
 *       takes effect between messages), or naming {@code standard_conforming_strings}, {@code
 *       backslash_quote}, {@code escape_string_warning}) is the last of its message, and nothing
 *       after it in its window is joined;
 *   <li>a statement whose reading depends on the lexer's settings ({@link LexingSettings#matter}: a
 *       backslash in a plain {@code '…'} string, {@code \'} in an {@code E'…'} string, or {@code
 *       &'} of a {@code U&'…'} string, which the server refuses with {@code
 *       standard_conforming_strings} off) only opens a message, never joins one: the message is
 *       lexed whole before its first statement runs, and a function an earlier statement of it
 *       runs (a DEFAULT, a CHECK or an index expression DDL evaluates) may have changed {@code
 *       standard_conforming_strings} or {@code backslash_quote} meanwhile, which psql, and a
 *       message of its own, would lex it under (the sender also waits for every earlier result
 *       and compares the setting the server reports with the one the split assumed, {@link
 *       PipelinedSender}). Text without them reads the same under any setting: a backslash in an
 *       {@code E'…'} string's other escapes, a comment, a dollar quote or a quoted name;
 *   <li>it is no {@code CREATE} naming {@code function} or {@code procedure} (every word counts): the
 *       server places an error in a routine's body by searching the whole message for the body's
 *       text ({@code function_parse_error_transpose}), and would find it in another statement;
 *   <li>it is no {@code ALTER} naming {@code type} or {@code expression}: changing a column's type
 *       (or, from PostgreSQL 17, a generated column's expression) rebuilds its indexes and
 *       constraints from text the server writes itself, and an error there has a position in that
 *       text, which would name another statement of the message.
 * </ul>
 *
 * <p>The session must be PostgreSQL 13 or later (statement_timeout applies to each statement of a
 * message only from 13 on), with {@code standard_conforming_strings} on and the server encoding
 * UTF8 (positions count characters, and a message is converted as a whole before it is parsed).
 * The lexer's escape-string WARNINGs come only with {@code standard_conforming_strings} off.
 */
final class Joining {

  /** Longest name the server keeps whole (NAMEDATALEN - 1). */
  static final int NAME_BYTES = 63;

  /** What the sender does with one pipelinable statement. */
  enum Kind {
    /** Its own Query message. */
    OWN,
    /** Joined with its neighbours. */
    JOINS,
    /** Joined after its predecessors, the last of its message; nothing after it in its window joins. */
    ENDS,
    /** The first of its message (lexed as it would be alone); what follows may join it. */
    LEADS,
    /** Its own Query message, and nothing after it in its window joins (an {@code ENDS} that cannot join). */
    CLOSES
  }

  private static final Set<String> MESSAGE_BOUND = Set.of("current_query", "statement_timestamp", "pg_stat_activity",
      "global");
  private static final Set<String> LEXING = Set.of("standard_conforming_strings", "backslash_quote",
      "escape_string_warning", "set_config", "pg_reload_conf");

  /** The source files of the server's raw parser (an error raised there belongs to the whole message). */
  private static final Set<String> RAW_PARSER_FILES = Set.of("scan.l", "gram.y", "parser.c", "scansup.c", "scan.c",
      "gram.c");

  private Joining() {}

  /** True when the session behind {@code qe} may have statements joined now. */
  static boolean allowed(QueryExecutor qe) {
    return qe.getServerVersionNum() >= 130000 && qe.getStandardConformingStrings()
        && "UTF8".equalsIgnoreCase(qe.getParameterStatus("server_encoding"));
  }

  /** The decision for a statement split with {@code standard_conforming_strings} on. */
  static Kind kind(String text) {
    return kind(text, LexingSettings.matter(text, Boolean.TRUE));
  }

  /**
   * The decision for a statement the sender pipelines ({@link PipelinedSender#pipelinable});
   * {@code lexing}: its reading depends on the lexer's settings ({@link ExecStatement#readingDependsOnSettings}).
   */
  static Kind kind(String text, boolean lexing) {
    int end = text.length();
    while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (end == 0 || text.charAt(end - 1) != ';') {
      return Kind.OWN;
    }
    boolean ends = false;
    boolean routine = false;
    boolean retyped = false;
    String first = null;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char ch = text.charAt(i);
      if (first == null && Character.isWhitespace(ch)) {
        i++;
      } else if (first == null && ch == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
      } else if (first == null && ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
        i = afterComment(text, i);
      } else if (ch == '"') {
        // a run of quotes of odd length holds a name's opening or closing quote (two in a row are
        // one quote inside a name); every span between two such runs is measured, whatever it is
        int j = i;
        while (j < n && text.charAt(j) == '"') {
          j++;
        }
        if (((j - i) & 1) == 1) {
          int k = j;
          for (;;) {
            while (k < n && text.charAt(k) != '"') {
              k++;
            }
            if (k >= n) {
              break;
            }
            int r = k;
            while (r < n && text.charAt(r) == '"') {
              r++;
            }
            if (((r - k) & 1) == 1) {
              break;
            }
            k = r;
          }
          // bytes between the odd runs, quotes included except one at each end: never fewer than the name's
          if (utf8Bytes(text, i + 1, Math.min(k + 1, n)) - 1 > NAME_BYTES) {
            return Kind.OWN;
          }
        }
        if (first == null) {
          first = "";
        }
        i = j;
      } else if (isWordChar(ch)) {
        int j = i;
        while (j < n && isWordChar(text.charAt(j))) {
          j++;
        }
        if (utf8Bytes(text, i, j) > NAME_BYTES) {
          return Kind.OWN;
        }
        if (j - i <= 27) {
          String w = text.substring(i, j).toLowerCase(Locale.ROOT);
          if (MESSAGE_BOUND.contains(w)) {
            return Kind.OWN;
          }
          routine |= w.equals("function") || w.equals("procedure");
          retyped |= w.equals("type") || w.equals("expression");
          if (LEXING.contains(w) || first == null && (w.equals("set") || w.equals("reset"))) {
            ends = true;
          }
          if (first == null) {
            first = w;
          }
        }
        i = j;
      } else {
        if (first == null) {
          first = "";
        }
        i++;
      }
    }
    if (routine && "create".equals(first) || retyped && "alter".equals(first)) {
      return Kind.OWN;
    }
    if (lexing) {
      return ends ? Kind.CLOSES : Kind.LEADS;
    }
    return ends ? Kind.ENDS : Kind.JOINS;
  }

  private static int afterComment(String text, int i) {
    int depth = 0;
    int n = text.length();
    while (i < n) {
      if (text.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (text.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  /** Letters, digits, {@code _}, {@code $} and every non-ASCII character: what a name is made of. */
  private static boolean isWordChar(char ch) {
    return ch >= 0x80 || ch == '_' || ch == '$' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
        || (ch >= '0' && ch <= '9');
  }

  /** UTF-8 bytes of {@code text[from, to)} (a surrogate counts 2, a pair 4). */
  static int utf8Bytes(String text, int from, int to) {
    int n = 0;
    for (int k = from; k < to; k++) {
      char ch = text.charAt(k);
      n += ch < 0x80 ? 1 : ch < 0x800 ? 2 : Character.isSurrogate(ch) ? 2 : 3;
    }
    return n;
  }

  /**
   * True when {@code e}, the first result of a joined message and without a position, may come
   * from the raw parse of the whole message rather than from its first statement: the server
   * names a raw parser file, names none, or the error is one of resources, program limits or an
   * internal error (any phase can raise those).
   */
  static boolean mayBeRawParse(java.sql.SQLException e) {
    ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (m == null || m.getFile() == null) {
      return true;
    }
    String state = m.getSQLState() == null ? "" : m.getSQLState();
    return RAW_PARSER_FILES.contains(m.getFile()) || state.startsWith("53") || state.startsWith("54")
        || state.startsWith("XX");
  }

  /** The position (1-based, in characters) an error or notice names in its message's text, 0 for none. */
  static int position(java.sql.SQLException e) {
    ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    return m == null ? 0 : m.getPosition();
  }

  /** The position a notice names, 0 for none. */
  static int position(java.sql.SQLWarning w) {
    ServerErrorMessage m = w instanceof org.postgresql.util.PSQLWarning p ? p.getServerErrorMessage() : null;
    return m == null ? 0 : m.getPosition();
  }

  /** Characters as the server counts them (code points) of {@code text}. */
  static int characters(String text) {
    return text.codePointCount(0, text.length());
  }
}

package dev.cutter.core.sql;

import java.util.Locale;

/**
 * Classifies one statement by its leading tokens (comments skipped, keywords case-insensitive,
 * never by substring), following psql-semantics section 3 for what cannot run in a transaction.
 */
final class StatementClassifier {

  private StatementClassifier() {}

  static StatementKind classify(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || t.isPunct(';')) {
      return StatementKind.EMPTY;
    }
    if (t.type != Tokens.WORD) {
      return StatementKind.SQL;
    }
    return byFirstWord(t);
  }

  private static StatementKind byFirstWord(Tokens t) {
    if (t.isWord("begin") || t.isWord("end") || t.isWord("abort") || t.isWord("savepoint") || t.isWord("release")) {
      return StatementKind.TRANSACTION_CONTROL;
    }
    if (t.isWord("commit") || t.isWord("rollback")) {
      return t.next() && t.isWord("prepared") ? StatementKind.NON_TRANSACTIONAL : StatementKind.TRANSACTION_CONTROL;
    }
    if (t.isWord("start") || t.isWord("prepare")) {
      return t.next() && t.isWord("transaction") ? StatementKind.TRANSACTION_CONTROL : StatementKind.SQL;
    }
    if (t.isWord("copy")) {
      return copyFromStdin(t) ? StatementKind.COPY_FROM_STDIN : StatementKind.SQL;
    }
    if (t.isWord("vacuum")) {
      return StatementKind.NON_TRANSACTIONAL;
    }
    boolean nonTransactional;
    if (t.isWord("create")) {
      nonTransactional = create(t);
    } else if (t.isWord("alter")) {
      nonTransactional = alter(t);
    } else if (t.isWord("drop")) {
      nonTransactional = drop(t);
    } else if (t.isWord("reindex")) {
      nonTransactional = reindex(t);
    } else if (t.isWord("cluster")) {
      nonTransactional = clusterWithoutTable(t);
    } else if (t.isWord("discard")) {
      nonTransactional = t.next() && t.isWord("all");
    } else {
      nonTransactional = false;
    }
    return nonTransactional ? StatementKind.NON_TRANSACTIONAL : StatementKind.SQL;
  }

  /** {@code BEGIN}, {@code BEGIN WORK|TRANSACTION} or {@code START TRANSACTION}, with no transaction modes. */
  static boolean isPlainBegin(String text) {
    Tokens t = new Tokens(text);
    if (!t.next()) {
      return false;
    }
    if (t.isWord("begin")) {
      return t.next() && (t.isWord("work") || t.isWord("transaction")) ? endsHere(t) : atEnd(t);
    }
    return t.isWord("start") && t.next() && t.isWord("transaction") && endsHere(t);
  }

  /** {@code COMMIT} or {@code END}, optionally {@code WORK|TRANSACTION}, without {@code AND CHAIN}. */
  static boolean isPlainCommit(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || !(t.isWord("commit") || t.isWord("end"))) {
      return false;
    }
    return t.next() && (t.isWord("work") || t.isWord("transaction")) ? endsHere(t) : atEnd(t);
  }

  /**
   * The value a {@code SET [SESSION|LOCAL] standard_conforming_strings …} or {@code RESET
   * standard_conforming_strings|ALL} statement gives the setting, or null if the statement does
   * not change it (or gives a value the server rejects).
   */
  static Boolean standardConformingStringsSetTo(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || !(t.isWord("set") || t.isWord("reset"))) {
      return null;
    }
    if (t.isWord("reset")) {
      return t.next() && (t.isWord("standard_conforming_strings") || t.isWord("all")) && endsHere(t) ? Boolean.TRUE : null;
    }
    if (!t.isWord("set") || !t.next()) {
      return null;
    }
    if (t.isWord("session") || t.isWord("local")) {
      if (!t.next()) {
        return null;
      }
    }
    if (!t.isWord("standard_conforming_strings") || !t.next() || !(t.isWord("to") || t.isPunct('='))) {
      return null;
    }
    if (!t.next()) {
      return null;
    }
    String v = t.type == Tokens.STRING ? t.stringValue() : t.text().toLowerCase(Locale.ROOT);
    if (!endsHere(t)) {
      return null;
    }
    switch (v.toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1", "default":
        return Boolean.TRUE;
      case "off", "false", "no", "0":
        return Boolean.FALSE;
      default:
        return null;
    }
  }

  /**
   * For a COPY that reads or writes on the server's side — {@code TO|FROM 'file'} or
   * {@code TO|FROM PROGRAM 'command'} — the offset in {@code text} of the file name or of
   * PROGRAM; -1 for any other statement (COPY … STDIN/STDOUT included).
   */
  static int serverSideCopyOffset(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || !t.isWord("copy")) {
      return -1;
    }
    while (t.next() && !t.isPunct(';')) {
      if (t.depth == 0 && (t.isWord("to") || t.isWord("from"))) {
        if (!t.next()) {
          return -1;
        }
        return t.type == Tokens.STRING || t.isWord("program") ? t.start : -1;
      }
    }
    return -1;
  }

  /** How a {@code COPY} moves its rows, when that is not a plain {@code FROM STDIN} in text or CSV. */
  enum CopyForm { FROM_STDIN_BINARY, TO_STDOUT, PROGRAM, OTHER }

  /**
   * For a {@code COPY} statement, whether it reads binary data from STDIN ({@code BINARY} before
   * the table, {@code WITH BINARY}, {@code FORMAT binary}), writes to STDOUT, or runs a program
   * ({@code TO|FROM PROGRAM}); {@link CopyForm#OTHER} for anything else (a WHERE clause's words
   * are not options).
   */
  static CopyForm copyForm(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || !t.isWord("copy")) {
      return CopyForm.OTHER;
    }
    boolean binary = false;
    boolean fromStdin = false;
    while (t.next() && !t.isPunct(';')) {
      if (t.depth == 0 && (t.isWord("to") || t.isWord("from"))) {
        boolean to = t.isWord("to");
        if (!t.next()) {
          return CopyForm.OTHER;
        }
        if (t.isWord("program")) {
          return CopyForm.PROGRAM;
        }
        if (to) {
          return t.isWord("stdout") ? CopyForm.TO_STDOUT : CopyForm.OTHER;
        }
        fromStdin = t.isWord("stdin");
        if (!fromStdin) {
          return CopyForm.OTHER;
        }
      } else if (t.depth == 0 && fromStdin && t.isWord("where")) {
        break;
      } else if (t.isWord("binary") || (t.type == Tokens.STRING && t.stringValue().equalsIgnoreCase("binary"))) {
        binary = true;
      }
    }
    return binary && fromStdin ? CopyForm.FROM_STDIN_BINARY : CopyForm.OTHER;
  }

  /**
   * True when {@code text}, lexed as the splitter lexed it with {@code standard_conforming_strings}
   * on, may be read otherwise by a server whose lexer settings differ: a plain {@code '…'} string
   * (also {@code N'…'}, {@code B'…'}, a string after a type name) holding a backslash, which
   * {@code standard_conforming_strings} off reads as an escape; an {@code E'…'} string holding
   * {@code \'}, which {@code backslash_quote} off refuses (escapes walked pair by pair, so {@code
   * \\'} is an escaped backslash and the closing quote); or {@code &'} anywhere (a {@code U&'…'}
   * string, refused with {@code standard_conforming_strings} off; conservative). Backslashes in
   * comments, dollar quotes and quoted names read the same under every setting.
   */
  static boolean readsOtherwiseUnderOtherSettings(String text) {
    if (text.indexOf("&'") >= 0) {
      return true;
    }
    if (text.indexOf('\\') < 0) {
      return false;
    }
    Tokens t = new Tokens(text);
    while (t.next()) {
      if (t.type != Tokens.STRING) {
        continue;
      }
      char c = text.charAt(t.start);
      if (c == '\'') {
        int b = text.indexOf('\\', t.start);
        if (b >= 0 && b < t.end) {
          return true;
        }
      } else if (c == 'e' || c == 'E') {
        for (int p = t.start + 2; p < t.end; p++) {
          if (text.charAt(p) == '\\') {
            if (p + 1 < t.end && text.charAt(p + 1) == '\'') {
              return true;
            }
            p++; // the escaped character, whatever it is
          }
        }
      }
    }
    return false;
  }

  /**
   * True when the statement's leading command can run no user code through a trigger and runs no
   * query: {@code CREATE} (not {@code CREATE … TABLE … AS}, {@code CREATE MATERIALIZED VIEW},
   * {@code CREATE EXTENSION}, {@code CREATE EVENT TRIGGER}), {@code ALTER} (not {@code ALTER
   * EXTENSION}, {@code ALTER EVENT TRIGGER}), {@code DROP}, {@code COMMENT}, {@code GRANT},
   * {@code REVOKE}, {@code SET} (not {@code SET CONSTRAINTS}, which fires deferred triggers) and
   * {@code RESET}. Every other command (INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY, SELECT,
   * CALL, DO, EXECUTE, WITH, VALUES, TABLE, REFRESH, …) is false.
   */
  static boolean firesNoTrigger(String text) {
    Tokens t = new Tokens(text);
    if (!t.next() || t.type != Tokens.WORD) {
      return false;
    }
    if (t.isWord("comment") || t.isWord("grant") || t.isWord("revoke") || t.isWord("drop") || t.isWord("reset")) {
      return true;
    }
    if (t.isWord("set")) {
      return !(t.next() && t.isWord("constraints"));
    }
    if (t.isWord("alter")) {
      return t.next() && !(t.isWord("extension") || t.isWord("event"));
    }
    if (!t.isWord("create") || !t.next()) {
      return false;
    }
    while (t.isWord("or") || t.isWord("replace") || t.isWord("unique") || t.isWord("temp") || t.isWord("temporary")
        || t.isWord("local") || t.isWord("global") || t.isWord("unlogged")) {
      if (!t.next()) {
        return false;
      }
    }
    if (t.type != Tokens.WORD || t.isWord("materialized") || t.isWord("extension") || t.isWord("event")) {
      return false;
    }
    if (t.isWord("table")) {
      // CREATE TABLE … AS query / AS EXECUTE: the only AS at depth 0 a CREATE TABLE can hold
      while (t.next()) {
        if (t.depth == 0 && t.isWord("as")) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether a token follows a {@code ;} outside parentheses, quotes, dollar quotes and comments:
   * the text may hold a second command (psql's {@code \\;}), or a {@code BEGIN ATOMIC} body's.
   */
  static boolean mayHoldASecondCommand(String text) {
    int first = text.indexOf(';');
    if (first < 0 || first == text.stripTrailing().length() - 1) {
      return false; // none, or only the one that ends the statement
    }
    Tokens t = new Tokens(text);
    boolean afterSemicolon = false;
    while (t.next()) {
      if (afterSemicolon) {
        return true;
      }
      afterSemicolon = t.depth == 0 && t.isPunct(';');
    }
    return false;
  }

  /** The first four tokens as written, comments left out, {@code …} if more follow: for messages. */
  static String summary(String text) {
    Tokens t = new Tokens(text);
    StringBuilder b = new StringBuilder();
    int taken = 0;
    while (t.next() && !t.isPunct(';')) {
      if (taken == 4) {
        return b.append(" …").toString();
      }
      if (taken++ > 0) {
        b.append(' ');
      }
      b.append(text, t.start, Math.min(t.end, t.start + 40));
    }
    return b.length() == 0 ? "(empty statement)" : b.toString();
  }

  private static boolean atEnd(Tokens t) {
    return t.type == Tokens.END || t.isPunct(';');
  }

  private static boolean endsHere(Tokens t) {
    return !t.next() || t.isPunct(';');
  }

  private static boolean copyFromStdin(Tokens t) {
    while (t.next()) {
      if (t.depth == 0 && t.isWord("from")) {
        return t.next() && t.isWord("stdin");
      }
    }
    return false;
  }

  /** {@code CLUSTER}, {@code CLUSTER VERBOSE} or {@code CLUSTER (options)}: every table at once. */
  private static boolean clusterWithoutTable(Tokens t) {
    while (t.next()) {
      if (t.depth > 0 || t.isPunct('(') || t.isPunct(')') || t.isWord("verbose")) {
        continue;
      }
      return t.isPunct(';');
    }
    return true;
  }

  private static boolean create(Tokens t) {
    if (!t.next()) {
      return false;
    }
    if (t.isWord("unique") && !t.next()) {
      return false;
    }
    if (t.isWord("index")) {
      return t.next() && t.isWord("concurrently");
    }
    if (t.isWord("subscription")) {
      return createsSlot(t);
    }
    return t.isWord("database") || t.isWord("tablespace");
  }

  /**
   * {@code CREATE SUBSCRIPTION} creates its replication slot, which the server refuses in a
   * transaction block, unless {@code connect = false} or {@code create_slot = false} is given.
   */
  private static boolean createsSlot(Tokens t) {
    String option = null;
    while (t.next()) {
      if (t.depth == 1 && (t.isWord("connect") || t.isWord("create_slot"))) {
        option = t.lowerWord();
      } else if (option != null && t.isPunct('=')) {
        if (t.next() && isFalse(t)) {
          return false;
        }
        option = null;
      } else {
        option = null;
      }
    }
    return true;
  }

  /** A boolean option value the server reads as false: {@code false}, {@code off}, {@code 0}, quoted or not. */
  private static boolean isFalse(Tokens t) {
    String v = t.type == Tokens.STRING ? t.stringValue() : t.text();
    return v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off") || v.equals("0");
  }

  private static boolean drop(Tokens t) {
    if (!t.next()) {
      return false;
    }
    if (t.isWord("index")) {
      return t.next() && t.isWord("concurrently");
    }
    return t.isWord("database") || t.isWord("tablespace") || t.isWord("subscription");
  }

  /** {@code REINDEX [(… CONCURRENTLY …)] {SCHEMA|DATABASE|SYSTEM} …} or {@code REINDEX … CONCURRENTLY}. */
  private static boolean reindex(Tokens t) {
    boolean concurrently = false;
    while (t.next()) {
      if (t.depth > 0 && t.isWord("concurrently")) {
        concurrently = !(t.next() && t.depth > 0 && isFalse(t));
        if (t.isPunct(')')) {
          continue;
        }
      }
      if (t.depth == 0 && t.type == Tokens.WORD) {
        if (concurrently || t.isWord("schema") || t.isWord("database") || t.isWord("system")) {
          return true;
        }
        return t.next() && t.isWord("concurrently");
      }
    }
    return false;
  }

  private static boolean alter(Tokens t) {
    if (!t.next()) {
      return false;
    }
    if (t.isWord("system")) {
      return true;
    }
    if (t.isWord("database")) {
      return followedBy(t, "set", "tablespace");
    }
    if (t.isWord("table")) {
      return detachConcurrently(t);
    }
    if (t.isWord("subscription")) {
      return subscriptionRefresh(t);
    }
    return false;
  }

  /** Whether the words {@code a b} follow somewhere at parenthesis depth 0. */
  private static boolean followedBy(Tokens t, String a, String b) {
    boolean sawA = false;
    while (t.next()) {
      if (sawA && t.isWord(b)) {
        return true;
      }
      sawA = t.depth == 0 && t.isWord(a);
    }
    return false;
  }

  private static boolean detachConcurrently(Tokens t) {
    boolean detach = false;
    while (t.next()) {
      if (t.depth != 0) {
        continue;
      }
      if (t.isWord("detach")) {
        detach = true;
      } else if (detach && t.isWord("concurrently")) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code REFRESH PUBLICATION}, or {@code SET|ADD|DROP PUBLICATION} which refresh unless
   * {@code refresh = false} is given.
   */
  private static boolean subscriptionRefresh(Tokens t) {
    boolean publicationChange = false;
    String previous = "";
    while (t.next()) {
      String w = t.type == Tokens.WORD ? t.lowerWord() : t.text();
      if (w.equals("publication")) {
        if (previous.equals("refresh")) {
          return true;
        }
        if (previous.equals("set") || previous.equals("add") || previous.equals("drop")) {
          publicationChange = true;
        }
      }
      if (publicationChange && previous.equals("refresh") && w.equals("=")) {
        return !(t.next() && (t.isWord("false") || t.isWord("off") || t.text().equals("0")));
      }
      previous = w;
    }
    return publicationChange;
  }

  /** A small lexer over one statement's text: words, quoted names, literals and punctuation. */
  static final class Tokens {
    static final int END = 0;
    static final int WORD = 1;
    static final int QUOTED_NAME = 2;
    static final int STRING = 3;
    static final int OTHER = 4;

    private final String s;
    private int pos;
    int type = END;
    int start;
    int end;
    /** Parenthesis depth at this token (an opening parenthesis is at the outer depth). */
    int depth;
    private int nextDepth;

    Tokens(String s) {
      this.s = s;
    }

    boolean next() {
      skipSpaceAndComments();
      depth = nextDepth;
      start = pos;
      if (pos >= s.length()) {
        type = END;
        end = pos;
        return false;
      }
      char c = s.charAt(pos);
      if (c == '\'' || ((c == 'e' || c == 'E') && at(pos + 1) == '\'')) {
        pos = stringEnd(c == '\'' ? pos + 1 : pos + 2, c != '\'');
        type = STRING;
      } else if (c == '"') {
        pos = quotedNameEnd(pos + 1);
        type = QUOTED_NAME;
      } else if (c == '$' && dollarTagEnd(pos) > 0) {
        int tagEnd = dollarTagEnd(pos);
        String tag = s.substring(pos, tagEnd);
        int close = s.indexOf(tag, tagEnd);
        pos = close < 0 ? s.length() : close + tag.length();
        type = STRING;
      } else if (isWordChar(c) && !(c >= '0' && c <= '9') && c != '$') {
        while (pos < s.length() && isWordChar(s.charAt(pos))) {
          pos++;
        }
        type = WORD;
      } else {
        pos++;
        type = OTHER;
        if (c == '(') {
          nextDepth++;
        } else if (c == ')' && nextDepth > 0) {
          nextDepth--;
          depth = nextDepth;
        }
      }
      end = pos;
      return true;
    }

    String text() {
      return s.substring(start, end);
    }

    String lowerWord() {
      return text().toLowerCase(Locale.ROOT);
    }

    boolean isWord(String lowerKeyword) {
      return type == WORD && end - start == lowerKeyword.length() && s.regionMatches(true, start, lowerKeyword, 0, lowerKeyword.length());
    }

    boolean isPunct(char c) {
      return type == OTHER && end - start == 1 && s.charAt(start) == c;
    }

    /** The content of a plain string literal token. */
    String stringValue() {
      int open = s.indexOf('\'', start);
      return open < 0 || end - 1 <= open ? "" : s.substring(open + 1, end - 1).replace("''", "'");
    }

    private char at(int i) {
      return i < s.length() ? s.charAt(i) : 0;
    }

    private void skipSpaceAndComments() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
          pos++;
        } else if (c == '-' && at(pos + 1) == '-') {
          while (pos < s.length() && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
            pos++;
          }
        } else if (c == '/' && at(pos + 1) == '*') {
          pos = commentEnd(pos + 2);
        } else {
          return;
        }
      }
    }

    private int commentEnd(int p) {
      int depthInComment = 0;
      while (p < s.length()) {
        if (s.startsWith("*/", p)) {
          p += 2;
          if (depthInComment-- == 0) {
            return p;
          }
        } else if (s.startsWith("/*", p)) {
          depthInComment++;
          p += 2;
        } else {
          p++;
        }
      }
      return p;
    }

    private int stringEnd(int p, boolean backslashEscapes) {
      while (p < s.length()) {
        char c = s.charAt(p);
        if (backslashEscapes && c == '\\') {
          p += 2;
        } else if (c == '\'') {
          if (at(p + 1) == '\'') {
            p += 2;
          } else {
            return p + 1;
          }
        } else {
          p++;
        }
      }
      return s.length();
    }

    private int quotedNameEnd(int p) {
      while (p < s.length()) {
        if (s.charAt(p) == '"') {
          if (at(p + 1) != '"') {
            return p + 1;
          }
          p++;
        }
        p++;
      }
      return s.length();
    }

    /** The end of a dollar-quote delimiter starting at {@code p}, or -1. */
    private int dollarTagEnd(int p) {
      int e = p + 1;
      if (e < s.length() && isWordChar(s.charAt(e)) && !(s.charAt(e) >= '0' && s.charAt(e) <= '9') && s.charAt(e) != '$') {
        while (e < s.length() && s.charAt(e) != '$' && isWordChar(s.charAt(e))) {
          e++;
        }
      }
      return e < s.length() && s.charAt(e) == '$' ? e + 1 : -1;
    }

    private static boolean isWordChar(char c) {
      return c >= 128 || Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
  }
}

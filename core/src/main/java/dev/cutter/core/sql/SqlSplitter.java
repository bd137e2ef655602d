package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a SQL script into statements where psql 15 ends them ({@code psql -f}), with the text
 * psql sends for each.
 *
 * <p>One pass over a char array, following psql's lexer (src/fe_utils/psqlscan.l) and its line
 * loop (src/bin/psql/mainloop.c): quotes of every kind, dollar quotes, nested comments,
 * parentheses, BEGIN ATOMIC bodies, {@code \;}, backslash meta-commands, COPY data, a UTF-8 BOM,
 * leading whitespace and {@code --} lines dropped, empty lines outside quotes dropped, and
 * {@code SET standard_conforming_strings} taking effect from the next line. Where psql
 * demonstrably mis-splits text the server accepts, this follows the server:
 *
 * <ul>
 *   <li>{@code begin} opens a block only when {@code atomic} follows it, so a routine named
 *       {@code begin} ({@code create function public.begin()}) does not swallow what follows;
 *   <li>{@code end} and {@code case} after {@code .} or {@code AS} are names, not block keywords
 *       ({@code select t.end} inside a BEGIN ATOMIC body);
 *   <li>a string continued on the next line keeps its kind ({@code E'a'} newline {@code 'b\'c'}
 *       is one escape string), as in the server's lexer; psql restarts the literal.
 * </ul>
 *
 * <p>psql variables ({@code :name}) are not substituted: the text is what psql sends when none
 * is set; a reference to one of the variables psql defines by itself ({@code :DBNAME}, {@code
 * :'USER'}, …) or a {@code :{?name}} test is reported as a problem, since psql would replace it. Statements with a server-side effect on lexing other than {@code SET}/{@code RESET
 * standard_conforming_strings} (for example {@code set_config(...)}) are not followed here; each
 * statement records the setting it was lexed with ({@link SqlStatement#standardConformingStrings}),
 * and the apply refuses to send one whose reading depends on it when the server reports another.
 */
public final class SqlSplitter {

  private SqlSplitter() {}

  /** Splits {@code content} as psql would with {@code standard_conforming_strings = on}. */
  public static SplitResult split(String sourceName, String content) {
    return split(sourceName, content, true);
  }

  /** Splits {@code content}; {@code standardConformingStrings} is the server's setting at the start. */
  public static SplitResult split(String sourceName, String content, boolean standardConformingStrings) {
    return new Scan(sourceName, content.toCharArray(), standardConformingStrings).run();
  }

  /** The meta-commands after which psql runs a COPY … FROM STDIN and reads its data from the script. */
  static final Set<String> COPY_DATA_SENDERS = Set.of("\\g", "\\gx");

  /**
   * Why a NUL byte in COPY … FROM STDIN data is refused. psql reads the data with fgets and takes
   * each read's length with strlen: it sends the line up to the NUL, loses the rest of that read,
   * takes the next line for the same line's continuation (so a {@code \.} there does not end the
   * data) and does not count the line; for a NUL at the start of a line just after it flushed its
   * buffer it reads the byte before that buffer. What it sends thus depends on how full its 8 kB
   * buffer happens to be, and is not always defined: it cannot be reproduced exactly, so the file
   * is refused (the server refuses a NUL in text data anyway).
   */
  static final String NUL_IN_COPY_DATA = "a NUL byte in COPY … FROM STDIN data: psql would send the line only up to it,"
      + " drop the rest and join the next line to it; remove it";

  /**
   * Why a NUL byte outside COPY data is refused: psql reads the script with fgets and takes a
   * line's length with strlen, so it would run the line only up to the NUL and drop the rest,
   * which is not the text that was reviewed and signed.
   */
  static final String NUL_IN_SCRIPT = "a NUL byte: psql would read this line only up to it and drop the rest; remove it";

  /** Whether {@code c} is a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069). */
  static boolean isBidiControl(int c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }

  /** The refusal of bidirectional control {@code cp} in a script outside COPY data. */
  static String bidiControl(int cp) {
    return String.format("bidirectional control U+%04X: an editor or a diff shows this line in another order than the"
        + " server reads it, so reviewers may approve other SQL than runs; remove it (data that needs it can write"
        + " U&'\\%04X')", cp, cp);
  }

  /** Adds {@code d} before the first problem that stands after it in the file (the rest keep their order). */
  static void addInOrder(List<Diagnostic> problems, Diagnostic d) {
    int i = problems.size();
    while (i > 0 && (problems.get(i - 1).line() > d.line()
        || (problems.get(i - 1).line() == d.line() && problems.get(i - 1).column() > d.column()))) {
      i--;
    }
    problems.add(i, d);
  }

  /** Why a COPY … FROM STDIN sent by a meta-command other than {@link #COPY_DATA_SENDERS} is refused. */
  static String copySentByMessage(String name) {
    return "COPY … FROM STDIN sent by " + name + ": psql would not load its data as after ; or \\g (\\gdesc does not"
        + " run it, \\watch refuses COPY, the others expect rows); end it with ; and its data";
  }

  /** The command word of a meta-command line: {@code \echo} of {@code \echo hi}. */
  static String metaName(String command) {
    int end = 1;
    if (end < command.length() && Character.isLetter(command.charAt(end))) {
      while (end < command.length() && Character.isLetter(command.charAt(end))) {
        end++;
      }
    } else {
      end = Math.min(2, command.length());
    }
    return command.substring(0, end);
  }

  /** The mutable state of one split; one instance per call. */
  private static final class Scan {

    // string kinds: where a continued literal resumes
    private static final int NONE = 0;
    private static final int XQ = 1; // standard string: only '' escapes
    private static final int XE = 2; // escape string: backslash pairs and ''
    private static final int XB = 3; // bit or hex string: ends at the next quote

    // previous significant token, for the BEGIN ATOMIC refinements
    private static final int TOK_OTHER = 0;
    private static final int TOK_DOT = 1;
    private static final int TOK_AS = 2;

    /** The variables {@code psql -X} defines by itself (what psql 15's {@code \set} lists). */
    private static final Set<String> PSQL_VARIABLES = Set.of(
        "AUTOCOMMIT", "COMP_KEYWORD_CASE", "DBNAME", "ECHO", "ECHO_HIDDEN", "ENCODING", "ERROR", "FETCH_COUNT",
        "HIDE_TABLEAM", "HIDE_TOAST_COMPRESSION", "HISTCONTROL", "HISTSIZE", "HOST", "IGNOREEOF", "LAST_ERROR_MESSAGE",
        "LAST_ERROR_SQLSTATE", "ON_ERROR_ROLLBACK", "ON_ERROR_STOP", "PORT", "PROMPT1", "PROMPT2", "PROMPT3", "QUIET",
        "ROW_COUNT", "SERVER_VERSION_NAME", "SERVER_VERSION_NUM", "SHOW_ALL_RESULTS", "SHOW_CONTEXT", "SINGLELINE",
        "SINGLESTEP", "SQLSTATE", "USER", "VERBOSITY", "VERSION", "VERSION_NAME", "VERSION_NUM");

    /** Meta-commands that send the query buffer (or, when it is empty, the previous statement). */
    private static final Set<String> SENDING_COMMANDS =
        Set.of("\\g", "\\gx", "\\gset", "\\gexec", "\\gdesc", "\\watch", "\\crosstabview");

    /** ASCII classes: bit 1 identifier start, bit 2 identifier continuation. */
    private static final byte[] ASCII = new byte[128];

    static {
      for (char c = 'a'; c <= 'z'; c++) {
        ASCII[c] = 3;
        ASCII[Character.toUpperCase(c)] = 3;
      }
      ASCII['_'] = 3;
      for (char c = '0'; c <= '9'; c++) {
        ASCII[c] = 2;
      }
      ASCII['$'] = 2;
    }

    private final String source;
    private final char[] s;
    private final int n;
    private final List<SqlStatement> out = new ArrayList<>();
    private final List<Diagnostic> problems = new ArrayList<>();
    private final StringBuilder edited = new StringBuilder();

    private boolean std;
    private int pendingStd = -1; // -1 none, 0 off, 1 on: applied at the next line, as psql reads the setting per line
    /** COPY … FROM STDIN statements sent on the current line, in order: their data follows the line. */
    private final List<Integer> pendingCopies = new ArrayList<>(1);
    /** Where COPY data lies: a NUL there is refused as COPY data's, anywhere else as the script's. */
    private final CopySpans copySpans = new CopySpans();

    private int line = 1;
    private int stmtStart = -1;
    private int stmtLine;
    private int stmtColumn;
    /** The setting the open statement's first line was lexed with, and whether a later line had the other. */
    private boolean stmtStd;
    private boolean stmtStdChanged;
    private int segStart;
    private boolean isEdited;

    private int parenDepth;
    private int beginDepth;
    private int identCount;
    private final char[] idents = new char[4]; // psql's first four identifiers, as routine-prefix letters
    private boolean routine; // the statement begins CREATE [OR REPLACE] FUNCTION|PROCEDURE
    private boolean pendingBegin;
    private int prevTok;

    private int contKind = NONE; // a string just closed: the kind a continuation resumes
    private boolean contNewline;

    Scan(String source, char[] chars, boolean std) {
      this.source = source;
      this.s = chars;
      this.n = chars.length;
      this.std = std;
    }

    SplitResult run() {
      int p = n > 0 && s[0] == '\uFEFF' ? 1 : 0;
      while (p < n) {
        char c = s[p];
        switch (c) {
          case '\n':
            p = newlineOutsideQuotes(p);
            break;
          case '\r':
            contNewline = true;
            p++;
            break;
          case ' ', '\t', '\f':
            p++;
            break;
          case '-':
            p = p + 1 < n && s[p + 1] == '-' ? lineCommentEnd(p) : single(p);
            break;
          case '/':
            p = p + 1 < n && s[p + 1] == '*' ? blockComment(p) : single(p);
            break;
          case '\'':
            if (contKind != NONE && contNewline) {
              p = quoted(p + 1, contKind, line);
            } else {
              token(p);
              p = quoted(p + 1, std ? XQ : XE, line);
            }
            break;
          case '"':
            token(p);
            p = doubleQuoted(p + 1, line);
            break;
          case '$':
            p = dollar(p);
            break;
          case ';':
            p = semicolon(p);
            break;
          case '(':
            token(p);
            parenDepth++;
            p++;
            break;
          case ')':
            token(p);
            if (parenDepth > 0) {
              parenDepth--;
            }
            p++;
            break;
          case '.':
            p = dot(p);
            break;
          case ':':
            p = colon(p);
            break;
          case '\\':
            p = backslash(p);
            break;
          default:
            if (c >= '0' && c <= '9') {
              token(p);
              p = number(p);
            } else if (isIdentStart(c)) {
              p = word(p);
            } else {
              p = single(p);
            }
        }
      }
      finish();
      boolean nul = false;
      boolean bidi = false;
      for (char c : s) {
        nul |= c == '\0';
        bidi |= isBidiControl(c);
      }
      if (nul) {
        refuseNulsOutsideCopyData();
      }
      if (bidi) {
        copySpans.refuseBidiControls(source, n, q -> s[q], q -> isBidiControl(s[q]) ? s[q] : -1, this::columnOf, problems);
      }
      return new SplitResult(source, out, problems);
    }

    // ---- statement boundaries -------------------------------------------------------------

    /** Every token passes here: it starts the statement if none is open and ends lookaheads. */
    private void token(int p) {
      startText(p);
      pendingBegin = false;
      prevTok = TOK_OTHER;
    }

    /** Text that psql keeps (a token or a block comment) opens the statement and ends a string continuation. */
    private void startText(int p) {
      if (stmtStart < 0) {
        stmtStart = p;
        segStart = p;
        stmtLine = line;
        stmtColumn = columnOf(p);
        stmtStd = std;
        stmtStdChanged = false;
      }
      contKind = NONE;
    }

    /** The first NUL of each line outside COPY data, refused where it stands. */
    private void refuseNulsOutsideCopyData() {
      copySpans.refuseNuls(source, n, q -> s[q], this::columnOf, problems);
    }

    /** The 1-based column of offset {@code p} in its line (a leading byte-order mark not counted). */
    private int columnOf(int p) {
      int q = p;
      while (q > 0 && s[q - 1] != '\n') {
        q--;
      }
      return p - q + 1 - (q == 0 && n > 0 && s[0] == '\uFEFF' ? 1 : 0);
    }

    /** Leaves character {@code q} out of the statement text (psql drops it). */
    private void drop(int q) {
      if (stmtStart < 0) {
        return;
      }
      edited.append(s, segStart, q - segStart);
      segStart = q + 1;
      isEdited = true;
    }

    private void emit(int end, int endLine, StatementKind forced) {
      String text;
      if (isEdited) {
        text = edited.append(s, segStart, end - segStart).toString();
        edited.setLength(0);
        isEdited = false;
      } else {
        text = new String(s, stmtStart, end - stmtStart);
      }
      StatementKind kind = forced != null ? forced : StatementClassifier.classify(text);
      out.add(new SqlStatement(out.size() + 1, stmtLine, endLine, kind, text, stmtColumn, null,
          stmtStdChanged ? null : stmtStd));
      stmtStart = -1;
      if (kind == StatementKind.COPY_FROM_STDIN) {
        pendingCopies.add(out.size() - 1);
      } else if (kind == StatementKind.SQL) {
        Boolean scs = StatementClassifier.standardConformingStringsSetTo(text);
        if (scs != null) {
          pendingStd = scs ? 1 : 0;
        }
      }
    }

    private int semicolon(int p) {
      token(p);
      if (parenDepth == 0 && beginDepth == 0) {
        identCount = 0;
        emit(p + 1, line, null);
      }
      return p + 1;
    }

    private void finish() {
      if (stmtStart >= 0) {
        emit(n, lastContentLine(), null); // the file's last newline was dropped by lineBreak
      }
      if (!pendingCopies.isEmpty()) {
        line++; // a COPY on the last line, which has no newline: its data would start on the next line, and is empty
        copyData(n);
        line--;
      }
      if (beginDepth > 0) {
        problems.add(Diagnostic.at(source, line, "BEGIN ATOMIC body not closed by END at end of file"));
      }
    }

    /** The line of the last character that is not whitespace. */
    private int lastContentLine() {
      int l = line;
      for (int q = n - 1; q >= stmtStart && Character.isWhitespace(s[q]); q--) {
        if (s[q] == '\n') {
          l--;
        }
      }
      return l;
    }

    // ---- lines ----------------------------------------------------------------------------

    /** A newline outside quotes and comments. */
    private int newlineOutsideQuotes(int q) {
      contNewline = true;
      return lineBreak(q, true);
    }

    /** A newline inside a quote or comment; returns where scanning goes on. */
    private int lineBreak(int q) {
      return lineBreak(q, false);
    }

    /**
     * Any newline: counts the line, applies a pending setting, reads the data of the COPY … FROM
     * STDIN statements sent on this line (psql reads it from the script right when it sends the
     * statement, so it is never part of a statement's text, even one whose quote spans it), and
     * drops the newline where psql does not put it in the statement: at the end of the file, and
     * before an empty line outside quotes (psql skips that line). Returns where scanning goes on.
     */
    private int lineBreak(int q, boolean outsideQuotes) {
      line++;
      if (pendingStd >= 0) {
        std = pendingStd == 1;
        pendingStd = -1;
        stmtStdChanged |= stmtStart >= 0 && std != stmtStd;
      }
      int next = pendingCopies.isEmpty() ? q + 1 : copyData(q + 1);
      if (next == n || (outsideQuotes && s[next] == '\n')) {
        drop(q);
      }
      if (next > q + 1 && stmtStart >= 0) {
        edited.append(s, segStart, Math.max(segStart, q + 1) - segStart); // the data is cut out of the statement
        segStart = next;
        isEdited = true;
      }
      return next;
    }

    /**
     * Reads the data of each pending COPY … FROM STDIN, in order, from {@code p}: the lines up to
     * and including one that is exactly {@code \.} (before its {@code \n}, a {@code \r} is
     * allowed), or to the end of the file, as psql 15 reads and sends them; returns the position
     * after them.
     */
    private int copyData(int p) {
      for (int index : pendingCopies) {
        int start = p;
        int startLine = line;
        int lines = 0;
        boolean marker = false;
        boolean nulSeen = false;
        while (p < n && !marker) {
          int eol = p;
          while (eol < n && s[eol] != '\n') {
            if (s[eol] == '\0' && !nulSeen) {
              nulSeen = true;
              problems.add(new Diagnostic(source, line, columnOf(eol), NUL_IN_COPY_DATA));
            }
            eol++;
          }
          int len = eol - p;
          marker = eol < n && len >= 2 && s[p] == '\\' && s[p + 1] == '.' && (len == 2 || (len == 3 && s[p + 2] == '\r'));
          lines++;
          if (eol < n) {
            line++;
          }
          p = Math.min(eol + 1, n);
        }
        copySpans.add(start, p);
        CopyData data = new CopyData(startLine, startLine + lines - 1, marker, new String(s, start, p - start));
        out.set(index, out.get(index).withCopyData(data));
      }
      pendingCopies.clear();
      return p;
    }

    // ---- comments ---------------------------------------------------------------------------

    private int lineCommentEnd(int p) {
      p += 2;
      while (p < n && s[p] != '\n' && s[p] != '\r') {
        p++;
      }
      return p;
    }

    private int blockComment(int p) {
      int startLine = line;
      startText(p);
      int depth = 0;
      p += 2;
      while (p < n) {
        char c = s[p];
        if (c == '*' && p + 1 < n && s[p + 1] == '/') {
          p += 2;
          if (depth-- == 0) {
            return p;
          }
        } else if (c == '/' && p + 1 < n && s[p + 1] == '*') {
          depth++;
          p += 2;
        } else {
          p = c == '\n' ? lineBreak(p) : p + 1;
        }
      }
      problems.add(Diagnostic.at(source, startLine, "unterminated /* comment at end of file"));
      return n;
    }

    // ---- quotes -----------------------------------------------------------------------------

    /** Scans a single-quoted literal body from {@code p}; returns the position after its closing quote. */
    private int quoted(int p, int kind, int startLine) {
      while (p < n) {
        char c = s[p];
        if (c == '\'') {
          if (kind != XB && p + 1 < n && s[p + 1] == '\'') {
            p += 2;
            continue;
          }
          contKind = kind;
          contNewline = false;
          return p + 1;
        }
        if (c == '\\' && kind == XE) {
          if (p + 1 < n) {
            p = s[p + 1] == '\n' ? lineBreak(p + 1) : p + 2;
            continue;
          }
        } else if (c == '\n') {
          p = lineBreak(p);
          continue;
        }
        p++;
      }
      problems.add(Diagnostic.at(source, startLine, "unterminated quoted string at end of file"));
      return n;
    }

    private int doubleQuoted(int p, int startLine) {
      while (p < n) {
        char c = s[p];
        if (c == '"') {
          if (p + 1 < n && s[p + 1] == '"') {
            p += 2;
            continue;
          }
          return p + 1;
        }
        p = c == '\n' ? lineBreak(p) : p + 1;
      }
      problems.add(Diagnostic.at(source, startLine, "unterminated quoted identifier at end of file"));
      return n;
    }

    /** At {@code $}: a dollar quote, a parameter {@code $1}, or a lone {@code $}. */
    private int dollar(int p) {
      token(p);
      if (p + 1 < n && isDigit(s[p + 1])) {
        int e = p + 2;
        while (e < n && isDigit(s[e])) {
          e++;
        }
        return junk(e);
      }
      int e = p + 1;
      if (e < n && isIdentStart(s[e])) {
        e++;
        while (e < n && s[e] != '$' && isIdentCont(s[e])) {
          e++;
        }
      }
      if (e < n && s[e] == '$') {
        return dollarBody(p, e + 1 - p, line);
      }
      return p + 1; // a lone $ or $ident without a closing $: only the $ is taken
    }

    private int dollarBody(int delim, int len, int startLine) {
      int p = delim + len;
      char first = '$';
      while (p < n) {
        char c = s[p];
        if (c == first) {
          if (p + len <= n && sameDelimiter(delim, p, len)) {
            return p + len;
          }
        } else if (c == '\n') {
          p = lineBreak(p);
          continue;
        }
        p++;
      }
      problems.add(Diagnostic.at(source, startLine,
          "unterminated dollar-quoted string " + new String(s, delim, len) + " at end of file"));
      return n;
    }

    private boolean sameDelimiter(int a, int b, int len) {
      for (int i = 1; i < len; i++) {
        if (s[a + i] != s[b + i]) {
          return false;
        }
      }
      return true;
    }

    // ---- other tokens -----------------------------------------------------------------------

    private int single(int p) {
      token(p);
      return p + 1;
    }

    private int dot(int p) {
      token(p);
      if (p + 1 < n) {
        char d = s[p + 1];
        if (isDigit(d)) {
          return number(p);
        }
        if (d == '.') {
          return p + 2;
        }
      }
      prevTok = TOK_DOT;
      return p + 1;
    }

    /** A numeric literal with psql 15's rules, including trailing junk such as {@code 1e} or {@code 12abc}. */
    private int number(int p) {
      while (p < n && isDigit(s[p])) {
        p++;
      }
      if (p < n && s[p] == '.' && !(p + 1 < n && s[p + 1] == '.')) {
        p++;
        while (p < n && isDigit(s[p])) {
          p++;
        }
      }
      if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        int e = p + 1;
        if (e < n && (s[e] == '+' || s[e] == '-')) {
          e++;
          if (e < n && isDigit(s[e])) {
            while (e < n && isDigit(s[e])) {
              e++;
            }
          }
          return junk(e);
        }
        if (e < n && isDigit(s[e])) {
          while (e < n && isDigit(s[e])) {
            e++;
          }
          return junk(e);
        }
      }
      return junk(p);
    }

    /** An identifier glued to a number or parameter belongs to it (psql 15's trailing-junk rules). */
    private int junk(int p) {
      if (p < n && isIdentStart(s[p])) {
        p++;
        while (p < n && isIdentCont(s[p])) {
          p++;
        }
      }
      return p;
    }

    /** psql variables: {@code :name}, {@code :'name'}, {@code :"name"}, {@code :{?name}}; {@code ::} casts. */
    private int colon(int p) {
      token(p);
      int e = p + 1;
      if (e >= n) {
        return e;
      }
      char d = s[e];
      if (d == ':') {
        return p + 2;
      }
      if (isVariableChar(d)) {
        while (e < n && isVariableChar(s[e])) {
          e++;
        }
        checkVariable(p, e, p + 1, e);
        return e;
      }
      if (d == '\'' || d == '"') {
        int v = e + 1;
        while (v < n && isVariableChar(s[v])) {
          v++;
        }
        if (v > e + 1 && v < n && s[v] == d) {
          checkVariable(p, v + 1, e + 1, v);
          return v + 1;
        }
        return p + 1;
      }
      if (d == '{' && e + 1 < n && s[e + 1] == '?') {
        int v = e + 2;
        while (v < n && isVariableChar(s[v])) {
          v++;
        }
        if (v > e + 2 && v < n && s[v] == '}') {
          problems.add(Diagnostic.at(source, line, "psql replaces " + new String(s, p, v + 1 - p)
              + " with TRUE or FALSE; cutter sends SQL as written: write the value"));
          return v + 1;
        }
      }
      return p + 1;
    }

    /** A variable psql defines by itself ({@code :DBNAME}, {@code :USER}, …) would be substituted there. */
    private void checkVariable(int refStart, int refEnd, int nameStart, int nameEnd) {
      if (s[nameStart] < 'A' || s[nameStart] > 'Z') {
        return; // psql's own variables are upper case; a:b slices and :lower names pass through as psql sends them
      }
      String name = new String(s, nameStart, nameEnd - nameStart);
      if (PSQL_VARIABLES.contains(name)) {
        problems.add(Diagnostic.at(source, line, "psql substitutes its variable " + new String(s, refStart, refEnd - refStart)
            + " here; cutter sends SQL as written: write the value"));
      }
    }

    /** {@code \;} and {@code \:} put the character in the statement; any other backslash is a meta-command. */
    private int backslash(int p) {
      if (p + 1 < n && (s[p + 1] == ';' || s[p + 1] == ':')) {
        token(p);
        drop(p);
        if (s[p + 1] == ';') {
          identCount = 0;
        }
        return p + 2;
      }
      int e = metaCommandEnd(p);
      int end = e;
      while (end > p && Character.isWhitespace(s[end - 1])) {
        end--;
      }
      String command = new String(s, p, end - p);
      String name = metaName(command);
      boolean sends = SENDING_COMMANDS.contains(name);
      boolean resets = sends || name.equals("\\r") || name.equals("\\reset");
      int before = out.size();
      if (stmtStart >= 0) {
        pendingAroundMeta(p, e, sends, resets);
      } else if (sends) {
        resend(); // with nothing pending, psql sends the previous statement again
      }
      if (out.size() > before && out.get(out.size() - 1).kind() == StatementKind.COPY_FROM_STDIN) {
        copySentBy(name, out.size() - 1, p);
      }
      if (resets) {
        parenDepth = 0; // psql_scan_reset after a forced send or a reset
        beginDepth = 0;
        identCount = 0;
        pendingBegin = false;
      }
      out.add(new SqlStatement(out.size() + 1, line, line, StatementKind.META_COMMAND, command, columnOf(p)));
      contKind = NONE;
      return e < n && s[e] == '\\' ? e + 2 : e;
    }

    /**
     * What psql does with the statement a meta-command interrupts: the {@code \g} family sends it,
     * {@code \r} discards it, any other command leaves it to go on after the command line.
     */
    private void pendingAroundMeta(int p, int e, boolean sends, boolean resets) {
      boolean lineStart = p > 0 && s[p - 1] == '\n' && segStart <= p - 1;
      int cut = lineStart ? p - 1 : p; // psql takes back the newline it added for a line holding only the command
      if (sends) {
        emit(Math.max(cut, segStart), line, null);
      } else if (resets) {
        stmtStart = -1;
        edited.setLength(0);
        isEdited = false;
      } else {
        edited.append(s, segStart, cut - segStart);
        segStart = e < n && s[e] == '\\' ? e + 2 : e;
        isEdited = true;
      }
    }

    private void resend() {
      String previous = "";
      for (int i = out.size() - 1; i >= 0; i--) {
        if (out.get(i).kind() != StatementKind.META_COMMAND) {
          previous = out.get(i).text();
          break;
        }
      }
      out.add(new SqlStatement(out.size() + 1, line, line, StatementClassifier.classify(previous), previous, 0, null,
          std));
    }

    /**
     * A COPY … FROM STDIN that meta-command {@code name} sent (the statement it ended, or the
     * previous one again). psql's {@code \g} and {@code \gx} run it and read its data from the
     * script, from the next line, as after a {@code ;}: so does the split. The others are refused
     * ({@code \gdesc} does not run it, {@code \watch} refuses COPY, {@code \gset}, {@code \gexec}
     * and {@code \crosstabview} expect rows).
     */
    private void copySentBy(String name, int index, int p) {
      if (COPY_DATA_SENDERS.contains(name)) {
        if (!pendingCopies.contains(index)) {
          pendingCopies.add(index);
        }
      } else {
        pendingCopies.remove(Integer.valueOf(index));
        problems.add(new Diagnostic(source, line, columnOf(p), copySentByMessage(name)));
      }
    }

    /** A meta-command runs to the end of its line or to {@code \\} outside quotes. */
    private int metaCommandEnd(int p) {
      char quote = 0;
      int e = p + 1;
      while (e < n && s[e] != '\n') {
        char c = s[e];
        if (quote != 0) {
          if (c == quote) {
            quote = 0;
          }
        } else if (c == '\'' || c == '"' || c == '`') {
          quote = c;
        } else if (c == '\\' && e + 1 < n && s[e + 1] == '\\') {
          return e;
        }
        e++;
      }
      return e;
    }

    /** An identifier or keyword, or the prefix of {@code B'}, {@code X'}, {@code E'}, {@code N'}, {@code U&'}, {@code U&"}. */
    private int word(int p) {
      char c = s[p];
      char next = p + 1 < n ? s[p + 1] : 0;
      if (next == '\'') {
        switch (c) {
          case 'b', 'B', 'x', 'X':
            token(p);
            return quoted(p + 2, XB, line);
          case 'e', 'E':
            token(p);
            return quoted(p + 2, XE, line);
          case 'n', 'N':
            token(p);
            return p + 1; // the quote that follows is an ordinary literal
          default:
            break;
        }
      }
      if ((c == 'u' || c == 'U') && next == '&') {
        token(p);
        char q = p + 2 < n ? s[p + 2] : 0;
        if (q == '\'') {
          return quoted(p + 3, XQ, line);
        }
        if (q == '"') {
          return doubleQuoted(p + 3, line);
        }
        return p + 1; // u& without a quote: psql takes only the u
      }
      int e = p + 1;
      while (e < n && isIdentCont(s[e])) {
        e++;
      }
      identifier(p, e);
      return e;
    }

    /** psql's BEGIN ATOMIC tracking (with the server-faithful refinements described on the class). */
    private void identifier(int p, int e) {
      boolean afterBegin = pendingBegin;
      int before = prevTok;
      token(p);
      int len = e - p;
      if (identCount < idents.length) {
        if (identCount == 0) {
          idents[1] = idents[2] = idents[3] = 0;
        }
        idents[identCount] = routinePrefixLetter(p, len);
        routine = routineStatement();
      }
      identCount++;
      if (len == 2 && is(p, len, "as")) {
        prevTok = TOK_AS;
      }
      if (!routine || parenDepth != 0) {
        return;
      }
      if (afterBegin && is(p, len, "atomic")) {
        beginDepth++;
      } else if (is(p, len, "begin")) {
        pendingBegin = before != TOK_DOT;
      } else if (before != TOK_DOT && before != TOK_AS) {
        if (beginDepth >= 1 && is(p, len, "case")) {
          beginDepth++;
        } else if (beginDepth > 0 && is(p, len, "end")) {
          beginDepth--;
        }
      }
    }

    private boolean routineStatement() {
      char[] id = idents;
      return id[0] == 'c'
          && (id[1] == 'f' || id[1] == 'p' || (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
    }

    private char routinePrefixLetter(int p, int len) {
      switch (len) {
        case 2:
          return is(p, len, "or") ? 'o' : 0;
        case 6:
          return is(p, len, "create") ? 'c' : 0;
        case 7:
          return is(p, len, "replace") ? 'r' : 0;
        case 8:
          return is(p, len, "function") ? 'f' : 0;
        case 9:
          return is(p, len, "procedure") ? 'p' : 0;
        default:
          return 0;
      }
    }

    /** Case-insensitive (ASCII) comparison of {@code s[p, p+len)} with a lower-case keyword. */
    private boolean is(int p, int len, String keyword) {
      if (len != keyword.length()) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        char c = s[p + i];
        if (c >= 'A' && c <= 'Z') {
          c += 'a' - 'A';
        }
        if (c != keyword.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
      return c >= 128 || (ASCII[c] & 1) != 0;
    }

    private static boolean isIdentCont(char c) {
      return c >= 128 || (ASCII[c] & 2) != 0;
    }

    private static boolean isVariableChar(char c) {
      return c != '$' && isIdentCont(c);
    }
  }
}

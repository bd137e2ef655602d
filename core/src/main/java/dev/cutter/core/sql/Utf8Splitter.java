package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@link SqlSplitter}'s split, made over the UTF-8 bytes themselves, for a reader that only
 * judges the statements ({@code package verify}). Every byte that ends or opens a token in
 * psql's lexer — quotes, dollar signs, comment marks, semicolons, backslashes, parentheses,
 * newlines — is ASCII, and a byte of a multi-byte character is never ASCII, so the bytes split
 * exactly where the characters do: non-ASCII bytes are letters of identifiers and dollar-quote
 * tags, as psql's lexer takes them. Nothing is decoded but what a judgement needs: a statement
 * whose first word cannot matter to the classifier ({@code insert}, {@code update}, {@code
 * select}, …) is handed over as plain SQL without its text; any other statement, and any whose
 * text psql edits ({@code \;}, a meta-command inside it, an empty line), is decoded and
 * classified by the same {@link StatementClassifier}. Positions are the split's own: lines, and
 * columns counted in characters (UTF-16 units, as {@link String} counts them).
 *
 * <p>This is a transcription of {@code SqlSplitter.Scan}, method for method; a change to one is
 * a change to both ({@code Utf8SplitterTest} holds them to the same statements, problems and
 * verdicts). Two additions make it fast, neither changing a result: a line that is one whole plain
 * statement is taken by one small loop ({@code plainLines}), and a literal's body is skipped eight
 * bytes at a time. COPY … FROM STDIN data is read in one place, {@code copyData}, the
 * counterpart of {@code SqlSplitter.Scan#copyData}, at the newline that ends the COPY's line
 * ({@code lineBreak}, which returns where scanning goes on, as the char scan's does): a change to
 * how psql's COPY data is read goes into both (a COPY statement never takes the plain-line path:
 * its first word matters). The data is never decoded: the sink learns its lines and byte range.
 */
public final class Utf8Splitter {

  private Utf8Splitter() {}

  /** Where the statements of a split go, in order. */
  public interface Sink {
    /** A statement whose text was made (meta-commands, transaction control, DDL, edited text, …). */
    void statement(SqlStatement s);

    /**
     * A statement of kind {@link StatementKind#SQL} whose text nothing needs: its first word is not
     * one the classifier looks at, and psql sends it as written.
     */
    void plainSql(int index, int startLine, int endLine, int startColumn);

    /**
     * The inline data of the COPY … FROM STDIN statement {@code index}, handed over after it: the
     * lines and bytes {@code [from, to)} that {@link SqlStatement#copyData} holds in the char split
     * (its {@link CopyData#startLine}, {@link CopyData#endLine} and {@link CopyData#endMarker}).
     */
    default void copyData(int index, int startLine, int endLine, boolean endMarker, int from, int to) {}
  }

  /**
   * Splits the strict UTF-8 text {@code utf8[0, length)} as {@link SqlSplitter#split(String,
   * String)} splits its decoding, handing every statement to {@code sink} as it ends; returns the
   * splitter's problems. The bytes are read in place and never written.
   *
   * @throws MalformedInputException when the bytes are not well-formed UTF-8 (nothing is handed over)
   */
  public static List<Diagnostic> scan(String sourceName, byte[] utf8, int length, Sink sink)
      throws MalformedInputException {
    Objects.requireNonNull(sink, "sink");
    Objects.checkFromToIndex(0, length, utf8.length);
    int bad = Utf8.firstInvalid(utf8, length);
    if (bad >= 0) {
      throw new MalformedInputException(1);
    }
    Scan scan = new Scan(sourceName, utf8, length, sink);
    scan.run();
    if (Utf8.firstNul(utf8, length) >= 0) {
      scan.refuseNulsOutsideCopyData();
    }
    if (Utf8.firstBidiControl(utf8, length) >= 0) {
      scan.refuseBidiControlsOutsideCopyData();
    }
    return scan.problems;
  }

  /** The mutable state of one split. Kept in step with {@code SqlSplitter.Scan}. */
  private static final class Scan {

    private static final int NONE = 0;
    private static final int XQ = 1;
    private static final int XE = 2;
    private static final int XB = 3;

    private static final int TOK_OTHER = 0;
    private static final int TOK_DOT = 1;
    private static final int TOK_AS = 2;

    // what the statement's first token says of its text
    private static final int FIRST_UNSEEN = 0; // no token yet (nothing, or only a block comment)
    private static final int FIRST_PLAIN = 1; // an identifier the classifier does not look at: plain SQL
    private static final int FIRST_TEXT = 2; // anything else: decode and classify

    private static final Set<String> PSQL_VARIABLES = Set.of(
        "AUTOCOMMIT", "COMP_KEYWORD_CASE", "DBNAME", "ECHO", "ECHO_HIDDEN", "ENCODING", "ERROR", "FETCH_COUNT",
        "HIDE_TABLEAM", "HIDE_TOAST_COMPRESSION", "HISTCONTROL", "HISTSIZE", "HOST", "IGNOREEOF", "LAST_ERROR_MESSAGE",
        "LAST_ERROR_SQLSTATE", "ON_ERROR_ROLLBACK", "ON_ERROR_STOP", "PORT", "PROMPT1", "PROMPT2", "PROMPT3", "QUIET",
        "ROW_COUNT", "SERVER_VERSION_NAME", "SERVER_VERSION_NUM", "SHOW_ALL_RESULTS", "SHOW_CONTEXT", "SINGLELINE",
        "SINGLESTEP", "SQLSTATE", "USER", "VERBOSITY", "VERSION", "VERSION_NAME", "VERSION_NUM");

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
    private final byte[] s;
    private final int n;
    private final Sink sink;
    private boolean bom;
    private final List<Diagnostic> problems = new ArrayList<>();
    /** The kind of the last statement handed to the sink (plain SQL for one handed over by its place). */
    private StatementKind lastKind;
    private final ByteArrayOutputStream edited = new ByteArrayOutputStream();
    private int count;
    // the last statement that is not a meta-command (what \g sends again): its text, or where its bytes are
    private String previousText = "";
    private int previousStart;
    private int previousEnd;

    private boolean std = true;
    private int pendingStd = -1;
    /** The indexes of the COPY … FROM STDIN statements sent on the current line, in order: their data follows the line. */
    private final List<Integer> pendingCopies = new ArrayList<>(1);
    /** Where COPY data lies: a NUL there is refused as COPY data's, anywhere else as the script's. */
    private final CopySpans copySpans = new CopySpans();

    private int line = 1;
    private int stmtStart = -1;
    private int stmtLine;
    private int stmtColumn;
    /** As {@code SqlSplitter.Scan}: the setting the open statement's first line was lexed with, and whether it changed. */
    private boolean stmtStd;
    private boolean stmtStdChanged;
    private int segStart;
    private boolean isEdited;
    private int first = FIRST_UNSEEN;

    private int parenDepth;
    private int beginDepth;
    private int identCount;
    private final char[] idents = new char[4];
    private boolean routine;
    private boolean pendingBegin;
    private int prevTok;

    private int contKind = NONE;
    private boolean contNewline;

    Scan(String source, byte[] bytes, int length, Sink sink) {
      this.source = source;
      this.s = bytes;
      this.n = length;
      this.sink = sink;
    }

    void run() {
      bom = n >= 3 && s[0] == (byte) 0xEF && s[1] == (byte) 0xBB && s[2] == (byte) 0xBF;
      int p = plainLines(bom ? 3 : 0);
      while (p < n) {
        int c = s[p]; // negative: a byte of a multi-byte character
        switch (c) {
          case '\n':
            p = plainLines(newlineOutsideQuotes(p));
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
    }

    // ---- plain lines ------------------------------------------------------------------------

    /**
     * From the start of a line, takes every following plain statement that starts a line and
     * ends one — {@code insert into t values (1, 'x', "y");} and its newline — and returns where
     * the general scan goes on. Such a statement leaves the state as the general scan would (no
     * statement open, nothing pending); any it is not sure of is left to the general scan, untouched.
     */
    private int plainLines(int p) {
      if (stmtStart >= 0 || parenDepth != 0 || beginDepth != 0 || pendingStd >= 0 || !pendingCopies.isEmpty() || !std) {
        return p;
      }
      int end;
      while (p < n && (end = plainLine(p)) > 0) {
        count++;
        lastKind = StatementKind.SQL;
        previousText = null;
        previousStart = p;
        previousEnd = plainEnd;
        sink.plainSql(count, line, line + plainBreaks, 1);
        line += plainBreaks + 1;
        p = end;
        identCount = 0;
        routine = false;
        pendingBegin = false;
        prevTok = TOK_OTHER;
        contKind = NONE;
        contNewline = true;
      }
      return p;
    }

    private int plainEnd; // where the statement of the last plain line ends (after its semicolon)
    private int plainBreaks; // the newlines inside it

    /**
     * If the line at {@code p} starts one plain statement — a first word the classifier does not
     * look at; then words, numbers, white space, punctuation, {@code '…'} and {@code "…"} quotes,
     * over further lines but no empty one; a {@code ;} at parenthesis depth 0 and the newline (or
     * CRLF) right after it — the offset after that newline, else -1. Whatever could mean more (a
     * comment, {@code $}, {@code :}, a backslash outside a literal, a prefixed literal such as
     * {@code E'…'}, an empty line that psql drops, a second statement on the line) is -1.
     */
    private int plainLine(int p) {
      int e = p;
      while (e < n && e - p < 10 && isIdentCont(s[e]) && s[e] >= 0 && s[e] != '$') {
        e++;
      }
      if (e == p || !isIdentStart(s[p]) || e - p >= 10 || classifierReads(p, e - p) || (e < n && s[e] < 0)) {
        return -1;
      }
      int depth = 0;
      plainBreaks = 0;
      while (e < n) {
        int c = s[e];
        switch (c) {
          case ';':
            if (depth != 0 || e + 1 >= n) {
              return -1;
            }
            plainEnd = e + 1;
            if (s[e + 1] == '\n') {
              return e + 2;
            }
            return s[e + 1] == '\r' && e + 2 < n && s[e + 2] == '\n' ? e + 3 : -1; // a CRLF line end
          case '(':
            depth++;
            break;
          case ')':
            if (depth > 0) {
              depth--;
            }
            break;
          case '\'':
            if (isIdentCont(s[e - 1]) || s[e - 1] == '&') {
              return -1; // E'…', B'…', X'…', N'…', U&'…' and the like: the general scan
            }
            e = plainQuote(e + 1, '\'');
            if (e < 0) {
              return -1;
            }
            continue;
          case '"':
            if (s[e - 1] == '&') {
              return -1;
            }
            e = plainQuote(e + 1, '"');
            if (e < 0) {
              return -1;
            }
            continue;
          case '-':
            if (e + 1 < n && s[e + 1] == '-') {
              return -1;
            }
            break;
          case '/':
            if (e + 1 < n && s[e + 1] == '*') {
              return -1;
            }
            break;
          case '\n':
            if (e + 1 >= n || s[e + 1] == '\n') {
              return -1; // psql drops an empty line, and the file's last newline: edited text
            }
            plainBreaks++;
            break;
          case '\\', '$', ':':
            return -1;
          default:
            break;
        }
        e++;
      }
      return -1;
    }

    /** After an opening quote: the offset after the closing one ({@code ''} or {@code ""} inside), or -1 at the end. */
    private int plainQuote(int p, int quote) {
      while (p < n) {
        if (quote == '\'') {
          p = toQuoteBackslashOrNewline(p);
          if (p == n) {
            return -1;
          }
        }
        int c = s[p];
        if (c == quote) {
          if (p + 1 < n && s[p + 1] == quote) {
            p += 2;
            continue;
          }
          return p + 1;
        }
        if (c == '\n') {
          plainBreaks++;
        }
        p++;
      }
      return -1;
    }

    private String decode(int from, int to) {
      return new String(s, from, to - from, StandardCharsets.UTF_8);
    }

    // ---- statement boundaries -------------------------------------------------------------

    private void token(int p) {
      startText(p);
      if (first == FIRST_UNSEEN) {
        first = FIRST_TEXT;
      }
      pendingBegin = false;
      prevTok = TOK_OTHER;
    }

    private void startText(int p) {
      if (stmtStart < 0) {
        stmtStart = p;
        segStart = p;
        stmtLine = line;
        stmtColumn = columnOf(p);
        stmtStd = std;
        stmtStdChanged = false;
        first = FIRST_UNSEEN;
      }
      contKind = NONE;
    }

    /** The 1-based column of byte {@code p} in its line, in UTF-16 units (a leading byte-order mark not counted). */
    private int columnOf(int p) {
      int q = p;
      while (q > 0 && s[q - 1] != '\n') {
        q--;
      }
      int column = 1;
      for (int i = q; i < p; i++) {
        int b = s[i];
        if ((b & 0xC0) != 0x80) {
          column += (b & 0xF8) == 0xF0 ? 2 : 1; // a four-byte character is two UTF-16 units
        }
      }
      return column - (q == 0 && bom ? 1 : 0);
    }

    private void drop(int q) {
      if (stmtStart < 0) {
        return;
      }
      edited.write(s, segStart, q - segStart);
      segStart = q + 1;
      isEdited = true;
    }

    private void emit(int end, int endLine) {
      if (!isEdited && first == FIRST_PLAIN) {
        count++;
        lastKind = StatementKind.SQL;
        previousText = null;
        previousStart = stmtStart;
        previousEnd = end;
        sink.plainSql(count, stmtLine, endLine, stmtColumn);
        stmtStart = -1;
        return;
      }
      String text;
      if (isEdited) {
        edited.write(s, segStart, end - segStart);
        text = edited.toString(StandardCharsets.UTF_8);
        edited.reset();
        isEdited = false;
      } else {
        text = decode(stmtStart, end);
      }
      StatementKind kind = StatementClassifier.classify(text);
      add(new SqlStatement(count + 1, stmtLine, endLine, kind, text, stmtColumn, null, stmtStdChanged ? null : stmtStd));
      stmtStart = -1;
      if (kind == StatementKind.COPY_FROM_STDIN) {
        pendingCopies.add(count);
      } else if (kind == StatementKind.SQL) {
        Boolean scs = StatementClassifier.standardConformingStringsSetTo(text);
        if (scs != null) {
          pendingStd = scs ? 1 : 0;
        }
      }
    }

    private void add(SqlStatement st) {
      count++;
      lastKind = st.kind();
      if (st.kind() != StatementKind.META_COMMAND) {
        previousText = st.text();
      }
      sink.statement(st);
    }

    private int semicolon(int p) {
      token(p);
      if (parenDepth == 0 && beginDepth == 0) {
        identCount = 0;
        emit(p + 1, line);
      }
      return p + 1;
    }

    private void finish() {
      if (stmtStart >= 0) {
        emit(n, lastContentLine());
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

    /** The line of the last character that is not whitespace ({@link Character#isWhitespace}, per UTF-16 unit). */
    private int lastContentLine() {
      int l = line;
      int q = n - 1;
      while (q >= stmtStart) {
        int b = s[q];
        if (b >= 0) {
          if (!Character.isWhitespace(b)) {
            break;
          }
          if (b == '\n') {
            l--;
          }
          q--;
        } else {
          int lead = q;
          while (lead > stmtStart && (s[lead] & 0xC0) == 0x80) {
            lead--;
          }
          String ch = decode(lead, q + 1);
          if (ch.length() != 1 || !Character.isWhitespace(ch.charAt(0))) {
            break; // a surrogate pair's low half is not whitespace
          }
          q = lead - 1;
        }
      }
      return l;
    }

    // ---- lines ----------------------------------------------------------------------------

    private int newlineOutsideQuotes(int q) {
      contNewline = true;
      return lineBreak(q, true);
    }

    private int lineBreak(int q) {
      return lineBreak(q, false);
    }

    /** As {@code SqlSplitter.Scan#lineBreak}: reads pending COPY data; returns where scanning goes on. */
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
        edited.write(s, segStart, Math.max(segStart, q + 1) - segStart); // the data is cut out of the statement
        segStart = next;
        isEdited = true;
      }
      return next;
    }

    /** {@code SqlSplitter.Scan#refuseNulsOutsideCopyData}: the first NUL of each line outside COPY data. */
    void refuseNulsOutsideCopyData() {
      copySpans.refuseNuls(source, n, q -> s[q], this::columnOf, problems);
    }

    /** {@code SqlSplitter}'s refusal of bidirectional controls: the first of each line outside COPY data. */
    void refuseBidiControlsOutsideCopyData() {
      copySpans.refuseBidiControls(source, n, q -> s[q], q -> Utf8.bidiControlAt(s, q, n), this::columnOf, problems);
    }

    /**
     * COPY … FROM STDIN data: what {@code SqlSplitter.Scan#copyData} reads, kept here on its own so
     * the two stay aligned. For each pending COPY, in order, the lines from {@code p} up to and
     * including one that is exactly {@code \.} (before its {@code \n}, a {@code \r} is allowed), or
     * to end of file, are handed to the sink as that COPY's data; returns the position after them.
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
            if (s[eol] == 0 && !nulSeen) {
              nulSeen = true;
              problems.add(new Diagnostic(source, line, columnOf(eol), SqlSplitter.NUL_IN_COPY_DATA));
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
        sink.copyData(index, startLine, startLine + lines - 1, marker, start, p);
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
        int c = s[p];
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

    private int quoted(int p, int kind, int startLine) {
      while (p < n) {
        p = toQuoteBackslashOrNewline(p);
        if (p == n) {
          break;
        }
        int c = s[p];
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
            // the escaped byte is ASCII or a lead byte; continuation bytes are never special
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

    /**
     * The first offset at or after {@code p} that holds {@code '}, a backslash or a newline, or
     * {@code n}: a literal's body is skipped eight bytes at a time where none of them can be there.
     */
    private int toQuoteBackslashOrNewline(int p) {
      while (true) {
        while (p + 8 <= n && !quoteBackslashOrNewline((long) LONGS.get(s, p))) {
          p += 8;
        }
        int end = Math.min(n, p + 8);
        for (; p < end; p++) {
          int c = s[p];
          if (c == '\'' || c == '\\' || c == '\n') {
            return p;
          }
        }
        if (p == n) {
          return n;
        }
      }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** Whether one of the eight bytes of {@code v} may be {@code '}, a backslash or a newline (never a false no). */
    private static boolean quoteBackslashOrNewline(long v) {
      return (zeroByte(v ^ (ONES * '\'')) | zeroByte(v ^ (ONES * '\\')) | zeroByte(v ^ (ONES * '\n'))) != 0;
    }

    /** Nonzero when a byte of {@code x} may be zero: exact for the lowest zero byte, a borrow may mark one above it. */
    private static long zeroByte(long x) {
      return (x - ONES) & ~x & HIGHS;
    }

    private int doubleQuoted(int p, int startLine) {
      while (p < n) {
        int c = s[p];
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
      return p + 1;
    }

    private int dollarBody(int delim, int len, int startLine) {
      int p = delim + len;
      while (p < n) {
        int c = s[p];
        if (c == '$') {
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
          "unterminated dollar-quoted string " + decode(delim, delim + len) + " at end of file"));
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
        int d = s[p + 1];
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

    private int junk(int p) {
      if (p < n && isIdentStart(s[p])) {
        p++;
        while (p < n && isIdentCont(s[p])) {
          p++;
        }
      }
      return p;
    }

    private int colon(int p) {
      token(p);
      int e = p + 1;
      if (e >= n) {
        return e;
      }
      int d = s[e];
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
          problems.add(Diagnostic.at(source, line, "psql replaces " + decode(p, v + 1)
              + " with TRUE or FALSE; cutter sends SQL as written: write the value"));
          return v + 1;
        }
      }
      return p + 1;
    }

    private void checkVariable(int refStart, int refEnd, int nameStart, int nameEnd) {
      if (s[nameStart] < 'A' || s[nameStart] > 'Z') {
        return;
      }
      if (PSQL_VARIABLES.contains(decode(nameStart, nameEnd))) {
        problems.add(Diagnostic.at(source, line, "psql substitutes its variable " + decode(refStart, refEnd)
            + " here; cutter sends SQL as written: write the value"));
      }
    }

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
      String command = decode(p, e);
      int end = command.length();
      while (end > 0 && Character.isWhitespace(command.charAt(end - 1))) {
        end--;
      }
      command = command.substring(0, end);
      String name = SqlSplitter.metaName(command);
      boolean sends = SENDING_COMMANDS.contains(name);
      boolean resets = sends || name.equals("\\r") || name.equals("\\reset");
      int before = count;
      if (stmtStart >= 0) {
        pendingAroundMeta(p, e, sends, resets);
      } else if (sends) {
        resend();
      }
      if (count > before && lastKind == StatementKind.COPY_FROM_STDIN) {
        copySentBy(name, count, p);
      }
      if (resets) {
        parenDepth = 0;
        beginDepth = 0;
        identCount = 0;
        pendingBegin = false;
      }
      add(new SqlStatement(count + 1, line, line, StatementKind.META_COMMAND, command, columnOf(p)));
      contKind = NONE;
      return e < n && s[e] == '\\' ? e + 2 : e;
    }

    private void pendingAroundMeta(int p, int e, boolean sends, boolean resets) {
      boolean lineStart = p > 0 && s[p - 1] == '\n' && segStart <= p - 1;
      int cut = lineStart ? p - 1 : p;
      if (sends) {
        emit(Math.max(cut, segStart), line);
      } else if (resets) {
        stmtStart = -1;
        edited.reset();
        isEdited = false;
      } else {
        edited.write(s, segStart, cut - segStart);
        segStart = e < n && s[e] == '\\' ? e + 2 : e;
        isEdited = true;
      }
    }

    private void resend() {
      String previous = previousText != null ? previousText : decode(previousStart, previousEnd);
      add(new SqlStatement(count + 1, line, line, StatementClassifier.classify(previous), previous, 0, null, std));
    }

    /** As {@code SqlSplitter.Scan#copySentBy}: a COPY that {@code \\g} or {@code \\gx} sent reads its data, others are refused. */
    private void copySentBy(String name, int index, int p) {
      if (SqlSplitter.COPY_DATA_SENDERS.contains(name)) {
        if (!pendingCopies.contains(index)) {
          pendingCopies.add(index);
        }
      } else {
        pendingCopies.remove(Integer.valueOf(index));
        problems.add(new Diagnostic(source, line, columnOf(p), SqlSplitter.copySentByMessage(name)));
      }
    }

    private int metaCommandEnd(int p) {
      int quote = 0;
      int e = p + 1;
      while (e < n && s[e] != '\n') {
        int c = s[e];
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

    private int word(int p) {
      int c = s[p];
      int next = p + 1 < n ? s[p + 1] : 0;
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
            return p + 1;
          default:
            break;
        }
      }
      if ((c == 'u' || c == 'U') && next == '&') {
        token(p);
        int q = p + 2 < n ? s[p + 2] : 0;
        if (q == '\'') {
          return quoted(p + 3, XQ, line);
        }
        if (q == '"') {
          return doubleQuoted(p + 3, line);
        }
        return p + 1;
      }
      int e = p + 1;
      while (e < n && isIdentCont(s[e])) {
        e++;
      }
      identifier(p, e);
      return e;
    }

    private void identifier(int p, int e) {
      boolean afterBegin = pendingBegin;
      int before = prevTok;
      boolean opens = stmtStart < 0 || first == FIRST_UNSEEN;
      token(p);
      int len = e - p;
      if (opens) {
        first = classifierReads(p, len) ? FIRST_TEXT : FIRST_PLAIN;
      }
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

    /**
     * Whether a statement that begins with this word needs its text: the first words {@code
     * StatementClassifier} decides by, and {@code set}/{@code reset} (standard_conforming_strings).
     */
    private boolean classifierReads(int p, int len) {
      return switch (len) {
        case 3 -> is(p, len, "end") || is(p, len, "set");
        case 4 -> is(p, len, "copy") || is(p, len, "drop");
        case 5 -> is(p, len, "abort") || is(p, len, "begin") || is(p, len, "start") || is(p, len, "alter")
            || is(p, len, "reset");
        case 6 -> is(p, len, "commit") || is(p, len, "vacuum") || is(p, len, "create");
        case 7 -> is(p, len, "release") || is(p, len, "prepare") || is(p, len, "reindex") || is(p, len, "cluster")
            || is(p, len, "discard");
        case 8 -> is(p, len, "rollback");
        case 9 -> is(p, len, "savepoint");
        default -> false;
      };
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

    /** Case-insensitive (ASCII) comparison of the bytes {@code s[p, p+len)} with a lower-case keyword. */
    private boolean is(int p, int len, String keyword) {
      if (len != keyword.length()) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        int c = s[p + i];
        if (c >= 'A' && c <= 'Z') {
          c += 'a' - 'A';
        }
        if (c != keyword.charAt(i)) {
          return false;
        }
      }
      return true;
    }

    private static boolean isDigit(int c) {
      return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(int c) {
      return c < 0 || (ASCII[c] & 1) != 0;
    }

    private static boolean isIdentCont(int c) {
      return c < 0 || (ASCII[c] & 2) != 0;
    }

    private static boolean isVariableChar(int c) {
      return c != '$' && isIdentCont(c);
    }
  }
}

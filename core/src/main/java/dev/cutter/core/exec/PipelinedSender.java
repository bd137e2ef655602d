package dev.cutter.core.exec;

import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.core.sql.StatementKind;
import dev.cutter.core.sql.TriggerFree;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Field;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Query;
import org.postgresql.core.QueryExecutor;
import org.postgresql.core.ResultCursor;
import org.postgresql.core.ResultHandlerBase;
import org.postgresql.core.SqlCommand;
import org.postgresql.core.SqlCommandType;
import org.postgresql.core.Tuple;
import org.postgresql.jdbc.PreferQueryMode;

/**
 * Sends the statements of a transactional apply ahead of their results, in windows.
 *
 * <p>A statement travels as a Query message of the simple protocol holding exactly the text
 * {@code Statement.execute} sends (the driver in simple mode sends a statement's text unsplit and
 * unchanged), either alone or joined with its neighbours in the window: the texts one after the
 * other, a line break between them, as one message ({@link Joining} says which statements join;
 * the server then pays its per-message work once for them all). Nothing joins where a trigger or
 * an event trigger could record {@code current_query()}, which shows the whole message: not with
 * an event trigger enabled ({@link #eventTriggers}, read once before the first window), not a
 * statement that may fire a trigger, nor anything after one ({@link #joinEnd}). The next messages of a window are
 * written before the first result is read. Inside one transaction that cannot change the outcome:
 * after the first error the server skips the rest of that message and refuses every later message
 * with SQLSTATE 25P02 until the ROLLBACK, so the failing statement is the first result that is an
 * error, and what ran before it is what ran without pipelining. The one exception is the raw
 * parse of a joined message: the server parses it whole before its first statement runs, so a
 * syntax error in its k-th statement comes first and the statements before k in that message do
 * not run (the error's position, which counts from the start of the message, names k; the
 * position reported is made relative to statement k again).
 *
 * <p>A window holds at most {@link #WINDOW_STATEMENTS} statements and {@link #WINDOW_BYTES} bytes
 * of messages. The whole window is written, then every result of it read, before the next window
 * is written. Written bytes that fit the kernel's socket buffers never block, whatever the server
 * does (it may be stuck writing megabytes of notices that nobody reads yet); 64 kB is below the
 * smallest buffer pair of the systems the driver supports (its own batches assume the same), so
 * neither side can wait on the other for ever. A statement larger than a window goes alone.
 *
 * <p>Results are matched to statements by order: each statement of a message yields exactly one
 * CommandComplete, EmptyQueryResponse or ErrorResponse (the driver hands them on as rows for a
 * statement that returned rows, else as a command status, or as an error). A statement whose text
 * holds more than one command (psql's {@code \;}), transaction control (which would end the
 * transaction mid-window) and anything the splitter does not call a single SQL statement is sent
 * alone, as without pipelining.
 *
 * <p>A statement whose reading depends on the lexer's settings ({@link
 * ExecStatement#readingDependsOnSettings}) is sent only once every earlier result has arrived (it
 * opens a window, or goes alone), and only when the {@code standard_conforming_strings} the server
 * reported last is the one the splitter assumed for it: a function an earlier statement ran may
 * have changed it ({@code set_config}), and the server would read the statement otherwise than
 * the split, the listing and the review show it. Otherwise the run stops before it ({@link
 * LexingSettingChanged}). Only those statements wait for the results before them.
 */
final class PipelinedSender {

  /** Most statements in one window; the driver forces a Sync from 256 on, which stays unused. */
  static final int WINDOW_STATEMENTS = 200;

  /** Most bytes (messages and their headers) written before the window's results are read. */
  static final int WINDOW_BYTES = 60_000;

  /**
   * How many ran, the failing statement and its error, and what became of the statements sent
   * after it (refused: sent and not run, skipped with the rest of a message or refused with
   * 25P02). {@code positionOffset}: characters to take from the error's position, the failing
   * statement's offset in its joined message. {@code failedAmongLast}: when not null, the error
   * belongs to one of {@code failed}..{@code failedAmongLast} and cannot be told which ({@link
   * Joining#mayBeRawParse}). {@code messages}: Query messages sent for the statements.
   */
  record Result(int executed, ExecStatement failed, SQLException error, int refusedAfterFailure, int ranAfterFailure,
      int windows, int positionOffset, ExecStatement failedAmongLast, int messages) {}

  private PipelinedSender() {}

  /** True when {@code c} is the driver's connection in simple query mode (the only mode sent this way). */
  static boolean supports(Connection c) {
    try {
      return c.isWrapperFor(BaseConnection.class)
          && c.unwrap(BaseConnection.class).getQueryExecutor().getPreferQueryMode() == PreferQueryMode.SIMPLE;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Runs {@code statements} on {@code c}, inside the open transaction, stopping at the first
   * error. {@code one} runs a statement that goes alone the way it runs without pipelining.
   */
  static Result run(Connection c, Statement one, List<ExecStatement> statements, StatementTimings.Recorder timer,
      StatementNotices.Log notices) throws SQLException {
    return run(c, one, statements, timer, notices, null, WINDOW_STATEMENTS, WINDOW_BYTES, null);
  }

  /**
   * As above, with {@code observer} (null: none) seeing every statement that ran, in order, once
   * its window's results are in; a window ends at each statement it {@linkplain
   * ApplyEngine.WindowedObserver#observes observes}, so that one is seen before anything after it
   * is sent. An error the observer throws is that statement's failure, as without pipelining.
   */
  static Result run(Connection c, Statement one, List<ExecStatement> statements, StatementTimings.Recorder timer,
      StatementNotices.Log notices, ApplyEngine.WindowedObserver observer) throws SQLException {
    return run(c, one, statements, timer, notices, observer, WINDOW_STATEMENTS, WINDOW_BYTES, null);
  }

  /**
   * As above; {@code joinNothing} says whether {@link #eventTriggers} found one ({@link
   * #mayJoin} true) or joining was not possible anyway: the caller read it at BEGIN.
   */
  static Result run(Connection c, Statement one, List<ExecStatement> statements, StatementTimings.Recorder timer,
      StatementNotices.Log notices, ApplyEngine.WindowedObserver observer, boolean joinNothing) throws SQLException {
    return run(c, one, statements, timer, notices, observer, WINDOW_STATEMENTS, WINDOW_BYTES, joinNothing);
  }

  /** Whether the database has an event trigger that is not disabled (whichever session_replication_role fires). */
  static final String EVENT_TRIGGERS =
      "select exists (select from pg_catalog.pg_event_trigger where evtenabled operator(pg_catalog.<>) 'D')";

  /**
   * True when the database behind {@code one}'s session has an event trigger that is not
   * disabled: one Query message, inside the apply's transaction, before the first window.
   */
  static boolean eventTriggers(Statement one) throws SQLException {
    try (java.sql.ResultSet rs = one.executeQuery(EVENT_TRIGGERS)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /**
   * True when a pipelined apply of {@code statements} on {@code c} could join any two statements,
   * event triggers aside: no observer, a session {@link Joining#allowed} to, and two statements
   * that {@link #joinEnd may join} one after the other.
   */
  static boolean mayJoin(Connection c, List<ExecStatement> statements, ApplyEngine.WindowedObserver observer)
      throws SQLException {
    return observer == null && Joining.allowed(c.unwrap(BaseConnection.class).getQueryExecutor())
        && PipelineDecisions.joinEnd(statements) >= 2;
  }

  /**
   * The index of the first statement that goes alone or whose leading command may run user code
   * through a trigger or create an event trigger ({@link TriggerFree#command}): from it on, nothing
   * of the apply is joined (what ran may have created an event trigger the read at BEGIN missed).
   */
  static int joinEnd(List<ExecStatement> statements, boolean[] goesAlone) {
    int k = 0;
    while (k < statements.size() && !goesAlone[k] && TriggerFree.command(statements.get(k).text())) {
      k++;
    }
    return k;
  }

  /** As above with other window bounds (a test shows what an unbounded window does). */
  static Result run(Connection c, Statement one, List<ExecStatement> statements, StatementTimings.Recorder timer,
      StatementNotices.Log notices, int windowStatements, int windowBytes) throws SQLException {
    return run(c, one, statements, timer, notices, null, windowStatements, windowBytes, null);
  }

  /** {@code joinNothing}: null reads {@link #eventTriggers} here when {@link #mayJoin}. */
  /**
   * The run's end before {@code s}, a statement whose reading depends on the lexer's settings, when
   * the standard_conforming_strings the server reported last is not the one the splitter assumed
   * for it; null when they agree. Every earlier result has arrived (it opens a window or goes alone).
   */
  private static Result keptBack(QueryExecutor qe, ExecStatement s, int executed, int windows, int messages) {
    try {
      LexingSettingChanged.check(qe.getStandardConformingStrings(), s);
      return null;
    } catch (LexingSettingChanged e) {
      return new Result(executed, s, e, 0, 0, windows, 0, null, messages);
    }
  }

  private static Result run(Connection c, Statement one, List<ExecStatement> statements, StatementTimings.Recorder timer,
      StatementNotices.Log notices, ApplyEngine.WindowedObserver observer, int windowStatements, int windowBytes,
      Boolean joinNothing) throws SQLException {
    QueryExecutor qe = c.unwrap(BaseConnection.class).getQueryExecutor();
    // decided before the first window (or ahead of the transaction, PipelineDecisions.readAhead):
    // not between windows, while the server waits for the next one
    boolean[] goesAlone = PipelineDecisions.alone(statements);
    if (joinNothing == null) {
      joinNothing = !mayJoin(c, statements, observer) || eventTriggers(one);
    }
    // an audit function recording current_query() sees what psql would show: nothing joins when an
    // event trigger may fire, nor any statement that may fire a trigger, nor anything after one
    int joinEnd = joinNothing ? 0 : PipelineDecisions.joinEnd(statements);
    // statements the server may read otherwise than the split, had a function changed the lexer's settings
    boolean[] lexing = PipelineDecisions.lexing(statements);
    // how each joins: decided with the rest, ahead of the transaction when read ahead
    Joining.Kind[] kinds = PipelineDecisions.kinds(statements);
    int executed = 0;
    int windows = 0;
    int messages = 0;
    List<ExecStatement> window = new ArrayList<>();
    // where each Query message of the window starts (index into window)
    List<Integer> starts = new ArrayList<>();
    int bytes = 0;
    int i = 0;
    boolean closed = false;
    // joining: decided anew for each window (the session's settings as its last results left them)
    boolean join = false;
    boolean messageOpen = false;
    boolean joinStopped = false;
    while (i < statements.size() || !window.isEmpty()) {
      ExecStatement s = i < statements.size() ? statements.get(i) : null;
      boolean alone = s != null && goesAlone[i];
      Joining.Kind kind = Joining.Kind.OWN;
      if (s != null && !alone) {
        if (window.isEmpty()) {
          join = observer == null && Joining.allowed(qe);
          messageOpen = false;
          joinStopped = false;
        }
        kind = join && !joinStopped && i < joinEnd ? kinds[i] : Joining.Kind.OWN;
      }
      boolean joins = messageOpen && (kind == Joining.Kind.JOINS || kind == Joining.Kind.ENDS);
      // joined: the text and its "\n" separator, under the message's one header and terminator
      int size = s == null ? 0 : joins ? messageBytes(s.text()) - 5 : messageBytes(s.text());
      // a statement whose reading depends on the lexer's settings opens a window: every earlier
      // result, and the setting the server reported with it, has arrived before it is sent
      boolean fits = s != null && !alone && !closed && window.size() < windowStatements && bytes + size <= windowBytes
          && !(lexing[i] && !window.isEmpty());
      if (fits && lexing[i]) {
        Result refused = keptBack(qe, s, executed, windows, messages);
        if (refused != null) {
          return refused;
        }
      }
      if (fits) {
        if (!joins) {
          starts.add(window.size());
        }
        window.add(s);
        bytes += size;
        i++;
        messageOpen = kind == Joining.Kind.JOINS || kind == Joining.Kind.LEADS;
        joinStopped |= kind == Joining.Kind.ENDS || kind == Joining.Kind.CLOSES;
        // the observer must see this one before anything after it is sent
        closed = observer != null && observer.observes(s);
        continue;
      }
      closed = false;
      if (!window.isEmpty()) {
        Handler h = new Handler(window, starts, timer, notices);
        windows++;
        messages += starts.size();
        h.windowSent = System.nanoTime();
        qe.execute(qe.wrap(h.queries()), null, h, 0, 0,
            QueryExecutor.QUERY_EXECUTE_AS_SIMPLE | QueryExecutor.QUERY_ONESHOT);
        executed += h.executed;
        if (observer != null) {
          for (int k = 0; k < h.executed; k++) {
            try {
              observer.after(c, window.get(k), h.nanos[k]);
            } catch (SQLException e) {
              return new Result(executed - (h.executed - k - 1), window.get(k), e, 0, 0, windows, 0, null, messages);
            }
          }
        }
        if (h.firstError != null) {
          return new Result(executed, h.failed, h.firstError, h.refused(), h.ranAfter, windows, h.positionOffset,
              h.amongLast, messages);
        }
        window.clear();
        starts.clear();
        bytes = 0;
        continue;
      }
      // s goes alone: not pipelinable, or larger than a window by itself
      if (lexing[i]) {
        Result refused = keptBack(qe, s, executed, windows, messages);
        if (refused != null) {
          return refused;
        }
      }
      windows++;
      messages++;
      long sent = System.nanoTime();
      try {
        ApplyEngine.executeOne(one, s, notices);
        timer.statement(s, sent);
        executed++;
        i++;
        if (observer != null) {
          observer.after(c, s, System.nanoTime() - sent);
        }
      } catch (SQLException e) {
        if (!(e instanceof LexingSettingChanged)) {
          timer.statement(s, sent); // a statement the lexing guard kept back was not sent
        }
        return new Result(executed, s, e, 0, 0, windows, 0, null, messages);
      }
    }
    return new Result(executed, null, null, 0, 0, windows, 0, null, messages);
  }

  /**
   * True when {@code text} is one SQL command the server runs inside the transaction: the
   * splitter (which lexes as the server does) finds exactly one statement in it and it is neither
   * transaction control, COPY FROM STDIN, a meta-command nor empty — with
   * {@code standard_conforming_strings} on and off alike, since a statement earlier in the same
   * window may change it.
   */
  static boolean pipelinable(String text) {
    // the setting changes only how a backslash in a '…' string is read: without one, one split tells
    return text.indexOf('\\') < 0 ? pipelinable(text, true) : pipelinable(text, true) && pipelinable(text, false);
  }

  /** {@link #pipelinable(String)} as it is defined, splitting twice whatever the text (the tests compare the two). */
  static boolean pipelinableSplittingTwice(String text) {
    return pipelinable(text, true) && pipelinable(text, false);
  }

  private static boolean pipelinable(String text, boolean standardConformingStrings) {
    List<SqlStatement> parts = SqlSplitter.split("statement", text, standardConformingStrings).statements();
    if (parts.size() != 1) {
      return false;
    }
    StatementKind k = parts.get(0).kind();
    return k == StatementKind.SQL || k == StatementKind.NON_TRANSACTIONAL;
  }

  /** Bytes of the Query message for {@code text}: type, length, UTF-8 text, terminator. */
  static int messageBytes(String text) {
    return 6 + Joining.utf8Bytes(text, 0, text.length());
  }


  /**
   * Gets one window's results in order. Each statement ends with exactly one status or error,
   * except that after an error the server skips the rest of that Query message (no result at all)
   * and answers each later message of the window with one error; a joined message's first result
   * may be the raw parser's error for any of its statements ({@link Joining}).
   */
  private static final class Handler extends ResultHandlerBase {
    private final List<ExecStatement> window;
    private final StatementTimings.Recorder timer;
    private final StatementNotices.Log notices;
    /** For each statement: its message, and its offset in characters in that message's text. */
    private final int[] messageOf;
    private final int[] offset;
    /** For each message: its first statement, and one past its last. */
    private final int[] first;
    private final int[] end;
    private final String[] texts;
    long windowSent;
    /** Each statement's run time, from the later of the window's send and the previous result. */
    final long[] nanos;
    private long lastArrival;
    private int next;
    int executed;
    int ranAfter;
    ExecStatement failed;
    private int failedAt = -1;
    SQLException firstError;
    /** Characters to take from the error's position: the failing statement's offset in its message. */
    int positionOffset;
    /** Non-null: the error may be that of any statement from {@link #failed} to this one (none of them ran). */
    ExecStatement amongLast;

    Handler(List<ExecStatement> window, List<Integer> starts, StatementTimings.Recorder timer,
        StatementNotices.Log notices) {
      this.window = window;
      this.nanos = new long[window.size()];
      this.timer = timer;
      this.notices = notices;
      int n = window.size();
      int m = starts.size();
      messageOf = new int[n];
      offset = new int[n];
      first = new int[m];
      end = new int[m];
      texts = new String[m];
      for (int j = 0; j < m; j++) {
        first[j] = starts.get(j);
        end[j] = j + 1 < m ? starts.get(j + 1) : n;
        if (end[j] - first[j] == 1) {
          messageOf[first[j]] = j;
          texts[j] = window.get(first[j]).text();
          continue;
        }
        StringBuilder b = new StringBuilder();
        int chars = 0;
        for (int k = first[j]; k < end[j]; k++) {
          if (k > first[j]) {
            // a line break: a trailing -- comment cannot swallow the next statement
            b.append('\n');
            chars++;
          }
          String t = window.get(k).text();
          messageOf[k] = j;
          offset[k] = chars;
          b.append(t);
          chars += Joining.characters(t);
        }
        texts[j] = b.toString();
      }
    }

    /**
     * The window's Query messages as the driver's simple mode makes them from {@code
     * Statement.execute(text)} with escape processing off: each text one native query, unsplit.
     */
    List<NativeQuery> queries() {
      List<NativeQuery> out = new ArrayList<>(texts.length);
      for (String t : texts) {
        out.add(new NativeQuery(t, SqlCommand.createStatementTypeInfo(SqlCommandType.BLANK)));
      }
      return out;
    }

    /** Statements sent after the failing one that the server did not run. */
    int refused() {
      return failedAt < 0 ? 0 : window.size() - failedAt - 1 - ranAfter;
    }

    private int currentIndex() {
      return Math.min(next, window.size() - 1);
    }

    /** The statement whose result comes next (the last one for anything after the window's end). */
    private ExecStatement current() {
      return window.get(currentIndex());
    }

    private boolean joined(int message) {
      return end[message] - first[message] > 1;
    }

    /** The statement of {@code message} holding character {@code position} (1-based) of its text. */
    private int statementAt(int message, int position) {
      int k = first[message];
      while (k + 1 < end[message] && offset[k + 1] < position) {
        k++;
      }
      return k;
    }

    @Override
    public void handleResultRows(Query fromQuery, Field[] fields, List<Tuple> tuples, ResultCursor cursor) {
      // a statement that returns rows ends here (the driver passes its CommandComplete on as the
      // rows, without a command status); the rows are dropped, as without pipelining
      ended(null);
    }

    @Override
    public void handleCommandStatus(String status, long updateCount, long insertOID) {
      ended(null);
    }

    @Override
    public void handleWarning(SQLWarning warning) {
      if (firstError == null) {
        int at = currentIndex();
        int position = Joining.position(warning);
        if (position > 0 && joined(messageOf[at])) {
          // raised where the position is: the raw parse of the whole message runs before its first statement
          at = statementAt(messageOf[at], position);
        }
        notices.add(StatementNotice.of(window.get(at), warning));
      }
    }

    @Override
    public void handleError(SQLException error) {
      ended(error);
    }

    private void ended(SQLException error) {
      int at = currentIndex();
      long now = System.nanoTime();
      if (firstError == null) {
        int message = messageOf[at];
        if (error != null && joined(message) && !dev.cutter.core.db.DbErrors.ServerError.of(error).connectionLost()) {
          int position = Joining.position(error);
          boolean firstResult = at == first[message];
          if (position > 0) {
            if (firstResult) {
              // nothing of the message ran yet: the raw parse names the statement by its position
              at = statementAt(message, position);
            }
            positionOffset = offset[at];
          } else if (firstResult && Joining.mayBeRawParse(error)) {
            amongLast = window.get(end[message] - 1);
          }
        }
        ExecStatement s = window.get(at);
        timer.statement(s, Math.max(windowSent, lastArrival));
        nanos[at] = now - Math.max(windowSent, lastArrival);
        if (error == null) {
          executed++;
        } else {
          firstError = error;
          failed = s;
          failedAt = at;
        }
      } else if (error == null) {
        ranAfter++;
      }
      lastArrival = now;
      next++;
    }

    @Override
    public void handleCompletion() {
      // the first error is the run's outcome, taken from firstError; nothing to throw
    }

    @Override
    public SQLException getException() {
      return firstError;
    }
  }
}

package dev.cutter.core.exec;

import dev.cutter.core.db.DbErrors.ServerError;
import dev.cutter.core.model.ApplySettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs an artifact's statements as psql -v ON_ERROR_STOP=1 would: one statement at a time over
 * the simple query protocol, stop at the first error. In transaction mode everything runs in one
 * transaction that commits only if every statement succeeded and the journal row went in with
 * it; in autocommit mode the journal row commits first, then each statement commits on its own
 * (SPEC 3.5).
 */
public final class ApplyEngine {

  /**
   * Writes the journal row: in transaction mode inside the change's transaction, just before
   * COMMIT, so the row exists if and only if the change committed; in autocommit mode before the
   * first statement, committed on its own, so that a run that stops part-way has consumed its
   * package all the same.
   */
  @FunctionalInterface
  public interface BeforeCommit {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs inside the apply's transaction after the timeouts are set and before the first
   * statement (in autocommit mode in a transaction of its own just before): takes the locks the
   * change needs and proves that what P1 found still holds. A refusal rolls back; nothing ran.
   */
  @FunctionalInterface
  public interface BeforeFirstStatement {
    Optional<Refusal> check(Connection c) throws SQLException;
  }

  /**
   * Sees each statement right after it ran, on the same session inside the transaction (in
   * transaction mode; in autocommit mode only a {@link WindowedObserver}'s observed statements, each
   * then run in a transaction of its own that commits after the observer saw it), with the
   * statement's own run time; a rehearsal measures its locks here. An error it throws ends the run
   * as the statement's failure.
   */
  @FunctionalInterface
  public interface AfterStatement {
    void after(Connection c, ExecStatement s, long nanos) throws SQLException;
  }

  /**
   * An observer that needs to see only some statements right after they ran ({@link #observes});
   * the others it sees later, in order, with their run times, before any statement after the next
   * observed one is sent. Such an observer leaves the transactional apply pipelined: a window ends
   * at each observed statement (the lock plan's measurements need no more than that).
   */
  public interface WindowedObserver extends AfterStatement {
    /** True when {@link #after} must run before any statement after {@code s} is sent. */
    boolean observes(ExecStatement s);
  }

  /**
   * What an autocommit session must show before each statement after the first (R61): the search_path setting
   * and the role the artifact's text leaves after the statement before it. A function a statement calls may set
   * either for the session ({@code set_config('search_path', …, false)}), and the next statement's unqualified
   * names would resolve where P1 proved nothing. Read in the query that looks for the change key before each
   * next statement (O17): no round trip of its own while the session holds the key.
   */
  public interface BetweenStatements {
    /** Whether anything is compared before {@code next}, which follows statement {@code last}. */
    boolean compares(ExecStatement next, int last);

    /**
     * Throws a refusal of cutter's own ({@link CreatedElsewhere}: {@code next} is not sent) when {@code searchPath}
     * and {@code user}, the session's right before {@code next}, are not what the text leaves after {@code last}.
     */
    void check(ExecStatement next, int last, String searchPath, String user) throws SQLException;

    /** The relation names a temporary relation must not take in the session (R64); empty: none looked for. */
    default java.util.List<String> temporaryNames() {
      return java.util.List.of();
    }

    /**
     * Throws a refusal of cutter's own ({@code next} is not sent) when the session has temporary relations {@code
     * found} (null: none) of {@link #temporaryNames}.
     */
    default void checkTemporary(ExecStatement next, int last, String found) throws SQLException {
      // nothing looked for
    }
  }

  /** Nothing compared between autocommit statements. */
  public static final BetweenStatements NOTHING_BETWEEN = new BetweenStatements() {
    @Override
    public boolean compares(ExecStatement next, int last) {
      return false;
    }

    @Override
    public void check(ExecStatement next, int last, String searchPath, String user) {
      // nothing to compare
    }
  };

  /** Nothing to observe. */
  public static final AfterStatement NO_OBSERVER = (c, s, nanos) -> { };

  /** Nothing to re-check. */
  public static final BeforeFirstStatement NO_RECHECK = c -> Optional.empty();

  /**
   * How the statements are sent in transaction mode. {@code PIPELINED}: ahead of their results,
   * in bounded windows ({@link PipelinedSender}), when nothing observes each statement (no
   * {@link AfterStatement}) and the session speaks the simple protocol; otherwise, and always in
   * autocommit mode, one at a time as psql does.
   */
  public enum Sending { PIPELINED, ONE_AT_A_TIME }

  /**
   * How a pipelined apply went: {@code windows} round trips for the statements, and after a
   * failure how many statements already sent the server did not run (the rest of the failing
   * statement's joined message, which it skips; each later message, refused with SQLSTATE 25P02
   * or a syntax error: it parses before it looks at the transaction) and how many it ran (always
   * 0: inside the failed transaction it runs none).
   */
  public record Pipelining(int windows, int refusedAfterFailure, int ranAfterFailure) {}

  /** Why the step refused to start; the target is unchanged. */
  public record Refusal(String reason) {}

  /**
   * How the step ended. REFUSED: the {@link BeforeFirstStatement} refused, no statement ran.
   * {@code UNKNOWN} is never returned here: the run sets it when a lost connection leaves it
   * unable to tell whether the change committed.
   */
  public enum Ending { COMMITTED, ROLLED_BACK, PARTIALLY_COMMITTED, CONNECTION_LOST, REFUSED, UNKNOWN }

  /**
   * The outcome. {@code failedIndex} is the failing statement's index, 0 when the failure came
   * at COMMIT (a deferred constraint) or from the journal insert (-1), null when nothing failed.
   */
  public record Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
      Integer failedLine, ServerError error, Refusal refusal, StatementTimings timings, StatementNotices notices,
      Pipelining pipelining, Integer failedAmongLast, Integer failedAmongLine,
      LexingSettingChanged.Mismatch lexingChanged, CreatedElsewhere.Finding createdElsewhere) {
    public Outcome {
      committed = List.copyOf(committed);
      notices = notices == null ? StatementNotices.NONE : notices;
    }

    /**
     * An outcome without a lexing setting changed ({@code lexingChanged}: the statement cutter did not send, and
     * why) and without a relation created elsewhere ({@code createdElsewhere}: what cutter found, {@link
     * CreatedElsewhere}).
     */
    public Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
        Integer failedLine, ServerError error, Refusal refusal, StatementTimings timings, StatementNotices notices,
        Pipelining pipelining, Integer failedAmongLast, Integer failedAmongLine) {
      this(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, notices, pipelining,
          failedAmongLast, failedAmongLine, null, null);
    }

    /**
     * As below; {@code failedAmongLast} (line {@code failedAmongLine}), when not null, says the
     * error belongs to one of the statements {@code failedIndex}..{@code failedAmongLast} (one
     * joined Query message, none of which ran) and cannot be told which: the server raised it,
     * without a position, before or while it ran the first of them.
     */
    public Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
        Integer failedLine, ServerError error, Refusal refusal, StatementTimings timings, StatementNotices notices,
        Pipelining pipelining) {
      this(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, notices, pipelining,
          null, null);
    }

    public Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
        Integer failedLine, ServerError error, Refusal refusal, StatementTimings timings) {
      this(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, StatementNotices.NONE, null);
    }

    public Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
        Integer failedLine, ServerError error, Refusal refusal) {
      this(ending, total, executed, committed, failedIndex, failedLine, error, refusal, null);
    }

    /** This outcome with the statements' times. */
    public Outcome withTimings(StatementTimings t) {
      return new Outcome(ending, total, executed, committed, failedIndex, failedLine, error, refusal, t, notices,
          pipelining, failedAmongLast, failedAmongLine, lexingChanged, createdElsewhere);
    }

    /** This outcome with the notices the statements raised and how they were sent. */
    Outcome with(StatementNotices n, Pipelining p) {
      return new Outcome(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, n, p,
          failedAmongLast, failedAmongLine, lexingChanged, createdElsewhere);
    }

    /**
     * This outcome with what cutter itself found, when {@code e} is its own refusal: the statement the guard did
     * not send ({@link LexingSettingChanged}), a relation created first that is not the change's own ({@link
     * CreatedElsewhere}).
     */
    Outcome withCuttersOwn(SQLException e) {
      if (e instanceof LexingSettingChanged l) {
        return new Outcome(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, notices,
            pipelining, failedAmongLast, failedAmongLine, l.mismatch(), createdElsewhere);
      }
      if (e instanceof CreatedElsewhere c) {
        return new Outcome(ending, total, executed, committed, failedIndex, failedLine, error, refusal, timings, notices,
            pipelining, failedAmongLast, failedAmongLine, lexingChanged, c.finding());
      }
      return this;
    }

    public Outcome(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex,
        Integer failedLine, ServerError error) {
      this(ending, total, executed, committed, failedIndex, failedLine, error, null);
    }

    static Outcome refused(int total, Refusal r) {
      return new Outcome(Ending.REFUSED, total, 0, List.of(), null, null, null, r);
    }

    public boolean succeeded() {
      return error == null && (ending == Ending.COMMITTED);
    }
  }

  private ApplyEngine() {}

  /** Runs {@code statements} on {@code c}, which already runs as the apply role. */
  public static Outcome run(Connection c, List<ExecStatement> statements, ApplySettings settings, BeforeCommit journal)
      throws SQLException {
    return run(c, statements, settings, journal, NO_RECHECK);
  }

  /** As {@link #run(Connection, List, ApplySettings, BeforeCommit)}, with {@code before} run first. */
  public static Outcome run(Connection c, List<ExecStatement> statements, ApplySettings settings, BeforeCommit journal,
      BeforeFirstStatement before) throws SQLException {
    return run(c, statements, settings, journal, before, NO_OBSERVER);
  }

  /** As {@link #run(Connection, List, ApplySettings, BeforeCommit, BeforeFirstStatement)}, {@code after} seeing each statement. */
  public static Outcome run(Connection c, List<ExecStatement> statements, ApplySettings settings, BeforeCommit journal,
      BeforeFirstStatement before, AfterStatement after) throws SQLException {
    return run(c, statements, settings, journal, before, after, Sending.PIPELINED);
  }

  /** As above, choosing how the statements are sent (pipelined only where {@link Sending} allows it). */
  public static Outcome run(Connection c, List<ExecStatement> statements, ApplySettings settings, BeforeCommit journal,
      BeforeFirstStatement before, AfterStatement after, Sending sending) throws SQLException {
    return run(c, statements, settings, journal, before, after, sending, NOTHING_BETWEEN);
  }

  /** As above; in autocommit mode {@code between} compares the session before each statement after the first. */
  public static Outcome run(Connection c, List<ExecStatement> statements, ApplySettings settings, BeforeCommit journal,
      BeforeFirstStatement before, AfterStatement after, Sending sending, BetweenStatements between) throws SQLException {
    StatementTimings.Recorder timer = new StatementTimings.Recorder();
    StatementNotices.Log notices = new StatementNotices.Log();
    Pipelining[] how = new Pipelining[1];
    boolean pipelined = sending == Sending.PIPELINED && (after == NO_OBSERVER || after instanceof WindowedObserver)
        && PipelinedSender.supports(c);
    Outcome out = settings.mode() == ApplySettings.Mode.AUTOCOMMIT
        ? autocommit(c, statements, settings, journal, before, timer, notices, after, between)
        : transaction(c, statements, settings, journal, before, timer, after, notices, pipelined ? how : null);
    return out.withTimings(timer.result()).with(notices.result(), how[0]);
  }

  /** Runs {@code before}; a database error in it is a refusal too (a lock not granted in lock_timeout, …). */
  private static Optional<Refusal> recheck(Connection c, BeforeFirstStatement before) {
    try {
      return before.check(c);
    } catch (SQLException e) {
      return Optional.of(refusal(e));
    }
  }

  private static Refusal refusal(SQLException e) {
    ServerError err = ServerError.of(e);
    return new Refusal("the re-check at BEGIN failed: " + err.message()
        + (err.sqlstate() == null ? "" : " (SQLSTATE " + err.sqlstate() + ")"));
  }

  private static Outcome transaction(Connection c, List<ExecStatement> statements, ApplySettings settings,
      BeforeCommit journal, BeforeFirstStatement before, StatementTimings.Recorder timer, AfterStatement after,
      StatementNotices.Log notices, Pipelining[] pipelined) throws SQLException {
    c.setAutoCommit(false);
    int executed = 0;
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.execute("set local lock_timeout = " + millis(settings.lockTimeout()));
      st.execute("set local statement_timeout = " + millis(settings.statementTimeout()));
      // the re-check takes the change's locks on pre-existing relations: they are held from here to the end
      timer.locksTaken();
      Optional<Refusal> refused = recheck(c, before);
      if (refused.isPresent()) {
        rollbackBeforeFirst(c);
        timer.locksReleased();
        return Outcome.refused(statements.size(), refused.get());
      }
      if (pipelined != null) {
        WindowedObserver observer = after instanceof WindowedObserver w ? w : null;
        boolean joinNothing = true;
        if (PipelinedSender.mayJoin(c, statements, observer)) {
          // an event trigger recording current_query() must see each statement's own text: read
          // once, on this session inside the transaction, before the first window
          try {
            joinNothing = PipelinedSender.eventTriggers(st);
          } catch (SQLException e) {
            Refusal r = refusal(e);
            rollback(c, ServerError.of(e));
            timer.locksReleased();
            return Outcome.refused(statements.size(), r);
          }
        }
        PipelinedSender.Result r = PipelinedSender.run(c, st, statements, timer, notices, observer, joinNothing);
        pipelined[0] = new Pipelining(r.windows(), r.refusedAfterFailure(), r.ranAfterFailure());
        executed = r.executed();
        if (r.failed() != null) {
          ServerError err = errorOf(r.error());
          if (r.positionOffset() > 0 && err.position() > 0) {
            // the server counted from the start of the joined message; the report counts from the statement's
            err = err.withPosition(Math.max(0, err.position() - r.positionOffset()));
          }
          Ending ending = rollback(c, r.error(), err);
          timer.locksReleased();
          return new Outcome(ending, statements.size(), executed, List.of(), r.failed().index(), r.failed().line(), err,
              null, null, null, null, r.failedAmongLast() == null ? null : r.failedAmongLast().index(),
              r.failedAmongLast() == null ? null : r.failedAmongLast().line()).withCuttersOwn(r.error());
        }
      } else {
        for (ExecStatement s : statements) {
          long sent = System.nanoTime();
          try {
            long t0 = System.nanoTime();
            executeOne(st, s, notices);
            timer.statement(s, sent);
            long took = System.nanoTime() - t0;
            executed++;
            after.after(c, s, took);
          } catch (SQLException e) {
            if (!(e instanceof LexingSettingChanged)) {
              timer.statement(s, sent); // a statement the lexing guard kept back was not sent
            }
            ServerError err = errorOf(e);
            Ending ending = rollback(c, e, err);
            timer.locksReleased();
            return new Outcome(ending, statements.size(), executed, List.of(), s.index(), s.line(), err).withCuttersOwn(e);
          }
        }
      }
      try {
        journal.run(c);
      } catch (SQLException e) {
        // the journal row, and the proof that each relation the change created first is its own (CreatedElsewhere)
        ServerError err = errorOf(e);
        Ending ending = rollback(c, e, err);
        timer.locksReleased();
        return new Outcome(ending, statements.size(), executed, List.of(), -1, 0, err).withCuttersOwn(e);
      }
      // psql's -1 leaves settings behind only for this transaction; so do we (SET LOCAL).
      try {
        c.commit();
      } catch (SQLException e) {
        timer.locksReleased();
        ServerError err = ServerError.of(e);
        return new Outcome(err.connectionLost() ? Ending.CONNECTION_LOST : Ending.ROLLED_BACK, statements.size(),
            executed, List.of(), 0, 0, err);
      }
      timer.locksReleased();
      List<Integer> all = statements.stream().map(ExecStatement::index).toList();
      return new Outcome(Ending.COMMITTED, statements.size(), executed, all, null, null, null);
    } finally {
      restoreAutocommit(c);
    }
  }

  /**
   * Autocommit mode: the re-check runs in a transaction of its own that ends before the first
   * statement, so its locks are released again; between that COMMIT and the first statement
   * another session can still act (a gap transaction mode does not have).
   */
  private static Outcome autocommit(Connection c, List<ExecStatement> statements, ApplySettings settings,
      BeforeCommit journal, BeforeFirstStatement before, StatementTimings.Recorder timer, StatementNotices.Log notices,
      AfterStatement after, BetweenStatements between) throws SQLException {
    if (before != NO_RECHECK) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("set local lock_timeout = " + millis(settings.lockTimeout()));
        st.execute("set local statement_timeout = " + millis(settings.statementTimeout()));
        Optional<Refusal> refused = recheck(c, before);
        if (refused.isPresent()) {
          rollbackBeforeFirst(c);
          return Outcome.refused(statements.size(), refused.get());
        }
        c.rollback();
      } finally {
        restoreAutocommit(c);
      }
    }
    c.setAutoCommit(true);
    List<Integer> committed = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.execute("set lock_timeout = " + millis(settings.lockTimeout()));
      st.execute("set statement_timeout = " + millis(settings.statementTimeout()));
      boolean keyed;
      try {
        journal.run(c);
        // a session that holds the change key must still hold it before each next statement (O17)
        keyed = AdvisoryLock.holdsChange(c);
      } catch (SQLException e) {
        ServerError err = ServerError.of(e);
        return new Outcome(err.connectionLost() ? Ending.CONNECTION_LOST : Ending.ROLLED_BACK, statements.size(), 0,
            committed, -1, 0, err);
      }
      int last = 0;
      for (ExecStatement s : statements) {
        long sent = System.nanoTime();
        boolean sending = false;
        try {
          if (last > 0 && (keyed || between.compares(s, last))) {
            // one query: the change key (O17) and the session's path and role (R61), before the statement is sent
            AdvisoryLock.Between now = AdvisoryLock.between(c, between.temporaryNames());
            if (keyed) {
              ChangeKeyReleased.check(now.holdsChange(), s.index(), s.line(), last);
            }
            between.check(s, last, now.searchPath(), now.user());
            between.checkTemporary(s, last, now.temporaryNamed());
            sent = System.nanoTime();
          }
          sending = true;
          if (after instanceof WindowedObserver w && w.observes(s)) {
            provenBeforeCommit(c, st, s, notices, w);
          } else {
            executeOne(st, s, notices);
          }
          timer.statement(s, sent);
          committed.add(s.index());
          last = s.index();
        } catch (SQLException e) {
          if (sending && !notSent(e)) {
            timer.statement(s, sent); // a statement a look before it or the lexing guard kept back was not sent
          }
          ServerError err = errorOf(e);
          Ending ending = lost(e, err) ? Ending.CONNECTION_LOST
              : committed.isEmpty() ? Ending.ROLLED_BACK : Ending.PARTIALLY_COMMITTED;
          return new Outcome(ending, statements.size(), committed.size(), committed, s.index(), s.line(), err)
              .withCuttersOwn(e);
        }
      }
      return new Outcome(Ending.COMMITTED, statements.size(), committed.size(), committed, null, null, null);
    } finally {
      try (Statement st = c.createStatement()) {
        st.execute("reset lock_timeout");
        st.execute("reset statement_timeout");
      } catch (SQLException ignored) {
        // the session may be gone; nothing to reset then
      }
    }
  }

  /**
   * Autocommit mode: {@code s} in a transaction of its own, which commits only once {@code proof} has
   * seen it (an error it throws rolls the statement back and is its failure).
   */
  private static void provenBeforeCommit(Connection c, Statement st, ExecStatement s, StatementNotices.Log notices,
      WindowedObserver proof) throws SQLException {
    long t0 = System.nanoTime();
    c.setAutoCommit(false);
    try {
      executeOne(st, s, notices);
      proof.after(c, s, System.nanoTime() - t0);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException gone) {
        e.addSuppressed(gone);
      }
      throw e;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException gone) {
        // the session is gone: the statement's own error says so
      }
    }
  }

  /**
   * Sends {@code s} alone and reads all its results, as psql does before sending the next; the
   * notices it raised (also when it failed) go to {@code notices}.
   */
  static void executeOne(Statement st, ExecStatement s, StatementNotices.Log notices) throws SQLException {
    // every earlier result has arrived: the setting the server reported last is the one it lexes s with
    LexingSettingChanged.check(st.getConnection(), s);
    if (s.copyData() != null) {
      copyIn(st.getConnection(), s, notices);
      return;
    }
    try {
      st.execute(s.text());
      drain(st);
    } finally {
      for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
        notices.add(StatementNotice.of(s, w));
      }
      st.clearWarnings();
    }
  }

  /**
   * A {@code COPY … FROM STDIN} and its inline data ({@link CopyIn}); the driver hands the notices
   * raised during a COPY to the connection, so they are taken from there.
   */
  private static void copyIn(Connection c, ExecStatement s, StatementNotices.Log notices) throws SQLException {
    c.clearWarnings();
    try {
      CopyIn.send(c, s.text(), s.copyData());
    } finally {
      for (SQLWarning w = c.getWarnings(); w != null; w = w.getNextWarning()) {
        notices.add(StatementNotice.of(s, w));
      }
      c.clearWarnings();
    }
  }

  /**
   * The error a statement ended with; a statement the lexing guard did not send ({@link
   * LexingSettingChanged}) and a refusal of cutter's own ({@link CreatedElsewhere}) have no SQLSTATE
   * and are no lost connection (the session is intact).
   */
  static ServerError errorOf(SQLException e) {
    if (cuttersOwn(e)) {
      return new ServerError(null, e.getMessage(), null, null, null, 0, null, null, null,
          null, null);
    }
    return ServerError.of(e);
  }

  private static void drain(Statement st) throws SQLException {
    while (st.getMoreResults() || st.getUpdateCount() != -1) {
      // consume every result of the statement, as psql does before sending the next
    }
  }

  /** True when {@code e} (as {@code err}) says the session is gone; never for a refusal of cutter's own ({@link #cuttersOwn}). */
  private static boolean lost(SQLException e, ServerError err) {
    return !cuttersOwn(e) && err.connectionLost();
  }

  /** A failure cutter raised, not the server: a statement it kept back ({@link #notSent}) or a {@link CreatedElsewhere}. */
  private static boolean cuttersOwn(SQLException e) {
    return notSent(e) || e instanceof CreatedElsewhere;
  }

  /** A statement cutter kept back ({@link LexingSettingChanged}, {@link ChangeKeyReleased}): not sent, the session intact. */
  private static boolean notSent(SQLException e) {
    return e instanceof LexingSettingChanged || e instanceof ChangeKeyReleased;
  }

  /**
   * Ends the re-check's transaction, before any statement ran. A session gone meanwhile (a check
   * at BEGIN, as apply_role, may end its own session) took the transaction with it: nothing ran,
   * and the refusal stands, never a database error of the run.
   */
  private static void rollbackBeforeFirst(Connection c) throws SQLException {
    try {
      c.rollback();
    } catch (SQLException e) {
      if (!c.isClosed()) {
        throw e;
      }
    }
  }

  private static Ending rollback(Connection c, SQLException e, ServerError err) {
    try {
      c.rollback();
      return lost(e, err) ? Ending.CONNECTION_LOST : Ending.ROLLED_BACK;
    } catch (SQLException gone) {
      // the session is gone: the server rolled the transaction back when it ended
      return Ending.CONNECTION_LOST;
    }
  }

  private static Ending rollback(Connection c, ServerError err) {
    try {
      c.rollback();
      return err.connectionLost() ? Ending.CONNECTION_LOST : Ending.ROLLED_BACK;
    } catch (SQLException e) {
      // the session is gone: the server rolled the transaction back when it ended
      return Ending.CONNECTION_LOST;
    }
  }

  private static void restoreAutocommit(Connection c) {
    try {
      if (!c.isClosed()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // connection lost: nothing to restore
    }
  }

  /** A duration as the integer milliseconds PostgreSQL's timeout settings take (0 = off). */
  static String millis(Duration d) {
    return "'" + Math.max(0, d.toMillis()) + "ms'";
  }
}

package dev.cutter.core.exec;

import dev.cutter.core.Background;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Which statements of an apply the pipelined sender sends alone ({@link PipelinedSender#pipelinable}
 * false, or a COPY with its data), decided once per list of statements and, when the run asks for
 * it, before the apply's transaction begins; with them, from which statement on nothing of the
 * apply joins ({@link PipelinedSender#joinEnd}: the leading commands' tokens, read once),
 * which statements' reading depends on the lexer's settings ({@link #lexing}), and how each joins
 * its neighbours in one message ({@link #kinds}).
 *
 * <p>Deciding splits every statement's text again (the splitter lexes as the server does). Done
 * window by window inside the transaction, that CPU lay between a window's last result and the
 * next window's sending, when the server has nothing to do and the change's locks are held
 * (10,000 statements: a tenth of a second or more of a cold JVM). {@link #readAhead} decides on a
 * daemon thread while the run connects and runs P1; the sender then finds the decisions made.
 * The decisions are a function of the statements' texts and data alone, kept for the last list
 * decided and used only for a list of equal statements.
 */
public final class PipelineDecisions {

  /** What was decided for one list of statements, index by index. */
  private record Decided(ExecStatement[] keys, boolean[] alone, boolean[] lexing, Joining.Kind[] kinds, int joinEnd) {}

  /** The last list decided; null: none yet. */
  private static Decided last;
  private static long readings;

  private PipelineDecisions() {}

  /** For each statement of {@code statements}, in order: true when it goes alone. */
  static synchronized boolean[] alone(List<ExecStatement> statements) {
    return decided(statements).alone();
  }

  /** The decisions for {@code statements}: the last list's when they are equal, else decided now. */
  private static synchronized Decided decided(List<ExecStatement> statements) {
    if (last != null && ExecStatement.sameAs(statements, last.keys())) {
      return last;
    }
    ExecStatement[] keys = statements.toArray(new ExecStatement[0]);
    boolean[] alone = new boolean[keys.length];
    for (int i = 0; i < keys.length; i++) {
      alone[i] = goesAlone(keys[i]);
    }
    boolean[] lexing = new boolean[keys.length];
    for (int i = 0; i < keys.length; i++) {
      lexing[i] = keys[i].readingDependsOnSettings();
    }
    int joinEnd = PipelinedSender.joinEnd(statements, alone);
    // how each statement before the join's end would join its neighbours (a function of its text and
    // lexing alone); the sender reads it only where the session allows joining
    Joining.Kind[] kinds = new Joining.Kind[keys.length];
    for (int i = 0; i < keys.length; i++) {
      kinds[i] = i < joinEnd && !alone[i] ? Joining.kind(keys[i].text(), lexing[i]) : Joining.Kind.OWN;
    }
    last = new Decided(keys, alone, lexing, kinds, joinEnd);
    readings++;
    return last;
  }

  /**
   * For {@code statements}: the index of the first statement after which nothing joins ({@link
   * PipelinedSender#joinEnd}), decided with {@link #alone} (ahead of the transaction when read ahead).
   */
  static synchronized int joinEnd(List<ExecStatement> statements) {
    return decided(statements).joinEnd();
  }

  /**
   * For each statement of {@code statements}: true when its reading depends on the lexer's
   * settings ({@link ExecStatement#readingDependsOnSettings}), decided with {@link #alone}.
   */
  static synchronized boolean[] lexing(List<ExecStatement> statements) {
    return decided(statements).lexing();
  }

  /**
   * For each statement of {@code statements}: how it joins its neighbours in one message ({@link
   * Joining#kind}) where the session allows joining, {@link Joining.Kind#OWN} from the join's end on
   * and for a statement that goes alone; decided with {@link #alone}.
   */
  static synchronized Joining.Kind[] kinds(List<ExecStatement> statements) {
    return decided(statements).kinds();
  }

  /** The decision for one statement, as the sender made it statement by statement. */
  static boolean goesAlone(ExecStatement s) {
    // a COPY with its data cannot share a window: its data goes only once the server asked for it
    return s.copyData() != null || !PipelinedSender.pipelinable(s.text());
  }

  /**
   * Starts deciding for {@code statements} on a daemon thread, for a run that will apply them
   * soon. A sender that asks meanwhile waits for it and shares the decisions; once another list
   * has been decided since it was started, it decides nothing (null), so that it cannot replace
   * a later list's decisions.
   */
  public static FutureTask<boolean[]> readAhead(List<ExecStatement> statements) {
    return readAhead(statements, null);
  }

  /**
   * As {@link #readAhead(List)}, starting once {@code first} (null: nothing) has ended, however it
   * ended: work the run needs sooner (P1's DDL analysis) keeps the cores it would share with this.
   */
  public static FutureTask<boolean[]> readAhead(List<ExecStatement> statements, Future<?> first) {
    long before;
    synchronized (PipelineDecisions.class) {
      before = readings;
    }
    return Background.start("cutter-pipeline-decisions", () -> {
      if (first != null) {
        try {
          Background.await(first, Exception.class);
        } catch (Exception e) {
          // how the other work ended is its own business; the decisions do not depend on it
        }
      }
      synchronized (PipelineDecisions.class) {
        if (readings != before) {
          return null;
        }
        try {
          return alone(statements);
        } catch (RuntimeException e) {
          return null; // the sender decides again and meets the same failure where it is reported
        }
      }
    });
  }

  /** How many lists have been decided in this JVM (the tests count re-decisions). */
  static synchronized long readings() {
    return readings;
  }
}

package dev.cutter.core.check.derived;

import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The DDL analysis of an artifact's statements, read once per run: the P1 privilege check, the
 * backup-scope check, the re-check at BEGIN, the blockers gate's planned locks and the derived
 * verify checks all ask for the same statements' requirements or touches. The last list read is
 * kept; it is reused only for a list of equal statements (the same index, line and text: what the
 * analysis reads), else read afresh. The lists the run hands out are made anew each time from the
 * same texts, so comparing them costs a pointer comparison per statement.
 */
public final class StatementAnalysis {

  private final ExecStatement[] keys;
  private final List<List<Requirement>> requirements;
  private final List<List<Touch>> touches;
  /** Every statement's touches and requirements in one list each, in order: flattened once per reading. */
  private final List<Touch> allTouches;
  private final List<Requirement> allRequirements;

  private static StatementAnalysis last;
  /** How many readings {@link #of} has made: a reading ahead started before the latest one is moot. */
  private static long readings;

  private StatementAnalysis(ExecStatement[] keys, List<List<Requirement>> requirements, List<List<Touch>> touches) {
    this.keys = keys;
    this.requirements = requirements;
    this.touches = touches;
    List<Touch> t = new ArrayList<>();
    touches.forEach(t::addAll);
    this.allTouches = Collections.unmodifiableList(t);
    List<Requirement> r = new ArrayList<>();
    requirements.forEach(r::addAll);
    this.allRequirements = Collections.unmodifiableList(r);
  }

  /** The analysis of {@code statements}, reading each statement's text at most once per run. */
  public static synchronized StatementAnalysis of(List<ExecStatement> statements) {
    StatementAnalysis a = last;
    if (a != null && a.holds(statements)) {
      return a;
    }
    ExecStatement[] keys = statements.toArray(new ExecStatement[0]);
    List<List<Requirement>> reqs = new ArrayList<>(keys.length);
    List<List<Touch>> tch = new ArrayList<>(keys.length);
    for (ExecStatement s : keys) {
      DdlAnalyzer.Reading r = DdlAnalyzer.both(s.index(), s.line(), s.text());
      reqs.add(r.requirements());
      tch.add(Collections.unmodifiableList(r.touches()));
    }
    last = new StatementAnalysis(keys, Collections.unmodifiableList(reqs), Collections.unmodifiableList(tch));
    readings++;
    return last;
  }

  /**
   * Starts reading {@code statements} on a daemon thread, for a run that will ask for them soon
   * (P1's privilege check): the analysis is offline and needs only the CPU, so it can be read
   * while the run connects. Whoever asks meanwhile waits for it and shares it ({@link #of} is one
   * reading at a time); should the analyzer fail, the check that asks reads again and reports it.
   * Once another reading has been made since it was started, it reads nothing (null).
   */
  public static java.util.concurrent.FutureTask<StatementAnalysis> readAhead(List<ExecStatement> statements) {
    long before;
    synchronized (StatementAnalysis.class) {
      before = readings;
    }
    return dev.cutter.core.Background.start("cutter-ddl-analysis", () -> {
      synchronized (StatementAnalysis.class) {
        if (readings != before) {
          return null; // someone read statements since: what they read stays the last reading
        }
        try {
          return of(statements);
        } catch (RuntimeException e) {
          return null;
        }
      }
    });
  }

  /** Every object the statements touch, in order (as {@link DdlAnalyzer#touches} statement by statement). */
  public static List<Touch> touches(List<ExecStatement> statements) {
    return of(statements).allTouches;
  }

  /** What the statements need, in order (as {@link DdlAnalyzer#analyze} statement by statement). */
  public static List<Requirement> requirements(List<ExecStatement> statements) {
    return of(statements).allRequirements;
  }

  /** The touches of the statement at {@code position} (0-based) of the list read. */
  public List<Touch> touchesAt(int position) {
    return touches.get(position);
  }

  private boolean holds(List<ExecStatement> statements) {
    return ExecStatement.sameAs(statements, keys);
  }
}

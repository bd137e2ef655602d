package dev.cutter.core.lock;

import java.util.List;

/**
 * The locks a rehearsal measured: after each statement, the relation locks its session newly
 * held ({@link StatementLocks}, only statements that took some), and per relation that existed
 * before the change the strongest mode, the statement that took it, and how long it was held: in
 * one transaction every lock is held until its end, so the hold covers that statement and every
 * later one ({@link RelationHold}). {@code executed} statements of {@code statements} ran;
 * {@code complete} is false when a statement failed or the session could not be read at the end
 * ({@code note} says why), and the plan then covers the statements that ran.
 */
public record LockPlan(Source source, String file, int statements, int executed, boolean complete, String note,
    List<StatementLocks> perStatement, List<RelationHold> summary) {

  public LockPlan {
    perStatement = List.copyOf(perStatement);
    summary = List.copyOf(summary);
  }

  /**
   * The strongest mode statement {@code index} newly took on a relation that existed before the
   * change, as {@code pg_locks.mode} names it; null when it took none or was not measured alone. This is
   * what a lock-hazard rule's prediction is shown next to.
   */
  public String strongestAt(int index) {
    LockMode best = null;
    for (StatementLocks s : perStatement) {
      if (s.index() == index && !s.span()) {
        for (MeasuredLock l : s.locks()) {
          if (l.preExisting()) {
            best = LockMode.stronger(best, l.mode());
          }
        }
      }
    }
    return best == null ? null : best.pgName();
  }

  /** {@link #strongestAt} of {@code plan}, or nothing when there is no plan. */
  public static java.util.function.IntFunction<String> measuredBy(LockPlan plan) {
    return plan == null ? i -> null : plan::strongestAt;
  }

  /** Which rehearsal measured the plan. */
  public enum Source {
    /** P1's {@code rehearse} check, on the target, rolled back. */
    REHEARSE("rehearse"),
    /** A dry-run's apply, in its sandbox. */
    DRY_RUN("dry_run"),
    /** A dry-run's rehearsal of the rollback artifact, in its sandbox. */
    ROLLBACK_REHEARSAL("rollback_rehearsal");

    private final String yamlName;

    Source(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }

    public static Source ofYamlName(String name) {
      for (Source s : values()) {
        if (s.yamlName.equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown lock plan source " + name);
    }
  }

  /**
   * Statement {@code index} (line {@code line} of the plan's file), its own run time, the locks it
   * newly held. When {@code through} is greater than {@code index}, statements {@code index} to
   * {@code through} were measured together, after the last of them: the locks are theirs, which of
   * them took each is not known, and the run time is theirs together.
   */
  public record StatementLocks(int index, int line, long durationMicros, List<MeasuredLock> locks, int through) {
    public StatementLocks {
      locks = List.copyOf(locks);
    }

    /** One statement measured alone. */
    public StatementLocks(int index, int line, long durationMicros, List<MeasuredLock> locks) {
      this(index, line, durationMicros, locks, index);
    }

    /** True when several statements were measured together. */
    public boolean span() {
      return through != index;
    }
  }

  /**
   * A pre-existing relation's strongest lock: taken by statement {@code takenAt} (line
   * {@code line}), held while that statement and the {@code heldStatements - 1} after it ran, for
   * {@code heldMicros} of their measured run time (recording excluded), then until the
   * transaction ended. {@code rewritten}: its relfilenode differs at the end from before the change.
   * When {@code takenThrough} is greater than {@code takenAt}, the lock was first seen after statements
   * {@code takenAt} to {@code takenThrough}, measured together: one of them took it, and the hold is
   * counted from the first.
   */
  public record RelationHold(String relation, String kind, LockMode strongest, int takenAt, int line,
      int heldStatements, long heldMicros, Long sizeBytes, Double estimatedRows, boolean rewritten, int takenThrough) {

    /** Taken by one statement, measured alone. */
    public RelationHold(String relation, String kind, LockMode strongest, int takenAt, int line, int heldStatements,
        long heldMicros, Long sizeBytes, Double estimatedRows, boolean rewritten) {
      this(relation, kind, strongest, takenAt, line, heldStatements, heldMicros, sizeBytes, estimatedRows, rewritten,
          takenAt);
    }
  }
}

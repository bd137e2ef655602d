package dev.cutter.core.online;

import java.util.List;
import java.util.Optional;

/**
 * What the online step did, for the report: each statement with its status and duration, the
 * one that failed with its SQLSTATE, and the INVALID indexes a failed build left and whether
 * cutter dropped them.
 *
 * @param statementsDone statements that completed (each committed on its own)
 * @param lockTimeout the lock_timeout each statement ran under: {@code off} or milliseconds
 * @param cleanup INVALID indexes left by a failed build; empty when none was left
 * @param refusal why no statement ran at all (another session held the change key, or no
 *     session as apply_role could be had); null when the step ran
 */
public record OnlineInfo(Outcome outcome, int statementsTotal, int statementsDone, String lockTimeout,
    String statementTimeout, List<StatementRun> statements, List<Cleanup> cleanup, String refusal) {

  /** DONE: every statement completed; FAILED: one failed (or none could run) and the rest did not run. */
  public enum Outcome { DONE, FAILED }

  /** How one statement went. */
  public enum RunStatus { DONE, FAILED, NOT_RUN }

  /** What became of an INVALID index a failed build left. */
  public enum CleanupStatus { DROPPED, NOT_DROPPED }

  public OnlineInfo {
    statements = List.copyOf(statements);
    cleanup = List.copyOf(cleanup);
  }

  /**
   * One statement: its 1-based index and line in the online artifact, its first tokens, status,
   * duration (null when it did not run), and for the failed one the server's SQLSTATE and message.
   */
  public record StatementRun(int index, int line, String summary, RunStatus status, Long durationMs, String sqlstate,
      String message) {}

  /** An INVALID index (schema-qualified, quoted as needed) and whether it was dropped; {@code message} says why not. */
  public record Cleanup(String index, CleanupStatus status, String message) {}

  /** The statement that failed, if one did. */
  public Optional<StatementRun> failed() {
    return statements.stream().filter(s -> s.status() == RunStatus.FAILED).findFirst();
  }

  public boolean done() {
    return outcome == Outcome.DONE;
  }

  /** This step with {@code message} of its failed statement replaced (the report masks row values). */
  public OnlineInfo withFailedMessage(java.util.function.BiFunction<String, String, String> mask) {
    List<StatementRun> masked = statements.stream().map(s -> s.message() == null ? s
        : new StatementRun(s.index(), s.line(), s.summary(), s.status(), s.durationMs(), s.sqlstate(),
            mask.apply(s.sqlstate(), s.message()))).toList();
    return new OnlineInfo(outcome, statementsTotal, statementsDone, lockTimeout, statementTimeout, masked, cleanup, refusal);
  }
}

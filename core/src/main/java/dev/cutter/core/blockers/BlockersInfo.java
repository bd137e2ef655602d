package dev.cutter.core.blockers;

import java.util.List;

/**
 * The report's {@code blockers} section: the relations the gate watched and in what mode, what
 * it found on its last look, how long it waited, and every attempt of the apply with the
 * sessions that held it up. {@code status}: PASS (nobody in the way), BLOCKED (someone still was
 * when the wait ended) or NOT_RUN.
 */
public record BlockersInfo(String status, List<String> relations, String maxBlockerAge, long waitedMs,
    List<Blocker> blockers, List<Attempt> attempts) {

  public BlockersInfo {
    relations = List.copyOf(relations);
    blockers = List.copyOf(blockers);
    attempts = List.copyOf(attempts);
  }

  /**
   * One try at the apply. {@code outcome}: committed, lock_timeout (55P03, rolled back),
   * failed (another error, never retried), blocked (the gate found blockers before it and it did
   * not start); {@code sqlstate} of the error, if any; {@code waitedBeforeMs} the backoff slept
   * before it (0 for the first); {@code blockers} what the gate found before it and the sessions
   * seen holding it up while it ran.
   */
  public record Attempt(int number, String outcome, String sqlstate, long waitedBeforeMs, List<Blocker> blockers) {
    public Attempt {
      blockers = List.copyOf(blockers);
    }
  }

  /** This section with one more attempt. */
  public BlockersInfo withAttempt(Attempt a) {
    List<Attempt> all = new java.util.ArrayList<>(attempts);
    all.add(a);
    return new BlockersInfo(status, relations, maxBlockerAge, waitedMs, blockers, all);
  }

  /** This section after another look by the gate. */
  public BlockersInfo withScan(String status, long waitedMs, List<Blocker> blockers) {
    return new BlockersInfo(status, relations, maxBlockerAge, this.waitedMs + waitedMs, blockers, attempts);
  }
}

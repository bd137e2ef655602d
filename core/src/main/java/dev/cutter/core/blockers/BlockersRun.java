package dev.cutter.core.blockers;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.model.ApplySettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The blockers gate and the apply's attempts for one run: look for blockers (waiting up to
 * {@code --lock-wait}), run an attempt while watching who holds it up, and decide whether a lock
 * timeout is tried again. Collects the report's {@link BlockersInfo}.
 */
public final class BlockersRun {

  /** One attempt of the apply (take the change key, run the artifact). */
  @FunctionalInterface
  public interface Attempt {
    Outcome run() throws SQLException;
  }

  private final BlockersGate gate;
  private final Connection watchOn;
  private final int applyPid;
  private final ApplySettings settings;
  private final RandomGenerator random;
  private BlockersInfo info;
  private int attempts;
  private long nextWaitMs;
  private List<Blocker> gateFound = List.of();

  private BlockersRun(BlockersGate gate, Connection watchOn, int applyPid, ApplySettings settings, RandomGenerator random) {
    this.gate = gate;
    this.watchOn = watchOn;
    this.applyPid = applyPid;
    this.settings = settings;
    this.random = random;
    this.info = new BlockersInfo("NOT_RUN", gate.relations(), age(settings.maxBlockerAge()), 0,
        List.of(), List.of());
  }

  /**
   * Resolves the plan on the apply session {@code apply} and watches from {@code lockSession};
   * {@code ownPids} are this run's sessions.
   */
  public static BlockersRun prepare(Connection apply, Connection lockSession, PlannedLocks plan, ApplySettings settings,
      Set<Integer> ownPids, RandomGenerator random) throws SQLException {
    BlockersGate g = BlockersGate.prepare(apply, lockSession, plan, settings.maxBlockerAge(), ownPids);
    return new BlockersRun(g, lockSession, BlockersGate.pidOf(apply), settings, random);
  }

  /** The gate: looks until nobody is in the way or {@code wait} ends. */
  public BlockersGate.Scan gate(Duration wait) throws SQLException {
    BlockersGate.Scan scan = gate.await(wait);
    gateFound = scan.blockers();
    info = info.withScan(scan.clear() ? "PASS" : "BLOCKED", scan.waitedMs(), scan.blockers());
    if (!scan.clear()) {
      info = info.withAttempt(new BlockersInfo.Attempt(attempts + 1, "blocked", null, nextWaitMs, scan.blockers()));
    }
    return scan;
  }

  /**
   * Runs one attempt while watching who holds it up, and records it; {@code refusalSqlstate}
   * gives the SQLSTATE of a refusal at BEGIN (the locks taken there), if any.
   */
  public Outcome attempt(Attempt a, java.util.function.Supplier<String> refusalSqlstate) throws SQLException {
    attempts++;
    LockWatch watch = LockWatch.start(watchOn, applyPid);
    Outcome out;
    List<Blocker> seen;
    try {
      out = a.run();
    } finally {
      seen = watch.stop();
    }
    List<Blocker> all = new ArrayList<>(gateFound);
    all.addAll(seen);
    String sqlstate = out.error() != null ? out.error().sqlstate()
        : out.ending() == Ending.REFUSED ? refusalSqlstate.get() : null;
    String outcome = switch (out.ending()) {
      case COMMITTED -> "committed";
      case REFUSED -> RetryPolicy.retryable(sqlstate) ? "lock_timeout" : "refused";
      case PARTIALLY_COMMITTED -> "partially_committed";
      case CONNECTION_LOST, UNKNOWN -> "connection_lost";
      case ROLLED_BACK -> RetryPolicy.retryable(sqlstate) ? "lock_timeout" : "failed";
    };
    info = info.withAttempt(new BlockersInfo.Attempt(attempts, outcome, sqlstate, nextWaitMs, all));
    return out;
  }

  /**
   * Whether {@code out} is tried again: a lock timeout (by SQLSTATE, in the apply's statements
   * or in the locks taken at BEGIN, {@code refusalSqlstate}) that left the target unchanged —
   * in autocommit mode only at BEGIN, as the journal row commits before the first statement —
   * while retries are left. If so, sleeps the jittered backoff first.
   */
  public boolean retry(Outcome out, String refusalSqlstate, boolean transaction) {
    if (!RetryPolicy.lockTimeout(out, refusalSqlstate, transaction) || attempts > settings.retries()) {
      return false;
    }
    Duration wait = RetryPolicy.backoff(settings.retryWait(), attempts, random);
    nextWaitMs = wait.toMillis();
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /** apply.max_blocker_age as the report shows it: {@code any} for zero, else milliseconds. */
  public static String age(Duration maxBlockerAge) {
    return maxBlockerAge.isZero() ? "any" : maxBlockerAge.toMillis() + "ms";
  }

  /** The report's section so far. */
  public BlockersInfo info() {
    return info;
  }

  /** How many attempts ran. */
  public int attempts() {
    return attempts;
  }
}

package dev.cutter.core.blockers;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * What is retried: only a lock timeout (SQLSTATE 55P03, lock_not_available) that left the
 * target unchanged, and only {@code apply.retries} times. The wait before retry n (1-based) is
 * {@code retry_wait · 2^(n-1)}, jittered to between half and one and a half times that, at most
 * {@link #MAX_WAIT}.
 */
public final class RetryPolicy {

  /** lock_not_available. */
  public static final String LOCK_NOT_AVAILABLE = "55P03";
  /** The longest single wait between attempts. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private RetryPolicy() {}

  /** Whether an error with {@code sqlstate} may be retried: by SQLSTATE only. */
  public static boolean retryable(String sqlstate) {
    return LOCK_NOT_AVAILABLE.equals(sqlstate);
  }

  /**
   * Whether an attempt that ended in {@code out} was a lock timeout that left the target
   * unchanged: a refusal at BEGIN whose LOCK TABLE failed with {@code refusalSqlstate} 55P03, or,
   * in transaction mode, a statement that failed with 55P03 and was rolled back. In autocommit
   * mode a statement's lock timeout is not: the journal row committed before the first statement.
   */
  public static boolean lockTimeout(dev.cutter.core.exec.ApplyEngine.Outcome out, String refusalSqlstate,
      boolean transaction) {
    return switch (out.ending()) {
      case REFUSED -> retryable(refusalSqlstate);
      case ROLLED_BACK -> transaction && out.error() != null && retryable(out.error().sqlstate());
      default -> false;
    };
  }

  /** The wait before retry {@code n} (1 for the first retry). */
  public static Duration backoff(Duration retryWait, int n, RandomGenerator random) {
    long base = retryWait.toMillis() << Math.min(20, Math.max(0, n - 1));
    long jittered = (long) (base * (0.5 + random.nextDouble()));
    return Duration.ofMillis(Math.min(MAX_WAIT.toMillis(), Math.max(0, jittered)));
  }
}

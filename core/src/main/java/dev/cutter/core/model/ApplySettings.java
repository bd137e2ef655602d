package dev.cutter.core.model;

import java.time.Duration;

/**
 * How the artifact runs: one transaction (default) or autocommit, and the timeouts set locally.
 * A timeout is a whole number of milliseconds, at least 1ms, or {@link #OFF} (written {@code off}
 * in the package; the loader refuses zero and sub-millisecond values). {@code maxBlockerAge}:
 * a transaction older than this that holds a lock on a relation the change locks is a blocker
 * (zero: of any age); {@code retries}: how often an apply that hit lock_timeout is tried again,
 * waiting {@code retryWait} (doubled each time, jittered) in between.
 */
public record ApplySettings(Mode mode, Duration lockTimeout, Duration statementTimeout, Duration maxBlockerAge,
    int retries, Duration retryWait) {

  public static final Duration DEFAULT_MAX_BLOCKER_AGE = Duration.ZERO;
  public static final int DEFAULT_RETRIES = 0;
  public static final Duration DEFAULT_RETRY_WAIT = Duration.ofSeconds(2);
  /** The most retries a package may ask for. */
  public static final int MAX_RETRIES = 10;

  /** Settings with the default blocker age and no retry. */
  public ApplySettings(Mode mode, Duration lockTimeout, Duration statementTimeout) {
    this(mode, lockTimeout, statementTimeout, DEFAULT_MAX_BLOCKER_AGE, DEFAULT_RETRIES, DEFAULT_RETRY_WAIT);
  }

  /** A timeout the package disabled explicitly ({@code off}); PostgreSQL's 0. */
  public static final Duration OFF = Duration.ZERO;

  /** SPEC 3.5. */
  public enum Mode { TRANSACTION, AUTOCOMMIT }

  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(10);

  /** True when the package wrote {@code off} for either timeout. */
  public boolean anyTimeoutOff() {
    return lockTimeout.isZero() || statementTimeout.isZero();
  }

  /** A timeout as the report shows it: {@code off}, or milliseconds. */
  public static String describe(Duration timeout) {
    return timeout.isZero() ? "off" : timeout.toMillis() + "ms";
  }

  /** The settings as one line for a report: {@code mode=transaction lock_timeout=5000ms statement_timeout=off}. */
  public String summary() {
    return "mode=" + mode.name().toLowerCase(java.util.Locale.ROOT) + " lock_timeout=" + describe(lockTimeout)
        + " statement_timeout=" + describe(statementTimeout);
  }

  public static ApplySettings defaults() {
    return new ApplySettings(Mode.TRANSACTION, DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
  }
}

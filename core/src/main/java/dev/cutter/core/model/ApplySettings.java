package dev.cutter.core.model;

import java.time.Duration;

/**
 * How the artifact runs: one transaction (default) or autocommit, and the timeouts set locally.
 * A timeout is a whole number of milliseconds, at least 1ms, or {@link #OFF} (written {@code off}
 * in the package; the loader refuses zero and sub-millisecond values).
 */
public record ApplySettings(Mode mode, Duration lockTimeout, Duration statementTimeout) {

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

package dev.cutter.core.model;

import java.time.Duration;

/** How the artifact runs: one transaction (default) or autocommit, and the timeouts set locally. */
public record ApplySettings(Mode mode, Duration lockTimeout, Duration statementTimeout) {

  /** SPEC 3.5. */
  public enum Mode { TRANSACTION, AUTOCOMMIT }

  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(10);

  public static ApplySettings defaults() {
    return new ApplySettings(Mode.TRANSACTION, DEFAULT_LOCK_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
  }
}

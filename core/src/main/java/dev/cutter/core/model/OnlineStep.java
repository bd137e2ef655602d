package dev.cutter.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * The package's optional {@code online} step: a second artifact whose statements run after the
 * change committed, each in its own autocommit and under its own timeouts (index builds
 * CONCURRENTLY, VALIDATE CONSTRAINT, ADD VALUE, ANALYZE). Pinned and signed like the change.
 * A timeout is a whole number of milliseconds, or {@link ApplySettings#OFF}.
 */
public record OnlineStep(ArtifactRef artifact, Duration lockTimeout, Duration statementTimeout) {

  /**
   * The online statements take no lock that queues ordinary reads and writes (SHARE UPDATE
   * EXCLUSIVE at most), but an index build waits for every older transaction: a minute rather than
   * the change's 5s, so that a busy server does not fail every build.
   */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(1);
  /** An index build on a large table takes long; past an hour the operator says so (or writes off). */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofHours(1);

  public OnlineStep {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
  }
}

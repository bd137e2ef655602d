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

  /** Waiting for a lock longer than this queues every other session behind the statement. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  /** An index build on a large table takes long; past an hour the operator says so (or writes off). */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofHours(1);

  public OnlineStep {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
  }
}

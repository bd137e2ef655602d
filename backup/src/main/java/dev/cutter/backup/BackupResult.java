package dev.cutter.backup;

import dev.cutter.core.cause.Cause;
import java.nio.file.Path;
import java.util.Optional;

/** What the P2 backup gate decided: a verified backup with its envelope, or a refusal and why. */
public sealed interface BackupResult {

  /** Every check passed; the backup is at {@code envelope.path()}. */
  record Passed(BackupEnvelope envelope) implements BackupResult {}

  /**
   * The gate refused. {@code reason} is one line for the operator; {@code details} adds what was
   * found (e.g. pg_dump's error line); {@code expected}/{@code actual} are set where a value was
   * compared (versions, sizes, counts); {@code quarantined} is where a partial file was moved.
   */
  record Blocked(Cause.BackupRefusal kind, String reason, String details, String expected, String actual,
      Optional<Path> quarantined, Cause cause) implements BackupResult {

    public Blocked {
      quarantined = quarantined == null ? Optional.empty() : quarantined;
      cause = cause == null ? new Cause.BackupRefused(kind) : cause;
    }

    /** A refusal whose cause is {@code BackupRefused(kind)}. */
    public Blocked(Cause.BackupRefusal kind, String reason, String details, String expected, String actual,
        Optional<Path> quarantined) {
      this(kind, reason, details, expected, actual, quarantined, null);
    }

    static Blocked of(Cause.BackupRefusal kind, String reason, String details) {
      return new Blocked(kind, reason, details, null, null, Optional.empty());
    }

    static Blocked compared(Cause.BackupRefusal kind, String reason, String expected, String actual) {
      return new Blocked(kind, reason, null, expected, actual, Optional.empty());
    }

    Blocked quarantinedAt(Path partial) {
      return new Blocked(kind, reason, details, expected, actual, Optional.ofNullable(partial), cause);
    }
  }

  default boolean passed() {
    return this instanceof Passed;
  }
}

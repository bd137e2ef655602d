package dev.cutter.backup;

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
  record Blocked(String reason, String details, String expected, String actual, Optional<Path> quarantined)
      implements BackupResult {

    public Blocked {
      quarantined = quarantined == null ? Optional.empty() : quarantined;
    }

    static Blocked of(String reason, String details) {
      return new Blocked(reason, details, null, null, Optional.empty());
    }

    static Blocked compared(String reason, String expected, String actual) {
      return new Blocked(reason, null, expected, actual, Optional.empty());
    }

    Blocked quarantinedAt(Path partial) {
      return new Blocked(reason, details, expected, actual, Optional.ofNullable(partial));
    }
  }

  default boolean passed() {
    return this instanceof Passed;
  }
}

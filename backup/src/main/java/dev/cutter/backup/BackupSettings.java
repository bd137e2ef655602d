package dev.cutter.backup;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * How the backup gate runs on this host: where the PostgreSQL client programs are ({@code pgBin},
 * else PATH), the environment that {@code ${ENV}} in {@code encrypt_to}, GNUPGHOME, HOME and PATH
 * are read from, where progress goes (only ever a terminal), and the clock.
 */
public record BackupSettings(Optional<Path> pgBin, Map<String, String> environment, Optional<PrintStream> progress,
    Clock clock) {

  public BackupSettings {
    environment = Map.copyOf(environment);
  }

  /** PATH, the process environment, progress on stderr only when a terminal is attached. */
  public static BackupSettings defaults() {
    return new BackupSettings(Optional.empty(), System.getenv(),
        System.console() != null ? Optional.of(System.err) : Optional.empty(), Clock.systemUTC());
  }

  public BackupSettings withPgBin(Path dir) {
    return new BackupSettings(Optional.ofNullable(dir), environment, progress, clock);
  }

  public BackupSettings withEnvironment(Map<String, String> env) {
    return new BackupSettings(pgBin, env, progress, clock);
  }

  public BackupSettings withProgress(PrintStream out) {
    return new BackupSettings(pgBin, environment, Optional.ofNullable(out), clock);
  }

  PgTools tools() {
    return new PgTools(pgBin, environment.getOrDefault("PATH", ""));
  }
}

package dev.cutter.backup;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the backup gate runs on this host: where the PostgreSQL client programs are ({@code pgBin},
 * else PATH), the environment that {@code ${ENV}} in {@code encrypt_to}, GNUPGHOME, HOME and PATH
 * are read from, where progress goes (only ever a terminal), and the clock.
 */
public record BackupSettings(Optional<Path> pgBin, Map<String, String> environment, Optional<PrintStream> progress,
    Clock clock, Optional<Supplier<ScratchServer>> scratch) {

  public BackupSettings {
    environment = Map.copyOf(environment);
    scratch = scratch == null ? Optional.empty() : scratch;
  }

  /** Settings without a scratch server (a restore proof asked for is then refused). */
  public BackupSettings(Optional<Path> pgBin, Map<String, String> environment, Optional<PrintStream> progress, Clock clock) {
    this(pgBin, environment, progress, clock, Optional.empty());
  }

  /** Where the restore proof ({@code backup.verify: restore}) restores: opened only when a proof runs. */
  public BackupSettings withScratch(Supplier<ScratchServer> server) {
    return new BackupSettings(pgBin, environment, progress, clock, Optional.ofNullable(server));
  }

  /** PATH, the process environment, progress on stderr only when a terminal is attached. */
  public static BackupSettings defaults() {
    return new BackupSettings(Optional.empty(), System.getenv(),
        System.console() != null ? Optional.of(System.err) : Optional.empty(), Clock.systemUTC());
  }

  public BackupSettings withPgBin(Path dir) {
    return new BackupSettings(Optional.ofNullable(dir), environment, progress, clock, scratch);
  }

  public BackupSettings withEnvironment(Map<String, String> env) {
    return new BackupSettings(pgBin, env, progress, clock, scratch);
  }

  public BackupSettings withProgress(PrintStream out) {
    return new BackupSettings(pgBin, environment, Optional.ofNullable(out), clock, scratch);
  }

  PgTools tools() {
    return new PgTools(pgBin, environment.getOrDefault("PATH", ""));
  }
}

package dev.cutter.backup;

import dev.cutter.core.via.PgDumpVia;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the backup gate runs on this host: where the PostgreSQL client programs are ({@code pgBin},
 * else PATH), the environment that {@code ${ENV}} in {@code encrypt_to}, GNUPGHOME, HOME and PATH
 * are read from, where progress goes (only ever a terminal), the clock, and the operator's command
 * prefix that runs pg_dump and pg_restore where the server lives ({@code via}; see {@link ClientTools}).
 */
public record BackupSettings(Optional<Path> pgBin, Map<String, String> environment, Optional<PrintStream> progress,
    Clock clock, Optional<PgDumpVia> via, Optional<Supplier<ScratchServer>> scratch) {

  public BackupSettings {
    environment = Map.copyOf(environment);
    via = via == null ? Optional.empty() : via;
    scratch = scratch == null ? Optional.empty() : scratch;
  }

  /** Settings that run pg_dump directly, without a scratch server (a restore proof asked for is then refused). */
  public BackupSettings(Optional<Path> pgBin, Map<String, String> environment, Optional<PrintStream> progress,
      Clock clock) {
    this(pgBin, environment, progress, clock, Optional.empty(), Optional.empty());
  }

  /** Where the restore proof ({@code backup.verify: restore}) restores: opened only when a proof runs. */
  public BackupSettings withScratch(Supplier<ScratchServer> server) {
    return new BackupSettings(pgBin, environment, progress, clock, via, Optional.ofNullable(server));
  }

  /** PATH, the process environment, progress on stderr only when a terminal is attached. */
  public static BackupSettings defaults() {
    return new BackupSettings(Optional.empty(), System.getenv(),
        System.console() != null ? Optional.of(System.err) : Optional.empty(), Clock.systemUTC());
  }

  public BackupSettings withPgBin(Path dir) {
    return new BackupSettings(Optional.ofNullable(dir), environment, progress, clock, via, scratch);
  }

  public BackupSettings withEnvironment(Map<String, String> env) {
    return new BackupSettings(pgBin, env, progress, clock, via, scratch);
  }

  public BackupSettings withProgress(PrintStream out) {
    return new BackupSettings(pgBin, environment, Optional.ofNullable(out), clock, via, scratch);
  }

  /** pg_dump and pg_restore run through {@code prefix} (none: directly). */
  public BackupSettings withPgDumpVia(Optional<PgDumpVia> prefix) {
    return new BackupSettings(pgBin, environment, progress, clock, prefix, scratch);
  }

  PgTools tools() {
    return new PgTools(pgBin, environment.getOrDefault("PATH", ""));
  }

  /** How pg_dump and pg_restore are started: directly, or through {@link #via}. */
  public ClientTools clientTools() {
    return new ClientTools(pgBin, environment.getOrDefault("PATH", ""), via);
  }
}

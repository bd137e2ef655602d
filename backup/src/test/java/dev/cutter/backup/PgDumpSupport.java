package dev.cutter.backup;

import dev.cutter.fixtures.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Test helpers around the local PostgreSQL 15 client programs. */
final class PgDumpSupport {

  private static final Path DEBIAN_BIN = Path.of("/usr/lib/postgresql/15/bin");

  private PgDumpSupport() {}

  /** The real client binaries when Debian's layout is present (its /usr/bin wrappers pick by cluster), else PATH. */
  static Optional<Path> pgBin() {
    return Files.isExecutable(DEBIAN_BIN.resolve("pg_dump")) ? Optional.of(DEBIAN_BIN) : Optional.empty();
  }

  static String program(String name) {
    return pgBin().map(p -> p.resolve(name).toString()).orElse(name);
  }

  /** {@code pg_dump -Fc} of the test database to a file, as the superuser. */
  static void dumpToFile(TestDatabase db, Path file) throws IOException, InterruptedException {
    run(List.of(program("pg_dump"), "--format=custom", "--no-password", "-h", db.server().host(),
        "-p", String.valueOf(db.server().port()), "-U", "postgres", "-f", file.toString(), db.name()));
  }

  /** Runs a command, failing with its output when it exits non-zero; returns stdout. */
  static String run(List<String> command) throws IOException, InterruptedException {
    return run(command, null);
  }

  static String run(List<String> command, java.util.Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    if (env != null) {
      pb.environment().putAll(env);
    }
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}

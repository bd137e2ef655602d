package dev.cutter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shaded {@code cutter.jar} run as a child JVM (for the *IT suites, after {@code package}):
 * stdout and stderr go to files beside each other so a killed process leaves what it printed.
 */
final class ChildCutter {

  static final Path JAR = Path.of("target", "cutter.jar");

  private final Process process;
  private final Path out;
  private final Path err;

  private ChildCutter(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code java -jar cutter.jar args} with {@code env} added to this JVM's environment; output under {@code logs}. */
  static ChildCutter start(Path logs, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    try {
      Files.createDirectories(logs);
      Path out = Files.createTempFile(logs, "stdout-", ".txt");
      Path err = Files.createTempFile(logs, "stderr-", ".txt");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      return new ChildCutter(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs to the end (at most {@code seconds}) and returns exit code and output. */
  static Cli run(Path logs, Map<String, String> env, long seconds, String... args) {
    return start(logs, env, args).await(seconds);
  }

  Cli await(long seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("cutter did not finish within " + seconds + " s; stdout:\n" + read(out) + "\nstderr:\n"
            + read(err));
      }
      return new Cli(process.exitValue(), read(out), read(err));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash or an operator's kill -9 would; waits until it is gone. */
  void kill() {
    try {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, as an operator's kill or a service manager's stop would send; does not wait. */
  void terminate() {
    process.destroy();
  }

  /** The processes this one started (pg_dump, pg_restore, …), while it runs. */
  java.util.List<ProcessHandle> descendants() {
    return process.descendants().toList();
  }

  String output() {
    return read(out) + read(err);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

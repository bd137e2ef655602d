package dev.cutter.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the PostgreSQL client programs (a {@code pgBin} directory, else PATH) and their versions. */
public final class PgTools {

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

  private final Optional<Path> pgBin;
  private final String pathVariable;

  public PgTools(Optional<Path> pgBin, String pathVariable) {
    this.pgBin = pgBin;
    this.pathVariable = pathVariable == null ? "" : pathVariable;
  }

  /** The executable {@code name} in pgBin, or the first on PATH; empty when there is none. */
  public Optional<Path> find(String name) {
    if (pgBin.isPresent()) {
      Path p = pgBin.get().resolve(name);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** Where a program was looked for, for messages. */
  public String searched() {
    return pgBin.map(p -> "in " + p).orElse("on PATH");
  }

  /** A client program's version, from {@code PROGRAM --version}. */
  public record ToolVersion(Path program, String text, int major) {}

  /** Runs {@code program --version} and parses "name (PostgreSQL) 15.18 ...". */
  public static ToolVersion version(Path program) throws IOException {
    Process p = new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true).start();
    String out;
    try (var in = p.getInputStream()) {
      out = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
    }
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(program + " --version did not finish in 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + program + " --version", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(program + " --version exited " + p.exitValue() + ": " + firstLine(out));
    }
    return new ToolVersion(program, firstLine(out), parseMajor(out));
  }

  /** The major version in a {@code --version} line; -1 when there is none. */
  static int parseMajor(String versionOutput) {
    Matcher m = VERSION.matcher(versionOutput);
    if (!m.find()) {
      return -1;
    }
    int major = Integer.parseInt(m.group(1));
    // before 10 the major was two numbers (9.6); those clients are far too old either way
    return major;
  }

  static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }
}

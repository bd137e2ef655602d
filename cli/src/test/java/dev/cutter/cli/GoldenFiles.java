package dev.cutter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Golden files compared byte for byte. They are rewritten only on request
 * ({@code -Dcutter.golden.update=true}), and never where the environment variable {@code CI} is
 * set: a build server cannot quietly accept a changed report.
 */
final class GoldenFiles {

  static final String UPDATE_PROPERTY = "cutter.golden.update";

  private final Path dir;
  private final boolean update;

  GoldenFiles(Path dir, boolean update) {
    this.dir = dir;
    this.update = update;
  }

  /**
   * The golden files under {@code dir} as this JVM was asked to treat them.
   *
   * @throws IllegalStateException when an update is asked for while {@code CI} is set
   */
  static GoldenFiles of(Path dir, Map<String, String> env) {
    boolean update = Boolean.parseBoolean(System.getProperty(UPDATE_PROPERTY, "false"));
    if (update && env.get("CI") != null) {
      throw new IllegalStateException("-D" + UPDATE_PROPERTY + "=true is refused where CI is set: regenerate the golden"
          + " files on a workstation and commit them after review");
    }
    return new GoldenFiles(dir, update);
  }

  boolean updating() {
    return update;
  }

  Path dir() {
    return dir;
  }

  /** Writes {@code actual} as {@code name} when updating; otherwise fails unless it equals the file. */
  void check(String name, String actual) {
    Path golden = dir.resolve(name);
    try {
      if (update) {
        Files.createDirectories(dir);
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(golden)) {
        throw new AssertionError("golden file " + golden + " is missing; " + HOW);
      }
      String expected = Files.readString(golden, StandardCharsets.UTF_8);
      if (!expected.equals(actual)) {
        throw new org.opentest4j.AssertionFailedError("output differs from " + golden + "; " + HOW, expected, actual);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String HOW = "after an intended change regenerate with bin/regenerate-goldens (see docs/reports.md)"
      + " and review the diff";
}

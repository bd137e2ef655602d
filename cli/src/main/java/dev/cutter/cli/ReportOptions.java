package dev.cutter.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --report-dir}: where reports are written. */
public final class ReportOptions {

  @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "cutter-reports",
      description = "Where reports go, as <package-id>/<run-id>.yaml and .md (default: ${DEFAULT-VALUE}).")
  Path dir;

  public Path dir() {
    return dir;
  }
}

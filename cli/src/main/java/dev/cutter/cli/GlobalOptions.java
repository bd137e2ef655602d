package dev.cutter.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes; inherited from the root command. */
public final class GlobalOptions {

  /** How the stdout summary is printed. */
  public enum OutputFormat { text, json }

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show more detail, including stack traces of internal errors.")
  boolean verbose;

  @Option(names = "--quiet", scope = ScopeType.INHERIT, description = "Print only the verdict line and errors.")
  boolean quiet;

  @Option(names = "--output", scope = ScopeType.INHERIT, paramLabel = "text|json", defaultValue = "text",
      description = "Format of the stdout summary: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  OutputFormat output = OutputFormat.text;

  @Option(names = "--show-values", scope = ScopeType.INHERIT,
      description = "Keep the row values the server quotes in its errors (e.g. the duplicate key of a unique violation) "
          + "in the report and on stdout; the report records that they were shown. Default: masked.")
  boolean showValues;

  public boolean verbose() {
    return verbose;
  }

  public boolean quiet() {
    return quiet;
  }

  public boolean showValues() {
    return showValues;
  }

  public OutputFormat output() {
    return output;
  }
}

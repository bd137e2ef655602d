package dev.cutter.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point: everything runs in {@link #run}, with injected streams, so tests run in-process. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    PackageReadAhead.startFor(args); // apply's package, read while the command line is parsed
    ModelAhead.startFor(args); // apply's annotations, read while picocli starts with the root command
    PrintWriter out = new PrintWriter(new PrintStream(System.out, true, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new PrintStream(System.err, true, StandardCharsets.UTF_8), true);
    System.exit(run(out, err, args));
  }

  /** Runs one cutter command line and returns its exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return CutterCommand.commandLineFor(out, err, args).execute(args);
  }
}

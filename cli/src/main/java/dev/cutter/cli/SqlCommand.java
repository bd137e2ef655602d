package dev.cutter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter sql …}: tools for SQL artifacts. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    header = "Inspect SQL artifacts the way the executor reads them.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {SqlSplitCommand.class, SqlLintCommand.class})
final class SqlCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

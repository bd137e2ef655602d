package dev.cutter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter keys}: approver keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Approver keys.",
    subcommands = {KeysGenerateCommand.class})
final class KeysCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

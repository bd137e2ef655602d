package dev.cutter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter package ...}: write a new package from SQL; offline work on one: pin artifact hashes, sign, verify. */
@Command(
    name = "package",
    mixinStandardHelpOptions = true,
    description = "Write a new package from SQL and the live target; work on a package offline: pin artifact hashes, sign, verify.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {PackageNewCommand.class, PackageHashCommand.class, PackageSignCommand.class, PackageVerifyCommand.class})
public final class PackageCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

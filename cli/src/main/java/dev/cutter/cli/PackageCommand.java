package dev.cutter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter package ...}: offline work on a package: pin artifact hashes, sign, verify. */
@Command(
    name = "package",
    mixinStandardHelpOptions = true,
    description = "Work on a package offline: pin artifact hashes, sign, verify.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {PackageHashCommand.class, PackageSignCommand.class, PackageVerifyCommand.class})
public final class PackageCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

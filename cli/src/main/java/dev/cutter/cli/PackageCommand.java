package dev.cutter.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter package}: work on a package without touching any database. */
@Command(name = "package", mixinStandardHelpOptions = true, description = "Sign and verify packages (offline).",
    subcommands = {PackageSignCommand.class})
final class PackageCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

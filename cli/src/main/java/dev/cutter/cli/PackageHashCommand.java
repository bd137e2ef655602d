package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.model.PackageHasher;
import dev.cutter.core.model.PackageLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cutter package hash PKG [--check]}: recomputes every artifact's sha256 and rewrites only those values. */
@Command(
    name = "hash",
    mixinStandardHelpOptions = true,
    description = {
      "Recompute the sha256 of every artifact (artifact and rollback.artifact) and rewrite only those values in "
          + "package.yaml; comments, order and quoting stay as they are. A missing sha256 is added.",
      "With --check nothing is written and the exit code is 3 when any hash is out of date."
    })
final class PackageHashCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PKG", description = "The package's package.yaml or its directory.")
  Path pkg;

  @Option(names = "--check", description = "Change nothing; exit 3 if any hash differs.")
  boolean check;

  @Override
  public Integer call() {
    PackageHasher.Result result = new PackageHasher(PackageLoader.withInstalledChecks()).compute(pkg);
    PrintWriter out = spec.commandLine().getOut();
    if (result.upToDate()) {
      out.println("all hashes up to date");
      return ExitCodes.OK;
    }
    result.changes().forEach(out::println);
    if (check) {
      out.println(result.changes().size() + " of the package's hashes are out of date; run: cutter package hash " + pkg);
      return ExitCodes.CHECKS_FAILED;
    }
    PackageHasher.write(result);
    out.println("updated " + result.file());
    return ExitCodes.OK;
  }
}

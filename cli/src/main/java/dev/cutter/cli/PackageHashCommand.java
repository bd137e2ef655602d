package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.model.PackageHasher;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.StaleSignatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
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
      "With --check nothing is written and the exit code is 3 when any hash is out of date.",
      "Signatures in package.yaml.asc made over other bytes no longer count: a warning names how many; "
          + "--drop-signatures removes them."
    })
final class PackageHashCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "PKG", description = "The package's package.yaml or its directory.")
  Path pkg;

  @Option(names = "--check", description = "Change nothing; exit 3 if any hash differs.")
  boolean check;

  @Option(names = "--drop-signatures", description = "Remove from package.yaml.asc the signatures made over other bytes "
      + "than the (updated) package.yaml; keep those over its current bytes; delete the file when none remain.")
  boolean dropSignatures;

  @Override
  public Integer call() throws IOException {
    PackageHasher.Result result = new PackageHasher(PackageLoader.withInstalledChecks()).compute(pkg);
    PrintWriter out = spec.commandLine().getOut();
    if (result.upToDate()) {
      out.println("all hashes up to date");
    } else {
      result.changes().forEach(out::println);
      if (check) {
        out.println(result.changes().size() + " of the package's hashes are out of date; run: cutter package hash " + pkg);
        return ExitCodes.CHECKS_FAILED;
      }
      PackageHasher.write(result);
      out.println("updated " + result.file());
    }
    if (!check) {
      signatures(result.file(), out);
    }
    return ExitCodes.OK;
  }

  /** Says how many signatures no longer match package.yaml and, with --drop-signatures, removes them. */
  private void signatures(Path yaml, PrintWriter out) throws IOException {
    byte[] current = Files.readAllBytes(yaml);
    String asc = IntegrityVerifier.signatureFileOf(yaml).getFileName().toString();
    StaleSignatures.Scan scan = dropSignatures && !check
        ? StaleSignatures.drop(yaml, current) : StaleSignatures.scan(yaml, current);
    if (scan.stale() == 0) {
      return;
    }
    String count = scan.stale() + " of the " + scan.blocks() + " signature" + (scan.blocks() == 1 ? "" : "s") + " in " + asc;
    if (!dropSignatures) {
      out.println("warning: " + count + (scan.stale() == 1 ? " was" : " were") + " made over other bytes of package.yaml"
          + " and no longer match" + (scan.stale() == 1 ? "s" : "") + ": run cutter package hash --drop-signatures " + pkg
          + ", then sign again");
    } else if (!scan.clean()) {
      out.println("warning: " + count + " no longer match package.yaml, but " + asc + " is not purely armored signatures ("
          + scan.problem() + "): nothing removed; fix or delete it, then sign again");
    } else {
      int kept = scan.blocks() - scan.stale();
      out.println("removed " + count + " made over other bytes of package.yaml; "
          + (kept == 0 ? asc + " deleted" : kept + " kept") + "; sign again");
    }
  }
}

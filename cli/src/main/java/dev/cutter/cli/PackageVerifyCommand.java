package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.run.PackageSqlCheck;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter package verify}: the integrity gate alone, offline. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
      "Offline: validate the package, check the sha256 of package.yaml and of every artifact, the signatures in "
          + "package.yaml.asc against the trust policy (quorum of distinct approvers), and that the authorization has not expired.",
      "The SQL is judged as apply judges it (meta-commands, COPY FROM STDIN, transaction control, statements that cannot "
          + "run in a transaction block in mode: transaction, the online step's rules): a package apply would refuse is invalid here too.",
      "Exit 0 when all hold, 3 when any fails, 2 for an invalid package (its SQL included) or trust policy."})
final class PackageVerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Mixin TrustOptions trust;

  @Override
  public Integer call() {
    ApplyPackage loaded = PackageLoader.withInstalledChecks().load(pkg.path());
    // The SQL is split and judged on its own thread while the signatures are checked and the artifacts hashed.
    CompletableFuture<Void> sql = CompletableFuture.runAsync(() -> PackageSqlCheck.check(loaded), task -> {
      Thread t = new Thread(task, "cutter-artifact-sql");
      t.setDaemon(true);
      t.start();
    });
    TrustPolicy.Location location = trust.locate();
    Optional<TrustPolicy> policy = location.file().map(TrustPolicy::load);
    String trustLine = policy.map(p -> p.file() + " (require " + p.require() + " of " + p.approvers().size()
        + " approvers, " + p.keyring().size() + " keys in " + p.keyringFile() + ")").orElse(location.describeSearch());
    Instant now = Instant.now();
    IntegrityResult result = policy.map(p -> IntegrityVerifier.verify(loaded, p, now))
        .orElseGet(() -> IntegrityVerifier.verifyWithoutPolicy(loaded, location.describeSearch(), now));
    try {
      sql.join();
    } catch (CompletionException e) {
      // A package apply would refuse: invalid (exit 2), every refusal as file:line:col, as apply and preflight print it.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    IntegrityText.print(result, trustLine, global, spec.commandLine().getOut());
    return result.passed() ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
  }
}

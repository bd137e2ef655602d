package dev.cutter.cli;

import dev.cutter.core.ExitCodes;
import dev.cutter.core.integrity.IntegrityResult;
import dev.cutter.core.integrity.IntegrityVerifier;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cutter package verify}: the integrity gate alone, offline. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
      "Offline: validate the package, check the sha256 of package.yaml and of every artifact, the signatures in "
          + "package.yaml.asc against the trust policy (quorum of distinct approvers), and that the authorization has not expired.",
      "Exit 0 when all hold, 3 when any fails, 2 for an invalid package or trust policy."})
final class PackageVerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Mixin TrustOptions trust;

  @Override
  public Integer call() {
    ApplyPackage loaded = PackageLoader.withInstalledChecks().load(pkg.path());
    TrustPolicy.Location location = trust.locate();
    Optional<TrustPolicy> policy = location.file().map(TrustPolicy::load);
    String trustLine = policy.map(p -> p.file() + " (require " + p.require() + " of " + p.approvers().size()
        + " approvers, " + p.keyring().size() + " keys in " + p.keyringFile() + ")").orElse(location.describeSearch());
    Instant now = Instant.now();
    IntegrityResult result = policy.map(p -> IntegrityVerifier.verify(loaded, p, now))
        .orElseGet(() -> IntegrityVerifier.verifyWithoutPolicy(loaded, location.describeSearch(), now));
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    IntegrityText.print(result, trustLine, global, spec.commandLine().getOut());
    return result.passed() ? ExitCodes.OK : ExitCodes.CHECKS_FAILED;
  }
}

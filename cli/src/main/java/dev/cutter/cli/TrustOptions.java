package dev.cutter.cli;

import dev.cutter.core.integrity.TrustPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --trust FILE}: the operator's trust policy; else {@code $CUTTER_TRUST}, else /etc/cutter/trust.yaml. */
final class TrustOptions implements UsesEnvironment {

  @Option(names = "--trust", paramLabel = "FILE",
      description = "The trust policy (keyring of approvers and required signers). Default: $CUTTER_TRUST, then /etc/cutter/trust.yaml.")
  Path file;

  private Map<String, String> env = System.getenv();

  private Optional<TrustPolicy> policy;

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  TrustPolicy.Location locate() {
    return TrustPolicy.locate(Optional.ofNullable(file), env);
  }

  /** The policy, loaded once per command (invalid: exit 2); empty when none was found. */
  Optional<TrustPolicy> policy() {
    if (policy == null) {
      policy = locate().file().map(TrustPolicy::load);
    }
    return policy;
  }

  /** The policy's {@code lint.floor}: rules denied to every package; none without a policy. */
  java.util.Set<dev.cutter.core.lint.LintRule> lintFloor() {
    return policy().map(TrustPolicy::lintFloor).orElse(java.util.Set.of());
  }

  /** The policy's {@code allow_privileged_login}; false without a policy (the integrity gate then refuses). */
  boolean privilegedLoginAllowed() {
    return policy().map(TrustPolicy::allowPrivilegedLogin).orElse(false);
  }
}

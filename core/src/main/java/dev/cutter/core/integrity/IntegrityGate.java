package dev.cutter.core.integrity;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Steps;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The integrity gate as apply, preflight and dry-run take it ({@link Steps.Integrity}): runs
 * {@link IntegrityVerifier} and turns its findings into the {@code signature},
 * {@code P3_artifact_integrity} and {@code authorization} gates of the report.
 */
public final class IntegrityGate implements Steps.Integrity {

  private final Optional<TrustPolicy> policy;
  private final String noPolicy;
  private final Clock clock;

  /**
   * Loads the policy found at {@code location} now, so that an invalid trust file stops the
   * command (exit 2) before the run starts; no policy found makes the gate fail, saying where
   * cutter looked (dry-run reports signatures without one).
   */
  public static IntegrityGate at(TrustPolicy.Location location, Clock clock) {
    return new IntegrityGate(location.file().map(TrustPolicy::load), location.describeSearch(), clock);
  }

  public IntegrityGate(Optional<TrustPolicy> policy, String noPolicy, Clock clock) {
    this.policy = policy;
    this.noPolicy = noPolicy;
    this.clock = clock;
  }

  /** The verifier's findings, for a caller that renders them itself (e.g. {@code cutter package verify}). */
  public IntegrityResult verify(ApplyPackage pkg, boolean signaturesRequired) {
    var now = clock.instant();
    if (!signaturesRequired) {
      return IntegrityVerifier.verifyForDryRun(pkg, policy, now);
    }
    return policy.map(p -> IntegrityVerifier.verify(pkg, p, now))
        .orElseGet(() -> IntegrityVerifier.verifyWithoutPolicy(pkg, noPolicy, now));
  }

  @Override
  public Steps.IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired) {
    IntegrityResult r = verify(pkg, signaturesRequired);
    return new Steps.IntegrityOutcome(gates(r), r.signedBy());
  }

  /** The three integrity gates of a run report, in order. */
  public static List<GateResult> gates(IntegrityResult r) {
    return List.of(signatureGate(r), artifactGate(r), authorizationGate(r));
  }

  private static GateResult signatureGate(IntegrityResult r) {
    GateStatus status = r.signaturesPassed() ? GateStatus.PASS : r.signaturesRequired() ? GateStatus.FAIL : GateStatus.SKIPPED;
    QuorumResult q = r.quorum();
    String expected = q.required() > 0 ? q.required() + " distinct valid signers" : "a trust policy";
    String message = q.summary() + (r.signaturesRequired() || r.signaturesPassed() ? "" : " (dry-run: signatures not required)");
    List<CheckResult> checks = r.signatures().stream().map(IntegrityGate::signatureCheck).toList();
    return new GateResult(GateIds.SIGNATURE, status, expected, q.valid() + " distinct valid signers", message, checks);
  }

  private static CheckResult signatureCheck(SignatureResult s) {
    CheckStatus status = switch (s.status()) {
      case VALID -> CheckStatus.PASS;
      case UNCHECKED -> CheckStatus.SKIPPED;
      default -> CheckStatus.FAIL;
    };
    String who = s.fingerprint() + s.userId().map(id -> " " + id).orElse("");
    return new CheckResult("signature#" + s.index(), status, "valid signature by a key in the trust policy's keyring",
        who + ": " + s.status().label(), s.detail());
  }

  private static GateResult artifactGate(IntegrityResult r) {
    List<CheckResult> checks = r.artifacts().stream().map(a -> a.matches()
        ? CheckResult.pass(a.path(), a.expected(), a.actual().orElseThrow(), "sha256 matches")
        : CheckResult.fail(a.path(), a.expected(), a.actual().orElse("(none)"), a.path() + ": " + a.problem())).toList();
    String expected = r.artifacts().stream().map(a -> a.path() + " " + a.expected()).collect(Collectors.joining(", "));
    String actual = r.artifacts().stream().map(a -> a.path() + " " + a.actual().orElse("(" + a.problem() + ")"))
        .collect(Collectors.joining(", "));
    String failed = r.artifacts().stream().filter(a -> !a.matches()).map(a -> a.path() + ": " + a.problem())
        .collect(Collectors.joining("; "));
    return new GateResult(GateIds.ARTIFACT_INTEGRITY, r.artifactsPassed() ? GateStatus.PASS : GateStatus.FAIL,
        expected, actual, failed.isEmpty() ? "every pinned sha256 matches" : failed, checks);
  }

  private static GateResult authorizationGate(IntegrityResult r) {
    ExpiryResult e = r.expiry();
    return new GateResult(GateIds.AUTHORIZATION, e.passed() ? GateStatus.PASS : GateStatus.FAIL,
        "expires_at after " + e.checkedAt(), "expires_at " + e.expiresAt(), e.summary(), List.of());
  }
}

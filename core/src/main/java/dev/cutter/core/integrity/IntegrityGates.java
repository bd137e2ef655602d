package dev.cutter.core.integrity;

import dev.cutter.core.run.GateId;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Steps;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The integrity step of a run: {@link IntegrityVerifier}'s findings as the three gates
 * {@code signature}, {@code P3_artifact_integrity} and {@code authorization}.
 */
public final class IntegrityGates implements Steps.Integrity {

  private final Optional<TrustPolicy> policy;
  private final String whyNoPolicy;
  private final Clock clock;

  /** @param whyNoPolicy where cutter looked, when {@code policy} is empty */
  public IntegrityGates(Optional<TrustPolicy> policy, String whyNoPolicy, Clock clock) {
    this.policy = policy;
    this.whyNoPolicy = whyNoPolicy;
    this.clock = clock;
  }

  @Override
  public Steps.IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired) {
    return check(pkg, signaturesRequired, DRY_RUN);
  }

  /** How the signature gate's message begins when signatures are not required. */
  private static final String DRY_RUN = "dry-run: ";
  private static final String UNSIGNED_PREFLIGHT = "unsigned preflight: ";

  private Steps.IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired, String notRequiredBy) {
    IntegrityResult r;
    if (!signaturesRequired) {
      r = IntegrityVerifier.verifyForDryRun(pkg, policy, clock.instant());
    } else if (policy.isPresent()) {
      r = IntegrityVerifier.verify(pkg, policy.get(), clock.instant());
    } else {
      r = IntegrityVerifier.verifyWithoutPolicy(pkg, whyNoPolicy, clock.instant());
    }
    Steps.IntegrityOutcome out = outcome(r, notRequiredBy);
    boolean onlineOff = pkg.online().map(o -> o.lockTimeout().isZero() || o.statementTimeout().isZero()).orElse(false);
    if (policy.isPresent() && !policy.get().allowTimeoutsOff()
        && (pkg.apply() != null && pkg.apply().anyTimeoutOff() || onlineOff)) {
      out = timeoutsForbidden(out, (pkg.apply() == null ? "" : pkg.apply().summary()) + pkg.online()
          .map(o -> " online: lock_timeout=" + ApplySettings.describe(o.lockTimeout()) + " statement_timeout="
              + ApplySettings.describe(o.statementTimeout())).orElse(""));
    }
    List<LintRule> againstFloor = policy.map(p -> pkg.lint().allowedAgainst(p.lintFloor())).orElse(List.of());
    if (!againstFloor.isEmpty()) {
      out = lintFloorBroken(out, againstFloor);
    }
    return out;
  }

  /**
   * The package allows a lock-hazard rule the trust policy's {@code lint.floor} says no package may
   * allow: the authorization gate fails, before anything connects (what the approvers signed asks
   * for more than the host grants, whatever the artifact turns out to contain).
   */
  private static Steps.IntegrityOutcome lintFloorBroken(Steps.IntegrityOutcome out, List<LintRule> rules) {
    String ids = String.join(", ", rules.stream().map(LintRule::id).toList());
    List<GateResult> gates = new ArrayList<>();
    for (GateResult g : out.gates()) {
      if (!g.id().equals(GateIds.AUTHORIZATION)) {
        gates.add(g);
        continue;
      }
      List<CheckResult> checks = new ArrayList<>(g.checks());
      Cause cause = new Cause.LintFloorBroken(rules.stream().map(LintRule::id).toList());
      checks.add(CheckResult.fail(LINT_FLOOR, cause, "lint.allow names no rule of the trust policy's lint.floor",
          "lint.allow: " + ids, "lint.floor forbids allowing it"));
      gates.add(new GateResult(g.gate(), GateStatus.FAIL, g.expected(), g.actual(), "the package allows lock-hazard rule(s) "
          + ids + " that the trust policy's lint.floor denies to every package: remove them from lint.allow and sign"
          + " the package again", checks, g.status() == GateStatus.FAIL && g.cause() != null ? g.cause() : cause)
          .withDuration(g.durationMs()));
    }
    return new Steps.IntegrityOutcome(gates, out.signers());
  }

  /** The id of the authorization gate's check that a package allows no floor rule. */
  public static final String LINT_FLOOR = "lint_floor";

  /** The trust policy says {@code allow_timeouts_off: false} and the package disables a timeout: the authorization gate fails. */
  private static Steps.IntegrityOutcome timeoutsForbidden(Steps.IntegrityOutcome out, String settings) {
    List<GateResult> gates = new ArrayList<>();
    for (GateResult g : out.gates()) {
      gates.add(!g.id().equals(GateIds.AUTHORIZATION) ? g : new GateResult(g.gate(), GateStatus.FAIL, g.expected(), g.actual(),
          "the trust policy forbids disabling an apply timeout (allow_timeouts_off: false), and the package sets " + settings,
          List.of(new CheckResult("apply_timeouts", CheckStatus.FAIL, "lock_timeout and statement_timeout set",
              settings, "allow_timeouts_off: false", new Cause.TimeoutsForbidden(settings))),
          g.status() == GateStatus.FAIL && g.cause() != null ? g.cause() : new Cause.TimeoutsForbidden(settings)).withDuration(g.durationMs()));
    }
    return new Steps.IntegrityOutcome(gates, out.signers());
  }

  /**
   * The integrity gates and, when the trust policy has a TLS requirement and the run connects to
   * a real target (not a dry-run's sandbox), the gate {@code tls}: FAIL stops the run before it
   * connects.
   */
  @Override
  public Steps.IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired, ConnectionSpec target) {
    return withTls(check(pkg, signaturesRequired), target, !signaturesRequired);
  }

  /** Signatures not required, but {@code target} is the real server: the TLS requirement holds. */
  @Override
  public Steps.IntegrityOutcome checkUnsigned(ApplyPackage pkg, ConnectionSpec target) {
    return withTls(check(pkg, false, UNSIGNED_PREFLIGHT), target, false);
  }

  /** {@code base} and the gate {@code tls}: SKIPPED for a sandbox or without a requirement, else PASS or FAIL. */
  private Steps.IntegrityOutcome withTls(Steps.IntegrityOutcome base, ConnectionSpec target, boolean sandbox) {
    Optional<TrustPolicy> requiring = policy.filter(p -> p.tls() != TrustPolicy.TlsRequirement.NONE);
    List<GateResult> gates = new ArrayList<>(base.gates());
    if (sandbox || requiring.isEmpty()) {
      gates.add(new GateResult(GateIds.TLS, GateStatus.SKIPPED, null, null, sandbox
          ? "dry-run: the sandbox is cutter's own" : "the trust policy sets no TLS requirement", List.of()).withDuration(0L));
      return new Steps.IntegrityOutcome(gates, base.signers());
    }
    long begun = System.nanoTime();
    Optional<TrustPolicy.TlsRefusal> refusal = requiring.get().tlsRefusal(target);
    String expected = "sslmode verify-full, or a local target";
    String actual = (target.isLocal() ? "local target " : "") + target.host() + ", sslmode "
        + target.tls().effectiveMode().libpqName();
    gates.add((refusal.isPresent()
        ? GateResult.fail(GateId.TLS, new Cause.TlsRequirementNotMet(target.host(),
            target.tls().effectiveMode().libpqName()), expected, actual, refusal.get().message(), List.of())
        : new GateResult(GateIds.TLS, GateStatus.PASS, expected, actual, null, List.of()))
        .withDuration(dev.cutter.core.run.GateClock.millis(System.nanoTime() - begun)));
    return new Steps.IntegrityOutcome(gates, base.signers());
  }

  /** The gates of one integrity result. */
  public static Steps.IntegrityOutcome outcome(IntegrityResult r) {
    return outcome(r, DRY_RUN);
  }

  private static Steps.IntegrityOutcome outcome(IntegrityResult r, String notRequiredBy) {
    List<CheckResult> sigs = new ArrayList<>();
    for (SignatureResult s : r.signatures()) {
      String who = s.fingerprint() + s.userId().map(u -> " " + u).orElse("") + s.approver().filter(a -> !s.userId().equals(Optional.of(a)))
          .map(a -> " (approver " + a + ")").orElse("");
      // The status's name is the typed reason a signature did not count (e.g. "weak key", "signature expired").
      sigs.add(new CheckResult("signature#" + s.index(), s.valid() ? CheckStatus.PASS : CheckStatus.FAIL,
          "valid signature by an approver's strong, unexpired, unrevoked signing key", s.status().name().toLowerCase(Locale.ROOT)
              .replace('_', ' ') + " " + who, s.detail() == null || s.detail().isEmpty() ? null : s.detail(),
          s.valid() ? null : new Cause.SignatureRefused(s.index(), s.status())));
    }
    GateStatus sigStatus = r.signaturesPassed() ? GateStatus.PASS : r.signaturesRequired() ? GateStatus.FAIL : GateStatus.SKIPPED;
    String sigMessage = r.signaturesRequired() ? r.quorum().summary()
        : notRequiredBy + "signatures reported, not required; " + r.quorum().summary();
    // tamper evidence stops the run even with the quorum met: that signature is the cause
    Cause sigCause = sigStatus != GateStatus.FAIL ? null : r.signatures().stream()
        .filter(s -> s.status().isTamperEvidence()).findFirst()
        .<Cause>map(s -> new Cause.SignatureRefused(s.index(), s.status()))
        .orElse(new Cause.QuorumNotMet(r.quorum().required(), r.quorum().valid()));
    GateResult signature = new GateResult(GateId.SIGNATURE, sigStatus,
        r.quorum().required() + " distinct approver(s)", r.quorum().signers().size() + " valid", sigMessage, sigs, sigCause);

    List<CheckResult> arts = new ArrayList<>();
    for (ArtifactCheck a : r.artifacts()) {
      arts.add(new CheckResult(a.path(), a.matches() ? CheckStatus.PASS : CheckStatus.FAIL, a.expected(),
          a.actual().orElse("unreadable"), a.matches() || a.problem() == null || a.problem().isEmpty() ? null : a.problem(),
          a.matches() ? null : new Cause.ArtifactHashMismatch(a.path(), a.expected(), a.actual().orElse(null))));
    }
    Cause p3Cause = r.artifactsPassed() ? null : arts.stream().filter(c -> c.status() != CheckStatus.PASS)
        .map(CheckResult::cause).findFirst().orElse(new Cause.InternalError("no artifact recorded the mismatch"));
    GateResult p3 = new GateResult(GateId.ARTIFACT_INTEGRITY, r.artifactsPassed() ? GateStatus.PASS : GateStatus.FAIL,
        "every pinned sha256 matches", r.artifactsPassed() ? "all match" : "mismatch",
        r.artifactsPassed() ? null : arts.stream().filter(c -> c.status() != CheckStatus.PASS).findFirst()
            .map(c -> c.id() + ": expected " + c.expected() + ", found " + c.actual()).orElse(null), arts, p3Cause);

    GateResult auth = new GateResult(GateId.AUTHORIZATION, r.expiry().passed() ? GateStatus.PASS : GateStatus.FAIL,
        "expires_at after now", String.valueOf(r.expiry().expiresAt()), r.expiry().summary(), List.of(),
        r.expiry().passed() ? null : new Cause.AuthorizationExpired(r.expiry().expiresAt(), r.expiry().checkedAt(), false));
    IntegrityResult.Durations took = r.durations();
    if (took != null) {
      signature = signature.withDuration(took.signaturesMs());
      p3 = p3.withDuration(took.artifactsMs());
      auth = auth.withDuration(took.expiryMs());
    }
    return new Steps.IntegrityOutcome(List.of(signature, p3, auth), r.signedBy());
  }
}

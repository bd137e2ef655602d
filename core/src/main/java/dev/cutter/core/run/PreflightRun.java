package dev.cutter.core.run;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cutter preflight}: the gates before any change, read-only — integrity (signatures,
 * hashes, expiry) and, when it passes, P1. PASS (exit 0) when every gate and check holds, else
 * BLOCKED (exit 3). No lock, no backup, nothing written to the target.
 */
public final class PreflightRun {

  /** The check type that runs the artifact; its results carry the id {@code rehearse#n}. */
  public static final String REHEARSE = "rehearse";

  /** What a preflight report's header says when {@code rehearse} ran: preflight is not purely a reader then. */
  /** What an unsigned preflight's report says first. */
  public static final String UNSIGNED_NOTE = "this preflight did not require signatures and ran only cutter's built-in"
      + " catalog checks and the derived checks; sql checks, the rehearsal and installed check types did not run";

  public static final String REHEARSAL_NOTE = "rehearse ran the change on the target, as apply_role, inside a"
      + " transaction that was rolled back, under the package's lock_timeout and statement_timeout: it took the"
      + " change's locks while it ran, and nothing it did was committed (sequence values it drew stay drawn)";

  private final Steps.Integrity integrity;
  private final Steps.Checks checks;
  private final Clock clock;

  public PreflightRun(Steps.Integrity integrity, Steps.Checks checks, Clock clock) {
    this.integrity = integrity;
    this.checks = checks;
    this.clock = clock;
  }

  /** Whether a preflight ran the artifact on the target: a {@code rehearse} check that was not skipped. */
  public static boolean rehearsed(RunReport r) {
    return r.mode() == RunMode.PREFLIGHT && r.gates().stream().flatMap(g -> g.checks().stream())
        .anyMatch(c -> c.id().startsWith(REHEARSE + "#") && c.status() != CheckStatus.SKIPPED);
  }

  public RunReport run(ApplyPackage pkg, ConnectionSpec target, String runId) {
    return run(pkg, target, runId, RunMode.PREFLIGHT);
  }

  /**
   * As {@link #run(ApplyPackage, ConnectionSpec, String)}; {@link RunMode#UNSIGNED_PREFLIGHT} does
   * not require signatures (they are reported) and expects its checks to run only cutter's built-in
   * catalog checks ({@link dev.cutter.core.check.Preflight#unsigned()}).
   */
  public RunReport run(ApplyPackage pkg, ConnectionSpec target, String runId, RunMode mode) {
    if (mode != RunMode.PREFLIGHT && mode != RunMode.UNSIGNED_PREFLIGHT) {
      throw new IllegalArgumentException("not a preflight mode: " + mode);
    }
    Instant started = clock.instant();
    Steps.IntegrityOutcome io = mode == RunMode.PREFLIGHT ? integrity.check(pkg, true, target)
        : integrity.checkUnsigned(pkg, target);
    List<GateResult> gates = GateClock.timedList(io.gates());
    String cause = null;
    dev.cutter.core.lock.LockPlan lockPlan = null;
    boolean ok = io.passed();
    List<dev.cutter.core.lint.LintFinding> lint = null;
    if (!ok) {
      gates.add(GateResult.notRun(GateIds.PREFLIGHT));
      cause = "integrity gate refused the package";
    } else {
      Steps.P1 p1 = checks.preflightWithLint(target, pkg, false);
      List<CheckResult> results = p1.results();
      lint = dev.cutter.core.lint.LintFinding.withMeasured(p1.lint(),
          dev.cutter.core.lock.LockPlan.measuredBy(p1.lockPlan()));
      lockPlan = p1.lockPlan();
      ok = ApplyRun.held(results);
      gates.add(new GateResult(GateId.PREFLIGHT, ok ? GateStatus.PASS : GateStatus.FAIL, null, null,
          ok ? null : ApplyRun.firstFailure(results), results, ok ? null : ApplyRun.firstCause(results)));
      cause = ok ? null : "preflight check failed: " + ApplyRun.firstFailure(results);
    }
    Verdict v = ok ? Verdict.PASS : Verdict.BLOCKED;
    return new RunReport(runId, mode, SideRuns.info(pkg, io.signers()), SideRuns.target(pkg, target), v, v.exitCode(), false, gates, null, null, null, null, cause,
        List.of(), ok ? null : "fix what the failed gate or check names, then run cutter preflight again",
        started, clock.instant(), RunReport.ApplySettingsInfo.of(pkg.apply())).withLint(lint)
        .withLockPlan(lockPlan == null ? null : List.of(lockPlan));
  }
}

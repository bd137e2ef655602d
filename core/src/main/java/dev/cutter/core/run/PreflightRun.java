package dev.cutter.core.run;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
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

  private final Steps.Integrity integrity;
  private final Steps.Checks checks;
  private final Clock clock;

  public PreflightRun(Steps.Integrity integrity, Steps.Checks checks, Clock clock) {
    this.integrity = integrity;
    this.checks = checks;
    this.clock = clock;
  }

  public RunReport run(ApplyPackage pkg, ConnectionSpec target, String runId) {
    Instant started = clock.instant();
    Steps.IntegrityOutcome io = integrity.check(pkg, true);
    List<GateResult> gates = new ArrayList<>(io.gates());
    String cause = null;
    boolean ok = io.passed();
    if (!ok) {
      gates.add(GateResult.notRun(GateIds.PREFLIGHT));
      cause = "integrity gate refused the package";
    } else {
      List<CheckResult> results = checks.preflight(target, pkg, false);
      ok = ApplyRun.held(results);
      gates.add(new GateResult(GateIds.PREFLIGHT, ok ? GateStatus.PASS : GateStatus.FAIL, null, null,
          ok ? null : ApplyRun.firstFailure(results), results));
      cause = ok ? null : "preflight check failed: " + ApplyRun.firstFailure(results);
    }
    Verdict v = ok ? Verdict.PASS : Verdict.BLOCKED;
    return new RunReport(runId, RunMode.PREFLIGHT, SideRuns.info(pkg, io.signers()), SideRuns.target(pkg, target), v, v.exitCode(), false, gates, null, null, null, null, cause,
        List.of(), ok ? null : "fix what the failed gate or check names, then run cutter preflight again",
        started, clock.instant(), RunReport.ApplySettingsInfo.of(pkg.apply()));
  }
}

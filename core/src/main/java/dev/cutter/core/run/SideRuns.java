package dev.cutter.core.run;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineSnapshot;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.db.ConnectionSpec.Secret;
import java.util.Optional;
import java.util.function.BiFunction;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code cutter verify} and {@code cutter rollback}: the package's checks alone, and its way back. */
public final class SideRuns {

  private final Steps.Integrity integrity;
  private final Steps.Checks checks;
  private final BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor;
  private final Clock clock;

  /** @param passwordFor another role's password (the password file), to log in as apply_role when SET ROLE cannot */
  public SideRuns(Steps.Integrity integrity, Steps.Checks checks,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, Clock clock) {
    this.integrity = integrity;
    this.checks = checks;
    this.passwordFor = passwordFor;
    this.clock = clock;
  }

  /** The package's verify checks, read-only: PASS when all hold, BLOCKED (exit 3) when any does not. */
  public RunReport verify(ApplyPackage pkg, ConnectionSpec target, String runId) {
    Instant started = clock.instant();
    VerifyPlan plan = VerifyPlan.of(checks, target, pkg);
    List<CheckResult> results = plan.specs().isEmpty() ? List.of() : checks.run(target, pkg, plan.specs());
    boolean ok = ApplyRun.held(results);
    GateResult gate = new GateResult(GateIds.VERIFY, plan.gateStatus(ok), null, null,
        ok ? plan.note() : ApplyRun.firstFailure(results), results);
    Verdict v = ok ? Verdict.PASS : Verdict.BLOCKED;
    return new RunReport(runId, RunMode.VERIFY, info(pkg, List.of()), target(pkg, target), v, v.exitCode(), false,
        List.of(gate), null, null, new VerificationInfo(plan.status(ok), results, null, null, plan.note()), null,
        ok ? null : "the change is not in place as the package promises: " + ApplyRun.firstFailure(results), List.of(),
        ok ? null : "read the failed checks; if the change was applied, consider cutter rollback", started, clock.instant(),
        RunReport.ApplySettingsInfo.of(pkg.apply()));
  }

  /**
   * The rollback artifact, only when the signatures hold and its precondition holds: PASS when it
   * ran and committed, BLOCKED when a gate or the precondition refused, FAILED when it failed and
   * was rolled back.
   */
  public RunReport rollback(ApplyPackage pkg, List<ExecStatement> statements, ConnectionSpec login, Duration lockWait,
      String runId) {
    // the rollback always runs in one transaction, under the package's timeouts
    ApplySettings s = pkg.apply();
    return rollbackRun(pkg, statements, login, lockWait, runId).withApplySettings(RunReport.ApplySettingsInfo.of(
        new ApplySettings(ApplySettings.Mode.TRANSACTION, s.lockTimeout(), s.statementTimeout())));
  }

  private RunReport rollbackRun(ApplyPackage pkg, List<ExecStatement> statements, ConnectionSpec login, Duration lockWait,
      String runId) {
    Instant started = clock.instant();
    List<GateResult> gates = new ArrayList<>();
    Steps.IntegrityOutcome io = integrity.check(pkg, true);
    gates.addAll(io.gates());
    TargetInfo t = target(pkg, login);
    PackageInfo pi = info(pkg, io.signers());
    if (pkg.rollback().isEmpty()) {
      gates.add(new GateResult(GateIds.ROLLBACK, GateStatus.FAIL, "a rollback artifact", "none", "the package has no rollback", List.of()));
      return blocked(runId, pi, t, gates, new RollbackInfo("NOT_APPLICABLE", "the package has no rollback"),
          "the package has no rollback", started);
    }
    if (!io.passed()) {
      gates.add(GateResult.notRun(GateIds.ROLLBACK));
      return blocked(runId, pi, t, gates, new RollbackInfo("NOT_RUN", "integrity gate refused the package"),
          "integrity gate refused the package", started);
    }
    try (Connection lockConn = Connections.open(login, "cutter rollback lock " + runId)) {
      AdvisoryLock lock = AdvisoryLock.acquire(lockConn, lockWait);
      if (lock == null) {
        gates.add(new GateResult(GateIds.LOCK, GateStatus.FAIL, "no other cutter run on the target",
            "run lock held by " + AdvisoryLock.holder(lockConn), null, List.of()));
        return blocked(runId, pi, t, gates, new RollbackInfo("NOT_RUN", "another run holds the lock"),
            "another run holds the lock", started);
      }
      try (lock) {
        gates.add(new GateResult(GateIds.LOCK, GateStatus.PASS, null, "lock taken", null, List.of()));
        List<CheckResult> pre = checks.run(login, pkg, pkg.rollback().get().precondition());
        if (!ApplyRun.held(pre)) {
          gates.add(new GateResult(GateIds.ROLLBACK, GateStatus.FAIL, "precondition holds", null, ApplyRun.firstFailure(pre), pre));
          return blocked(runId, pi, t, gates, new RollbackInfo("NOT_APPLICABLE", "precondition failed: " + ApplyRun.firstFailure(pre)),
              "rollback precondition does not hold: " + ApplyRun.firstFailure(pre), started);
        }
        java.util.Set<String> touched = dev.cutter.core.check.BeginRecheck.touchedSchemas(lockConn, pkg, statements,
            login.user());
        Baseline before = BaselineSnapshot.read(lockConn, touched);
        Outcome o;
        ApplyRun.Request req = new ApplyRun.Request(pkg, List.of(), false, statements, login, passwordFor, lockWait,
            RunMode.ROLLBACK, runId);
        try {
          o = ApplyRun.runRollback(req);
        } catch (ApplyRun.ApplyRoleException e) {
          gates.add(new GateResult(GateIds.ROLLBACK, GateStatus.FAIL, "current_user = " + pkg.target().applyRole(), null,
              e.getMessage(), pre));
          return blocked(runId, pi, t, gates, new RollbackInfo("NOT_RUN", e.getMessage()), e.getMessage(), started);
        }
        Baseline after = BaselineSnapshot.read(lockConn, touched);
        boolean ok = o.ending() == Ending.COMMITTED;
        FailedStatement fs = o.error() == null ? null : new FailedStatement(o.failedIndex(), o.failedLine(),
            o.error().sqlstate(), o.error().message(), o.error().detail(), o.error().hint(), o.error().where());
        ApplyInfo ai = new ApplyInfo(ok ? "PASS" : "FAIL", o.total(), o.executed(), ok ? "committed" : "rolled_back", false,
            o.committed(), fs);
        gates.add(new GateResult(GateIds.ROLLBACK, ok ? GateStatus.PASS : GateStatus.FAIL, statements.size() + " statements",
            ok ? "committed" : "rolled back", ok ? null : fs.message(), pre));
        Verdict v = ok ? Verdict.PASS : after.equals(before) ? Verdict.FAILED : Verdict.ESCALATE;
        return new RunReport(runId, RunMode.ROLLBACK, pi, t, v, v.exitCode(), ok, gates, null, ai,
            new VerificationInfo(ok ? "PASS" : "FAIL", List.of(), before, after, ok || after.equals(before) ? null
                : "the baseline differs from before the rollback: " + String.join("; ", before.differences(after))),
            new RollbackInfo(ok ? "EXECUTED" : "FAILED", ok ? null : fs.message()),
            ok ? null : "the rollback artifact failed: " + fs.message(), List.of(), null, started, clock.instant());
      }
    } catch (SQLException e) {
      String m = "database error during rollback: " + DbErrors.oneLine(e);
      return new RunReport(runId, RunMode.ROLLBACK, pi, t, Verdict.ESCALATE, Verdict.ESCALATE.exitCode(), false, gates,
          null, null, null, new RollbackInfo("FAILED", m), m, List.of(), null, started, clock.instant());
    } catch (RuntimeException e) {
      gates.add(new GateResult(GateIds.LOCK, GateStatus.FAIL, "connection to " + login.display(), null, e.getMessage(), List.of()));
      return blocked(runId, pi, t, gates, new RollbackInfo("NOT_RUN", e.getMessage()), e.getMessage(), started);
    }
  }

  private RunReport blocked(String runId, PackageInfo pi, TargetInfo t, List<GateResult> gates, RollbackInfo rb,
      String cause, Instant started) {
    return new RunReport(runId, RunMode.ROLLBACK, pi, t, Verdict.BLOCKED, Verdict.BLOCKED.exitCode(), false, gates, null,
        null, null, rb, cause, List.of(), null, started, clock.instant());
  }

  static PackageInfo info(ApplyPackage p, List<String> signers) {
    return new PackageInfo(p.id(), p.sha256(), p.title(), signers, p.authorization().ref(), p.authorization().expiresAt(),
        p.authorization().risk().yamlName(), p.authorization().chain());
  }

  static TargetInfo target(ApplyPackage p, ConnectionSpec login) {
    return new TargetInfo(p.target().database(), null, null, login.user(), p.target().applyRole());
  }
}

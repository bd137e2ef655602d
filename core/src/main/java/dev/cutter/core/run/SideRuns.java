package dev.cutter.core.run;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Causes;
import dev.cutter.core.cause.Cause;
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
import dev.cutter.core.exec.Journal;
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

/**
 * {@code cutter verify} and {@code cutter rollback}: the package's checks alone, and its way back.
 * Both run the integrity gates before they connect, and the identity gate before anything of the
 * package runs on the target.
 */
public final class SideRuns {

  private final Steps.Integrity integrity;
  private final Steps.Checks checks;
  private final BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor;
  private final Clock clock;
  private final boolean privilegedLoginAllowed;

  /** @param passwordFor another role's password (the password file), to log in as apply_role when SET ROLE cannot */
  public SideRuns(Steps.Integrity integrity, Steps.Checks checks,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, Clock clock) {
    this(integrity, checks, passwordFor, clock, false);
  }

  /** @param privilegedLoginAllowed the trust policy's {@code allow_privileged_login} (see {@code TargetAccess}) */
  public SideRuns(Steps.Integrity integrity, Steps.Checks checks,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, Clock clock, boolean privilegedLoginAllowed) {
    this.integrity = java.util.Objects.requireNonNull(integrity, "integrity");
    this.checks = checks;
    this.passwordFor = passwordFor;
    this.clock = clock;
    this.privilegedLoginAllowed = privilegedLoginAllowed;
  }

  /**
   * The package's verify checks, read-only, after the integrity and identity gates: PASS when all
   * hold, BLOCKED (exit 3) when a gate refused or any check does not hold.
   */
  public RunReport verify(ApplyPackage pkg, ConnectionSpec target, String runId) {
    Instant started = clock.instant();
    Steps.IntegrityOutcome io = integrity.check(pkg, true, target);
    List<GateResult> gates = GateClock.timedList(io.gates());
    PackageInfo pi = info(pkg, io.signers());
    if (!io.passed()) {
      gates.add(GateResult.notRun(GateIds.IDENTITY));
      gates.add(GateResult.notRun(GateIds.VERIFY));
      return verifyBlocked(runId, pi, pkg, target, gates, "integrity gate refused the package", started);
    }
    GateResult identity = IdentityGate.check(target, pkg, "cutter verify " + runId);
    gates.add(identity);
    if (identity.status() == GateStatus.FAIL) {
      gates.add(GateResult.notRun(GateIds.VERIFY));
      return verifyBlocked(runId, pi, pkg, target, gates, "not the approved target: " + identity.message(), started);
    }
    VerifyPlan plan = VerifyPlan.of(checks, target, pkg);
    List<CheckResult> results = plan.specs().isEmpty() ? List.of() : checks.run(target, pkg, plan.specs());
    boolean ok = ApplyRun.held(results);
    Optional<Cause.ChangeRolledBack> undone = ok ? Optional.empty() : rolledBack(target, pkg, runId, results);
    Cause failed = ok ? null : undone.<Cause>map(u -> u).orElseGet(() -> ApplyRun.verificationFailed(results));
    gates.add(new GateResult(GateId.VERIFY, plan.gateStatus(ok), null, null,
        ok ? plan.note() : ApplyRun.firstFailure(results), results, failed));
    Verdict v = ok ? Verdict.PASS : Verdict.BLOCKED;
    String cause = ok ? null : undone.map(u -> "the change was rolled back by run " + u.rollbackRunId() + " ("
        + u.rollbackVerdict() + "): " + ApplyRun.firstFailure(results))
        .orElse("the change is not in place as the package promises: " + ApplyRun.firstFailure(results));
    String next = ok ? null : undone.isPresent()
        ? "Nothing to do if the rollback was meant; cutter history lists both runs."
        : "read the failed checks; if the change was applied, consider cutter rollback";
    return new RunReport(runId, RunMode.VERIFY, pi, target(pkg, target), v, v.exitCode(), false,
        gates, null, null, new VerificationInfo(plan.status(ok), results, null, null, plan.note()), null,
        cause, List.of(), next, started, clock.instant(), RunReport.ApplySettingsInfo.of(pkg.apply()));
  }

  /**
   * When verify's checks fail: whether the target's journal says a {@code cutter rollback} undid
   * this package's change. Read-only; a journal this role may not read (or none) says nothing.
   */
  private static Optional<Cause.ChangeRolledBack> rolledBack(ConnectionSpec target, ApplyPackage pkg, String runId,
      List<CheckResult> results) {
    try (Connection c = Connections.connect(target, "cutter verify " + runId)) {
      Connections.pinSearchPath(c);
      c.setReadOnly(true);
      if (!Journal.exists(c)) {
        return Optional.empty();
      }
      List<Journal.Entry> rows = Journal.forPackage(c, pkg.sha256());
      Optional<Journal.Entry> apply = rows.stream().filter(e -> !e.isRollback()).findFirst();
      return apply.flatMap(a -> rows.stream().filter(e -> e.isPassedRollback())
          .findFirst().map(r -> new Cause.ChangeRolledBack(a.runId(), r.runId(), r.verdict(), r.finished(),
              results.stream().filter(x -> x.status().blocks()).map(CheckResult::id).toList())));
    } catch (SQLException e) {
      return Optional.empty(); // no grant on the journal: verify still reports its checks, without the history
    }
  }

  private RunReport verifyBlocked(String runId, PackageInfo pi, ApplyPackage pkg, ConnectionSpec target,
      List<GateResult> gates, String cause, Instant started) {
    return new RunReport(runId, RunMode.VERIFY, pi, target(pkg, target), Verdict.BLOCKED, Verdict.BLOCKED.exitCode(),
        false, gates, null, null, null, null, cause, List.of(), null, started, clock.instant());
  }

  /** As {@link #rollback(ApplyPackage, List, ConnectionSpec, Duration, String, ApplyRun.ReportSink)}, the report not written. */
  public RunReport rollback(ApplyPackage pkg, List<ExecStatement> statements, ConnectionSpec login, Duration lockWait,
      String runId) {
    return rollback(pkg, statements, login, lockWait, runId, r -> null);
  }

  /**
   * The rollback artifact, only when the signatures hold, the target is the approved one, this
   * package has a journal row there (it was applied there) and no rollback row, and its
   * precondition holds: PASS when it ran and committed (its own journal row, written in its
   * transaction, finished after the report), BLOCKED when a gate or the precondition refused,
   * FAILED when it failed and was rolled back. The report goes to {@code sink} while the run lock
   * is held. It records the effective settings: the rollback always runs in one transaction,
   * under the package's timeouts.
   */
  public RunReport rollback(ApplyPackage pkg, List<ExecStatement> statements, ConnectionSpec login, Duration lockWait,
      String runId, ApplyRun.ReportSink sink) {
    ApplySettings s = pkg.apply();
    RunReport.ApplySettingsInfo settings = RunReport.ApplySettingsInfo.of(
        new ApplySettings(ApplySettings.Mode.TRANSACTION, s.lockTimeout(), s.statementTimeout()));
    return rollbackRun(pkg, statements, login, lockWait, runId, r -> sink.write(r.withApplySettings(settings)))
        .withApplySettings(settings);
  }

  private RunReport rollbackRun(ApplyPackage pkg, List<ExecStatement> statements, ConnectionSpec login,
      Duration lockWait, String runId, ApplyRun.ReportSink sink) {
    Instant started = clock.instant();
    List<GateResult> gates = GateClock.timedList(List.of());
    Steps.IntegrityOutcome io = integrity.check(pkg, true, login);
    gates.addAll(io.gates());
    TargetInfo t = target(pkg, login);
    PackageInfo pi = info(pkg, io.signers());
    if (pkg.rollback().isEmpty()) {
      gates.add(GateResult.fail(GateId.ROLLBACK, new Cause.RollbackRefused(Cause.RollbackRefusal.NO_ROLLBACK), "a rollback artifact", "none",
          "the package has no rollback", List.of()));
      return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "the package has no rollback"),
          "the package has no rollback", started));
    }
    if (!io.passed()) {
      gates.add(GateResult.notRun(GateIds.ROLLBACK));
      return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_RUN, "integrity gate refused the package"),
          "integrity gate refused the package", started));
    }
    boolean committed = false;
    try (Connection lockConn = Connections.openCatalog(login, "cutter rollback lock " + runId)) {
      AdvisoryLock lock = AdvisoryLock.acquire(lockConn, lockWait);
      if (lock == null) {
        String holder = AdvisoryLock.holder(lockConn);
        gates.add(GateResult.fail(GateId.LOCK, new Cause.RunLockHeld(holder, false), "no other cutter run on the target",
            "run lock held by " + holder, null, List.of()));
        return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_RUN, "another run holds the lock"),
            "another run holds the lock", started));
      }
      try (lock) {
        gates.add(new GateResult(GateIds.LOCK, GateStatus.PASS, null, "lock taken", null, List.of()));
        GateResult identity = IdentityGate.check(lockConn, pkg);
        gates.add(identity);
        if (identity.status() == GateStatus.FAIL) {
          return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_RUN, "not the approved target"),
              "not the approved target: " + identity.message(), started));
        }
        GateResult journal = journalGate(lockConn, pkg);
        gates.add(journal);
        if (journal.status() == GateStatus.FAIL) {
          return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, journal.message()),
              journal.message(), started));
        }
        List<CheckResult> pre = checks.run(login, pkg, pkg.rollback().get().precondition());
        if (!ApplyRun.held(pre)) {
          gates.add(GateResult.fail(GateId.ROLLBACK, new Cause.RollbackRefused(Cause.RollbackRefusal.PRECONDITION_FAILED), "precondition holds", null,
              ApplyRun.firstFailure(pre), pre));
          return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "precondition failed: " + ApplyRun.firstFailure(pre)),
              "rollback precondition does not hold: " + ApplyRun.firstFailure(pre), started));
        }
        java.util.Set<String> touched = dev.cutter.core.check.BeginRecheck.touchedSchemas(lockConn, pkg, statements,
            login.user());
        Baseline before = BaselineSnapshot.read(lockConn, touched);
        Outcome o;
        java.util.concurrent.atomic.AtomicReference<TargetInfo> session = new java.util.concurrent.atomic.AtomicReference<>(t);
        ApplyRun.Request req = new ApplyRun.Request(pkg, List.of(), false, statements, login, passwordFor, lockWait,
            RunMode.ROLLBACK, runId, privilegedLoginAllowed);
        try {
          o = ApplyRun.runRollback(req, rs -> session.set(t.withRoleSession(rs.how(), rs.privilegedLoginUsed())),
              c -> Journal.recordRollback(c, pkg.id(), pkg.sha256(), runId, io.signers(), login.user(),
                  pkg.target().applyRole(), started));
        } catch (ApplyRun.ApplyRoleException e) {
          gates.add(GateResult.fail(GateId.ROLLBACK, e.why(), "current_user = " + pkg.target().applyRole(), null,
              e.getMessage(), pre));
          return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_RUN, e.getMessage()), e.getMessage(), started));
        }
        boolean ok = o.ending() == Ending.COMMITTED;
        committed = ok;
        Baseline after = BaselineSnapshot.read(lockConn, touched);
        FailedStatement fs = o.error() == null ? null : new FailedStatement(o.failedIndex(), o.failedLine(),
            o.error().sqlstate(), o.error().message(), o.error().detail(), o.error().hint(), o.error().where());
        ApplyInfo ai = new ApplyInfo(ok ? RunStatus.Apply.PASS : RunStatus.Apply.FAIL, o.total(), o.executed(),
            ok ? RunStatus.Transaction.COMMITTED : RunStatus.Transaction.ROLLED_BACK, false,
            o.committed(), fs);
        gates.add(new GateResult(GateId.ROLLBACK, ok ? GateStatus.PASS : GateStatus.FAIL, statements.size() + " statements",
            ok ? "committed" : "rolled back", ok ? null : fs.message(), pre,
            ok ? null : ApplyRun.sqlCause(o, pkg.target().applyRole())));
        Verdict v = ok ? Verdict.PASS : after.equals(before) ? Verdict.FAILED : Verdict.ESCALATE;
        RunReport r = new RunReport(runId, RunMode.ROLLBACK, pi, session.get(), v, v.exitCode(), ok, gates, null, ai,
            new VerificationInfo(ok ? RunStatus.Verification.PASS : RunStatus.Verification.FAIL, List.of(), before, after, ok || after.equals(before) ? null
                : "the baseline differs from before the rollback: " + String.join("; ", before.differences(after))),
            new RollbackInfo(ok ? RunStatus.Rollback.EXECUTED : RunStatus.Rollback.FAILED, ok ? null : fs.message()),
            ok ? null : "the rollback artifact failed: " + fs.message(), List.of(), null, started, clock.instant())
            .withStatements(o.timings());
        String sha = sink.write(r);
        if (ok) {
          finishJournal(req, v, r.finished(), sha);
        }
        return r;
      }
    } catch (SQLException | RuntimeException e) {
      String m = e instanceof SQLException se ? "database error during rollback: " + DbErrors.oneLine(se)
          : String.valueOf(e.getMessage());
      if (!committed) {
        // nothing of the rollback committed: the target is as it was
        boolean locked = gates.stream().anyMatch(g -> g.id().equals(GateIds.LOCK));
        Cause why = e instanceof SQLException se ? Causes.sql(se, Cause.ErrorSite.ROLLBACK, login.user())
            : e instanceof CutterException ce && ce.typedCause() != null ? ce.typedCause()
            : new Cause.InternalError("rollback: " + e.getClass().getSimpleName());
        gates.add(locked ? GateResult.fail(GateId.ROLLBACK, why, null, null, m, List.of())
            : GateResult.fail(GateId.LOCK, why, "connection to " + login.display(), null, m, List.of()));
        return written(sink, blocked(runId, pi, t, gates, new RollbackInfo(RunStatus.Rollback.NOT_RUN, m), m, started));
      }
      return written(sink, new RunReport(runId, RunMode.ROLLBACK, pi, t, Verdict.ESCALATE, Verdict.ESCALATE.exitCode(),
          true, gates, null, null, null, new RollbackInfo(RunStatus.Rollback.EXECUTED, m), "the rollback committed, then the run failed: "
              + m, List.of(), "the rollback is in place but was not checked: compare the target with the package before"
              + " anything else", started, clock.instant()));
    }
  }

  /**
   * This package was applied here (a journal row of an apply of its sha256) and not yet rolled
   * back by {@code cutter rollback} (no row of a rollback run).
   */
  private static GateResult journalGate(Connection c, ApplyPackage pkg) throws SQLException {
    String expected = "a journal row of this package (sha256 " + pkg.sha256() + ") on this target";
    if (!Journal.exists(c)) {
      return GateResult.fail(GateId.JOURNAL, new Cause.RollbackRefused(Cause.RollbackRefusal.NO_JOURNAL), expected, "no " + Journal.QUALIFIED,
          "no journal on this target: the package was never applied here", List.of());
    }
    List<Journal.Entry> rows = Journal.forPackage(c, pkg.sha256());
    Optional<Journal.Entry> rolledBack = rows.stream().filter(Journal.Entry::isRollback).findFirst();
    if (rolledBack.isPresent()) {
      Journal.Entry e = rolledBack.get();
      return GateResult.fail(GateId.JOURNAL, new Cause.RollbackRefused(Cause.RollbackRefusal.ALREADY_ROLLED_BACK), expected + ", not yet rolled back",
          "journal row " + e.id() + ": " + e.verdict(), "run " + e.runId() + " already rolled this package back ("
              + e.started() + ")", List.of());
    }
    Optional<Journal.Entry> applied = rows.stream().filter(e -> !e.isRollback()).reduce((a, b) -> b);
    if (applied.isEmpty()) {
      return GateResult.fail(GateId.JOURNAL, new Cause.RollbackRefused(Cause.RollbackRefusal.NOT_APPLIED), expected, "no row",
          "this package was never applied on this target (no journal row for its sha256)", List.of());
    }
    Journal.Entry e = applied.get();
    return new GateResult(GateIds.JOURNAL, GateStatus.PASS, expected, "journal row " + e.id() + " (run " + e.runId()
        + ", " + e.verdict() + ")", null, List.of());
  }

  /** The rollback's own row gets its final verdict and the report's digest; a row left unfinished stays visible. */
  private static void finishJournal(ApplyRun.Request req, Verdict v, Instant finished, String reportSha256) {
    try (dev.cutter.core.check.TargetAccess.RoleSession c = ApplyRun.applyConnection(req, "cutter journal " + req.runId())) {
      Journal.finish(c.connection(), req.runId(), v.name(), finished, reportSha256);
    } catch (SQLException | ApplyRun.ApplyRoleException | RuntimeException e) {
      // the rollback committed with its row (verdict ROLLBACK_COMMITTED); the report says what happened
    }
  }

  private static RunReport written(ApplyRun.ReportSink sink, RunReport r) {
    sink.write(r);
    return r;
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

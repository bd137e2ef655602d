package dev.cutter.core.run;

import dev.cutter.core.CutterException;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.cause.Causes;
import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineSnapshot;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.DbErrors.ServerError;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.check.TargetAccess;
import dev.cutter.core.integrity.ExpiryResult;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.Rollback;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The gated run of SPEC section 3: integrity, connect and lock, P1, P2, apply, verify, and what
 * to do after a failure. Every stop produces a {@link RunReport}; nothing here prints or renders.
 */
public final class ApplyRun {

  /**
   * What a run needs. {@code passwordFor} finds a role's password (the password file) for
   * connecting as apply_role; {@code privilegedLoginAllowed} is the trust policy's
   * {@code allow_privileged_login} (see {@link TargetAccess}).
   */
  public record Request(
      ApplyPackage pkg,
      List<ExecStatement> statements,
      boolean wrapperAbsorbed,
      List<ExecStatement> rollbackStatements,
      ConnectionSpec login,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor,
      Duration lockWait,
      RunMode mode,
      String runId,
      boolean privilegedLoginAllowed) {

    /** A request under the strict rule: no SET ROLE from a login role that holds more than apply_role. */
    public Request(ApplyPackage pkg, List<ExecStatement> statements, boolean wrapperAbsorbed,
        List<ExecStatement> rollbackStatements, ConnectionSpec login,
        BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, Duration lockWait, RunMode mode, String runId) {
      this(pkg, statements, wrapperAbsorbed, rollbackStatements, login, passwordFor, lockWait, mode, runId, false);
    }

    TargetAccess access() {
      return new TargetAccess(login, passwordFor, privilegedLoginAllowed);
    }
  }

  /** Writes the report (after classifying it) and returns the YAML's sha256; called while the lock is held. */
  @FunctionalInterface
  public interface ReportSink {
    String write(RunReport report);

    /**
     * P1 begins: from here to the report the run mostly waits on the server (P1's queries, the
     * rehearsal, the apply), and a sink may use the client's idle CPU to prepare for rendering.
     * Nothing the sink does here may connect, write or delay the run.
     */
    default void serverBusy() {}

    /**
     * The apply's statements have ended (committed, failed or rolled back): {@code timings} and
     * {@code committed} (null: none listed) are what the report will list unless the run learns
     * more, and a sink may prepare their part of the report while the run goes on. Nothing the
     * sink does here may connect, write or delay the run.
     */
    default void statementsEnded(dev.cutter.core.exec.StatementTimings timings, List<Integer> committed) {}
  }

  private final Steps.Integrity integrity;
  private final Steps.Checks checks;
  private final Steps.Backup backup;
  private final Clock clock;
  /** Test seam: runs right after the change committed, before verification. */
  private Runnable afterCommit = () -> { };

  public ApplyRun(Steps.Integrity integrity, Steps.Checks checks, Steps.Backup backup, Clock clock) {
    this.integrity = integrity;
    this.checks = checks;
    this.backup = backup;
    this.clock = clock;
  }

  /** Test only: {@code hook} runs right after the change committed (e.g. to take the server's last connections). */
  ApplyRun afterCommit(Runnable hook) {
    this.afterCommit = hook;
    return this;
  }

  /** Mutable state of one run; turned into the immutable report at the end. */
  private final class State {
    final Request req;
    final Instant started = clock.instant();
    final Map<String, GateResult> gates = new LinkedHashMap<>();
    final GateClock timer = new GateClock();
    List<String> signers = List.of();
    TargetInfo target;
    BackupInfo backupInfo;
    ApplyInfo applyInfo;
    VerificationInfo verification;
    RollbackInfo rollbackInfo = new RollbackInfo(RunStatus.Rollback.NOT_RUN, null);
    Baseline before;
    /** A session as apply_role opened before BEGIN, kept to finish the journal row when no new one can be had. */
    Connection journalSession;
    java.util.Set<String> touched = java.util.Set.of();
    boolean changed;
    /** This run's journal row was recorded (it may still have been rolled back with a failed change). */
    boolean journaled;
    String rootCause;
    String nextAction;
    /** The statements the apply ran, with their times. */
    dev.cutter.core.exec.StatementTimings statements;
    dev.cutter.core.online.OnlineInfo online;
    /** The blockers gate's findings and the apply's attempts; null before the gate ran. */
    dev.cutter.core.blockers.BlockersInfo blockers;
    /** current_user and session_user of the artifact's session, before the first statement and after the last. */
    Provenance.Roles beforeFirst;
    Provenance.Roles afterLast;
    final List<Provenance.Session> sessions = new ArrayList<>();
    /** P1's lock-hazard findings; null until P1 linted. */
    List<dev.cutter.core.lint.LintFinding> lint;
    /** The lock plans the run's rehearsals measured, in order. */
    final List<dev.cutter.core.lock.LockPlan> lockPlans = new ArrayList<>();

    State(Request req) {
      this.req = req;
      for (String id : GateIds.APPLY_ORDER) {
        gates.put(id, GateResult.notRun(id));
        if (id.equals(GateIds.APPLY) && req.pkg().online().isPresent()) {
          gates.put(GateIds.ONLINE, GateResult.notRun(GateIds.ONLINE));
        }
      }
    }

    /** Records {@code g} with its time; a gate recorded again (a second finding) adds to its first time. */
    void gate(GateResult g) {
      GateResult timed = timer.stamp(g);
      GateResult prev = gates.get(g.id());
      if (g.durationMs() == null && prev != null && prev.durationMs() != null && timed.durationMs() != null) {
        timed = timed.withDuration(prev.durationMs() + timed.durationMs());
      }
      gates.put(g.id(), timed);
    }

    RunReport report(Verdict verdict) {
      ApplyPackage p = req.pkg();
      PackageInfo pi = new PackageInfo(p.id(), p.sha256(), p.title(), signers, p.authorization().ref(),
          p.authorization().expiresAt(), p.authorization().risk().yamlName(), p.authorization().chain());
      TargetInfo t = target != null ? target
          : new TargetInfo(p.target().database(), null, null, req.login().user(), p.target().applyRole());
      // A dry-run changes only its sandbox: production is never touched.
      boolean productionChanged = changed && req.mode() != RunMode.DRY_RUN;
      return new RunReport(req.runId(), req.mode(), pi, t, verdict, verdict.exitCode(), productionChanged,
          new ArrayList<>(gates.values()), backupInfo, applyInfo, verification, rollbackInfo, rootCause, List.of(),
          nextAction, started, clock.instant(), RunReport.ApplySettingsInfo.of(p.apply())).withStatements(statements)
          .withOnline(online).withBlockers(blockers)
          .withProvenance(new Provenance(dev.cutter.core.CutterBuild.version(), dev.cutter.core.CutterBuild.commit(),
              beforeFirst, afterLast, sessions))
          .withLint(lint)
          .withLockPlan(lockPlans);
    }
  }

  /** Runs every gate in order and returns the report (already handed to {@code sink}). */
  public RunReport execute(Request req, ReportSink sink) {
    State s = new State(req);
    Steps.IntegrityOutcome io = integrity.check(req.pkg(), req.mode() != RunMode.DRY_RUN, req.login());
    io.gates().forEach(s::gate);
    s.signers = io.signers();
    if (!io.passed()) {
      String why = io.gates().stream().filter(g -> g.id().equals(GateIds.TLS) && g.status() == GateStatus.FAIL)
          .map(GateResult::message).findFirst().orElse("integrity gate refused the package");
      return finish(s, Verdict.BLOCKED, why, sink, null);
    }
    // the package passed its integrity gate: its DDL analysis (offline, CPU only) is read while the run connects
    java.util.concurrent.Future<?> analysis = dev.cutter.core.check.derived.StatementAnalysis.readAhead(req.statements());
    if (req.pkg().apply().mode() == ApplySettings.Mode.TRANSACTION) {
      // then what the pipelined apply sends alone (after the analysis, which P1 waits for)
      dev.cutter.core.exec.PipelineDecisions.readAhead(req.statements(), analysis);
    }
    checks.connectAhead(req.login()); // P1's logins while the run lock is taken
    Connection lockConn;
    try {
      lockConn = Connections.openCatalog(req.login(), "cutter lock " + req.runId());
    } catch (RuntimeException e) {
      s.gate(GateResult.fail(GateId.LOCK, e instanceof CutterException ce && ce.typedCause() != null ? ce.typedCause()
          : new Cause.CannotConnect(req.login().display(), null), "connection to " + req.login().display(), null,
          e.getMessage(), List.of()));
      return finish(s, Verdict.BLOCKED, e.getMessage(), sink, null);
    }
    try (lockConn) {
      AdvisoryLock lock = AdvisoryLock.acquire(lockConn, req.lockWait());
      if (lock == null) {
        AdvisoryLock.Holder holder = AdvisoryLock.whoBlocks(lockConn);
        String why = holder.changeRunning()
            ? "an earlier run's statement still executes (its client is gone; the server runs it on)"
            : "another cutter run holds the target's lock";
        s.gate(GateResult.fail(GateId.LOCK, new Cause.RunLockHeld(holder.description(), holder.changeRunning()),
            "no other cutter run on the target",
            (holder.changeRunning() ? "change session " : "run lock held by ") + holder.description(),
            why + " (waited " + req.lockWait() + ")", List.of()));
        if (holder.changeRunning()) {
          s.blockers = ApplyBlockers.earlierRun(lockConn, req.pkg().apply(), req.lockWait());
          s.nextAction = ApplyBlockers.nextAction(s.blockers);
        }
        return finish(s, Verdict.BLOCKED, why, sink, null);
      }
      try (lock) {
        s.target = readTarget(lockConn, req);
        s.sessions.add(new Provenance.Session(Provenance.Purpose.TARGET, s.target.loginRole(), s.target.tls()));
        Optional<Journal.Entry> prior;
        try {
          prior = Journal.exists(lockConn) ? Journal.consuming(lockConn, req.pkg().sha256()) : Optional.empty();
        } catch (SQLException e) {
          // nothing has begun: a journal the login role cannot read is a stop, not an escalation
          s.gate(GateResult.fail(GateId.LOCK, Causes.sql(e, Cause.ErrorSite.CHECK, req.login().user()),
              "package sha256 not yet applied on this target", null, "cannot read " + Journal.QUALIFIED + ": "
                  + DbErrors.oneLine(e), List.of()));
          return finish(s, Verdict.BLOCKED, "cannot read the journal: " + DbErrors.oneLine(e), sink, lockConn);
        }
        if (prior.isPresent()) {
          Journal.Entry e = prior.get();
          String what = e.verdict().equals(Journal.COMMITTED)
              ? "run " + e.runId() + " committed this package at " + e.started()
                  + " and never finished: run 'cutter verify' and read that run's report before anything else"
              : "run " + e.runId() + (e.verdict().equals("PASS") ? " already applied" : " already ran")
                  + " this package (verdict " + e.verdict() + ", " + e.started()
                  + "); whatever its verdict, a re-run needs a new package";
          s.gate(GateResult.fail(GateId.LOCK, new Cause.PackageAlreadyConsumed(e.id(), e.runId(), e.verdict(),
              e.verdict().equals(Journal.COMMITTED)), "package sha256 not yet applied on this target",
              "journal row " + e.id() + ": " + e.verdict(), "authorization already consumed: " + what, List.of()));
          return finish(s, Verdict.BLOCKED, "authorization already consumed", sink, lockConn);
        }
        s.gate(new GateResult(GateIds.LOCK, GateStatus.PASS, "run lock and an unconsumed authorization",
            "lock taken; package not in the journal", null, List.of()));
        try {
          // what the login holds against apply_role, read here: the run's sessions as apply_role skip the probe login
          dev.cutter.core.check.RoleRoutes.readStanding(req.passwordFor(), req.login(), lockConn,
              req.pkg().target().applyRole());
        } catch (SQLException e) {
          // each session as apply_role probes the login as it would have
        }
        return gated(s, lockConn, sink);
      } catch (SQLException | RuntimeException e) {
        if (!s.changed) {
          throw e;
        }
        return failedAfterCommit(s, e, sink, lockConn);
      } finally {
        closeQuietly(s.journalSession);
      }
    } catch (SQLException e) {
      s.rootCause = "database error while holding the run lock: " + DbErrors.oneLine(e);
      return finish(s, Verdict.ESCALATE, s.rootCause, sink, null);
    }
  }

  /**
   * Once the change committed, whatever fails (verification, a baseline read, the rollback) leaves
   * a changed target that nobody verified: ESCALATE, with the journal row finished.
   */
  private RunReport failedAfterCommit(State s, Exception e, ReportSink sink, Connection lockConn) {
    String why = e instanceof SQLException se ? DbErrors.oneLine(se) : String.valueOf(e.getMessage());
    s.rootCause = "the change committed, then the run could not go on: " + why;
    s.nextAction = "the change is in place but was not verified: run 'cutter verify' against the target and decide"
        + " with the approver whether to keep it";
    if (s.gates.get(GateIds.VERIFY).status() == GateStatus.NOT_RUN) {
      s.gate(GateResult.fail(GateId.VERIFY, e instanceof SQLException se
          ? Causes.sql(se, Cause.ErrorSite.CHECK, s.req.pkg().target().applyRole())
          : e instanceof CutterException ce && ce.typedCause() != null ? ce.typedCause()
          : new Cause.InternalError("after the commit: " + e.getClass().getSimpleName()), null, null, why, List.of()));
    }
    return finish(s, Verdict.ESCALATE, s.rootCause, sink, lockConn);
  }

  private RunReport gated(State s, Connection lockConn, ReportSink sink) throws SQLException {
    ApplySessionsAhead ahead = new ApplySessionsAhead(s.req);
    try {
      return gated(s, lockConn, sink, ahead);
    } finally {
      ahead.discardUntaken(); // the run stopped before the apply: nothing opened ahead is left behind
    }
  }

  private RunReport gated(State s, Connection lockConn, ReportSink sink, ApplySessionsAhead ahead) throws SQLException {
    Request req = s.req;
    ApplyPackage pkg = req.pkg();
    // once P1's identity check held, the lock session's readings for BEGIN at once, and the apply's and the
    // journal's logins once P1's own logins ahead found their route, overlap P1's parallel checks (never the
    // rehearsal, which runs alone after them)
    BeginReading reading = new BeginReading(lockConn, pkg, req.statements(), req.login().user(),
        c -> checks.recheck(c, req.login(), pkg, req.statements(), req.mode() == RunMode.DRY_RUN));
    Steps.P1 p1run = checks.preflightWithLint(req.login(), pkg, req.mode() == RunMode.DRY_RUN, reading::readAhead,
        ahead::start);
    List<CheckResult> p1 = p1run.results();
    s.lint = dev.cutter.core.lint.LintFinding.withMeasured(p1run.lint(),
        dev.cutter.core.lock.LockPlan.measuredBy(p1run.lockPlan()));
    if (p1run.lockPlan() != null) {
      s.lockPlans.add(p1run.lockPlan());
    }
    boolean p1ok = p1.stream().noneMatch(r -> r.status().blocks());
    s.gate(new GateResult(GateId.PREFLIGHT, p1ok ? GateStatus.PASS : GateStatus.FAIL, null, null,
        p1ok ? null : firstFailure(p1), p1, p1ok ? null : firstCause(p1)));
    if (!p1ok) {
      return finish(s, Verdict.BLOCKED, "preflight check failed: " + firstFailure(p1), sink, lockConn);
    }
    BeginRecheck recheck;
    try {
      BeginReading.Read read = reading.take();
      recheck = read.recheck();
      s.touched = recheck.touchedSchemas();
      s.before = read.before();
    } catch (SQLException e) {
      // nothing has changed yet: a catalog that cannot be read is a stop, not an escalation
      return finish(s, Verdict.BLOCKED, "cannot read the catalog fingerprint after P1: " + DbErrors.oneLine(e), sink,
          lockConn);
    }
    // the readings may have been read while P1's checks ran: a check (login = apply_role) may have ended this session since
    try (Statement st = lockConn.createStatement()) {
      st.executeQuery("select 1").close();
    } catch (SQLException e) {
      return finish(s, Verdict.BLOCKED, "the run lock's session is gone after P1: " + DbErrors.oneLine(e), sink, lockConn);
    }

    sink.serverBusy(); // the report's path warmed while the run waits on the server (P1 keeps both cores busy)
    s.timer.start();
    if (pkg.backup().required()) {
      String role = pkg.target().backupRole().orElse(req.login().user());
      ConnectionSpec bt = role.equals(req.login().user()) ? req.login()
          : req.login().as(role, req.passwordFor().apply(req.login(), role));
      s.backupInfo = backup.run(bt, pkg, req.runId());
      if (s.backupInfo.tls() != null) {
        s.sessions.add(new Provenance.Session(Provenance.Purpose.BACKUP, role, s.backupInfo.tls()));
      }
      boolean ok = s.backupInfo.status() == RunStatus.Backup.PASS;
      s.gate(new GateResult(GateId.BACKUP, ok ? GateStatus.PASS : GateStatus.FAIL, "a verified fresh backup",
          ok ? s.backupInfo.path() : null, ok ? null : s.backupInfo.reason(), List.of(), ok ? null
              : s.backupInfo.refusal() != null ? s.backupInfo.refusal()
              : new Cause.InternalError("the backup step gave no cause")));
      if (!ok) {
        return finish(s, Verdict.BLOCKED, "backup failed: " + s.backupInfo.reason(), sink, lockConn);
      }
      String dumped = s.backupInfo.systemIdentifier();
      if (dumped != null && s.target.systemIdentifier() != null && !dumped.equals(s.target.systemIdentifier())) {
        String why = "the backup came from server " + dumped + ", not from the target " + s.target.systemIdentifier();
        s.gate(GateResult.fail(GateId.BACKUP, new Cause.BackupRefused(Cause.BackupRefusal.WRONG_SERVER),
            "a backup of system " + s.target.systemIdentifier(),
            "system " + dumped, why, List.of()));
        return finish(s, Verdict.BLOCKED, why, sink, lockConn);
      }
    } else {
      s.gate(new GateResult(GateIds.BACKUP, GateStatus.SKIPPED, null, null, "backup.required is false", List.of()));
    }

    Outcome out;
    TargetAccess.RoleSession applyConn;
    s.timer.start();
    // the journal's session is opened while the apply's is: two logins, one wait
    SessionOpening journalOpening = ahead.takeJournal();
    try {
      applyConn = ahead.takeApply();
      s.target = s.target.withRoleSession(applyConn.how(), applyConn.privilegedLoginUsed());
      s.sessions.add(Provenance.Session.of(Provenance.Purpose.ARTIFACT, applyConn.connection(), req.login()));
    } catch (ApplyRoleException e) {
      journalOpening.discard();
      s.gate(GateResult.fail(GateId.APPLY, e.why(), "current_user = " + pkg.target().applyRole(),
          e.refusal() == null ? null : "refused: " + e.refusal(), e.getMessage(), List.of()));
      return finish(s, Verdict.BLOCKED, e.getMessage(), sink, lockConn);
    } catch (RuntimeException e) {
      journalOpening.discard();
      throw e;
    }
    String applyRole = pkg.target().applyRole();
    long[] xid = {0}; // the change's transaction id, read with its journal row
    try (applyConn) {
      try {
        s.journalSession = journalOpening.await().connection();
        s.sessions.add(Provenance.Session.of(Provenance.Purpose.JOURNAL, s.journalSession, req.login()));
      } catch (ApplyRoleException e) {
        s.gate(GateResult.fail(GateId.APPLY, e.why(), "a second session as " + applyRole + " for the journal",
            null, e.getMessage(), List.of()));
        return finish(s, Verdict.BLOCKED, e.getMessage(), sink, lockConn);
      }
      // P1 and P2 may have taken minutes: the authorization must still hold at BEGIN
      ExpiryResult expiry = new ExpiryResult(pkg.authorization().expiresAt(), clock.instant());
      if (!expiry.passed()) {
        s.gate(GateResult.fail(GateId.AUTHORIZATION, new Cause.AuthorizationExpired(expiry.expiresAt(), expiry.checkedAt(),
            true), "expires_at after now, again right before BEGIN",
            String.valueOf(expiry.expiresAt()), expiry.summary() + ", right before BEGIN", List.of()));
        return finish(s, Verdict.BLOCKED, "the authorization expired before the change could begin: "
            + expiry.summary(), sink, lockConn);
      }
      boolean transaction = pkg.apply().mode() == ApplySettings.Mode.TRANSACTION;
      dev.cutter.core.blockers.BlockersRun blockers;
      try {
        blockers = ApplyBlockers.prepare(applyConn.connection(), lockConn, s.journalSession, req.statements(), pkg.apply(),
            s.lockPlans.stream().filter(lp -> lp.source() == dev.cutter.core.lock.LockPlan.Source.REHEARSE).findFirst()
                .orElse(null));
      } catch (SQLException e) {
        s.gate(ApplyBlockers.unreadable(e));
        return finish(s, Verdict.BLOCKED, "the blockers gate could not look: " + DbErrors.oneLine(e), sink, lockConn);
      }
      while (true) {
        // right before BEGIN (after P2, so the backup does not age): nobody in the way of the change's locks
        dev.cutter.core.blockers.BlockersGate.Scan scan;
        try {
          scan = blockers.gate(req.lockWait());
        } catch (SQLException e) {
          s.blockers = blockers.info();
          s.gate(ApplyBlockers.unreadable(e));
          return finish(s, Verdict.BLOCKED, "the blockers gate could not look: " + DbErrors.oneLine(e), sink, lockConn);
        }
        s.blockers = blockers.info();
        s.gate(ApplyBlockers.gateResult(blockers, scan, req.lockWait()));
        if (!scan.clear()) {
          s.nextAction = ApplyBlockers.nextAction(blockers.info());
          return finish(s, Verdict.BLOCKED, "sessions in the way of the change's locks: "
              + dev.cutter.core.blockers.BlockersGate.describe(scan.blockers()), sink, lockConn);
        }
        if (!AdvisoryLock.holdForChange(applyConn.connection(), transaction)) {
          String holder = AdvisoryLock.holder(lockConn);
          s.gate(GateResult.fail(GateId.APPLY, new Cause.RunLockHeld(holder, true), "no other session changing the target",
              holder, "an earlier run's statement still executes: " + holder, List.of()));
          s.blockers = ApplyBlockers.earlierRun(lockConn, blockers.info());
          s.nextAction = ApplyBlockers.nextAction(s.blockers);
          return finish(s, Verdict.BLOCKED, "an earlier run's statement still executes", sink, lockConn);
        }
        Instant started = s.started;
        // a dry-run measures its apply's locks in the sandbox; a real apply never spends lock time on it
        dev.cutter.core.lock.LockPlanRecorder locks = req.mode() == RunMode.DRY_RUN && transaction
            ? new dev.cutter.core.lock.LockPlanRecorder(dev.cutter.core.lock.LockPlan.Source.DRY_RUN,
                pkg.artifact().path(), req.statements()) : null;
        ApplyEngine.BeforeFirstStatement atBegin = locks == null ? recheck : locks.thenAtBegin(recheck);
        // autocommit: the session's path and role before each next statement, as the text leaves them (R61)
        ApplyEngine.BetweenStatements between = transaction ? ApplyEngine.NOTHING_BETWEEN
            : recheck.betweenAutocommitStatements(req.statements());
        out = blockers.attempt(() -> ApplyEngine.run(applyConn.connection(), req.statements(), pkg.apply(), c -> {
          if (locks != null) {
            locks.finish(c, lockConn);
          }
          if (transaction) {
            recheck.createdFirstAreTheChanges(c); // no other session's relation under a name the change created
            s.afterLast = Provenance.Roles.of(c); // after the last statement, inside its transaction
          }
          xid[0] = Journal.recordCommit(c, pkg.id(), pkg.sha256(), req.runId(), s.signers, req.login().user(), applyRole,
              started);
          s.journaled = true;
        }, c -> {
          s.beforeFirst = Provenance.Roles.of(c);
          return atBegin.check(c);
        }, afterEach(recheck, locks, transaction), ApplyEngine.Sending.PIPELINED, between), recheck::lockFailureSqlstate);
        if (locks != null && out.ending() != Ending.REFUSED) {
          locks.finishAfterFailure(lockConn);
          s.lockPlans.add(locks.plan(dev.cutter.core.lock.LockPlanRecorder.failure(out)));
        }
        if (s.afterLast == null && out.ending() != Ending.REFUSED) {
          // autocommit, or the transaction ended in an error: the session as the statements left it
          s.afterLast = Provenance.Roles.of(applyConn.connection());
        }
        // autocommit: its own hold; either mode: a hold a check at BEGIN took again, which would outlive the change
        AdvisoryLock.releaseChange(applyConn.connection());
        s.blockers = blockers.info();
        String noRetry = out.ending() == Ending.ROLLED_BACK
            && dev.cutter.core.blockers.RetryPolicy.lockTimeout(out, recheck.lockFailureSqlstate(), transaction)
            ? waysOutOfTheRollback(applyConn.connection(), applyRole) : null;
        if (noRetry != null) {
          s.nextAction = noRetry;
          break;
        }
        if (!blockers.retry(out, recheck.lockFailureSqlstate(), transaction)) {
          break;
        }
        s.journaled = false;
        s.afterLast = null;
      }
    }
    s.applyInfo = applyInfo(req, out);
    s.statements = out.timings();
    sink.statementsEnded(s.statements, s.applyInfo == null ? null : s.applyInfo.committedStatements());
    if (out.ending() == Ending.REFUSED) {
      s.gate(GateResult.fail(GateId.APPLY, firstCause(recheck.results()), "what P1 proved still holds at BEGIN",
          "refused before the first statement; rolled back", out.refusal().reason(), recheck.results()));
      return finish(s, Verdict.BLOCKED, out.refusal().reason(), sink, lockConn);
    }
    String lost = null;
    if (out.ending() == Ending.CONNECTION_LOST) {
      LostConnection.Resolution resolved = LostConnection.resolve(req, out, xid[0], LOST_SESSION_WAIT);
      out = resolved.outcome();
      lost = resolved.evidence();
      s.applyInfo = applyInfo(req, out);
    }
    switch (out.ending()) {
      case COMMITTED -> {
        s.changed = true;
        s.gate(new GateResult(GateIds.APPLY, GateStatus.PASS, req.statements().size() + " statements",
            out.executed() + " executed, committed", lost, recheck.results()));
        afterCommit.run();
        if (pkg.online().isPresent() && !OnlineStepRun.run(s.req, s.journalSession, recheck.searchPathAtBegin(), o -> s.online = o,
            s::gate)) {
          s.nextAction = OnlineStepRun.nextAction(s.online);
          s.gate(new GateResult(GateIds.VERIFY, GateStatus.SKIPPED, null, null, OnlineStepRun.VERIFY_SKIPPED, List.of()));
          return finish(s, Verdict.ESCALATE, OnlineStepRun.rootCause(s.online), sink, lockConn);
        }
        return verifyAfterCommit(s, lockConn, sink);
      }
      case UNKNOWN -> {
        // the change may have committed: say so, and never claim an unchanged target
        s.changed = true;
        s.gate(GateResult.fail(GateId.APPLY, new Cause.OutcomeUnknown(out.failedIndex() != null && out.failedIndex() == 0),
            req.statements().size() + " statements", "outcome unknown", describe(out) + "; " + lost, List.of()));
        s.nextAction = "find out whether the change committed: look for run " + req.runId() + " in "
            + Journal.QUALIFIED + " and run 'cutter verify' before anything else";
        return finish(s, Verdict.ESCALATE, "outcome unknown: " + lost + ": " + describe(out), sink, lockConn);
      }
      case PARTIALLY_COMMITTED -> {
        s.changed = true;
        s.gate(GateResult.fail(GateId.APPLY, sqlCause(out, pkg.target().applyRole(), pkg.artifact().path()),
            req.statements().size() + " statements", "statements " + out.committed() + " committed before the error", describe(out), List.of()));
        s.nextAction = "inspect the target: statements " + out.committed() + " committed (autocommit mode) and were not undone";
        return finish(s, Verdict.ESCALATE, "autocommit apply failed after statements committed: " + describe(out), sink, lockConn);
      }
      default -> {
        s.gate(GateResult.fail(GateId.APPLY, sqlCause(out, pkg.target().applyRole(), pkg.artifact().path()),
            req.statements().size() + " statements", out.executed() + " executed, rolled back",
            lost == null ? describe(out) : describe(out) + "; " + lost, List.of()));
        Baseline after = BaselineSnapshot.read(lockConn, s.touched);
        boolean same = after.equals(s.before);
        s.verification = new VerificationInfo(same ? RunStatus.Verification.UNCHANGED : RunStatus.Verification.CHANGED, List.of(), s.before, after,
            same ? "target unchanged, verified" : "the baseline differs from before the apply: " + differences(s.before, after));
        if (same) {
          return finish(s, Verdict.FAILED, "apply failed and was rolled back: " + describe(out), sink, lockConn);
        }
        s.nextAction = "compare baseline_before and baseline_after: something changed the target during the run";
        return finish(s, Verdict.ESCALATE, "apply failed and the target's baseline changed: " + describe(out), sink, lockConn);
      }
    }
  }

  private RunReport verifyAfterCommit(State s, Connection lockConn, ReportSink sink) throws SQLException {
    s.timer.start();
    Request req = s.req;
    ApplyPackage pkg = req.pkg();
    VerifyPlan plan = VerifyPlan.of(checks, req.login(), pkg);
    List<CheckResult> v = plan.specs().isEmpty() ? List.of() : checks.run(req.login(), pkg, plan.specs());
    boolean ok = v.stream().noneMatch(r -> r.status().blocks());
    Baseline afterApply = BaselineSnapshot.counts(lockConn);
    s.gate(new GateResult(GateId.VERIFY, plan.gateStatus(ok), null, null, ok ? plan.note() : firstFailure(v), v,
        ok ? null : verificationFailed(v)));
    s.verification = new VerificationInfo(plan.status(ok), v, s.before, afterApply, plan.note());
    if (ok) {
      if (req.mode() == RunMode.DRY_RUN) {
        return rehearseRollback(s, lockConn, sink);
      }
      return finish(s, Verdict.PASS, null, sink, lockConn);
    }
    Optional<Rollback> rb = pkg.rollback();
    if (rb.isEmpty()) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "the package has no rollback");
      s.gate(new GateResult(GateIds.ROLLBACK, GateStatus.SKIPPED, null, null, s.rollbackInfo.reason(), List.of()));
      return finish(s, Verdict.ESCALATE, "verification failed after commit and there is no rollback: " + firstFailure(v),
          sink, lockConn);
    }
    List<CheckResult> pre = checks.run(req.login(), pkg, rb.get().precondition());
    if (pre.stream().anyMatch(r -> r.status().blocks())) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "precondition failed: " + firstFailure(pre));
      s.gate(GateResult.fail(GateId.ROLLBACK, new Cause.RollbackRefused(Cause.RollbackRefusal.PRECONDITION_FAILED),
          "precondition holds", null, s.rollbackInfo.reason(), pre));
      return finish(s, Verdict.ESCALATE, "verification failed after commit; rollback not applicable: " + firstFailure(v),
          sink, lockConn);
    }
    Outcome ro;
    try {
      ro = runRollback(req);
    } catch (ApplyRoleException e) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.FAILED, e.getMessage());
      s.gate(GateResult.fail(GateId.ROLLBACK, e.why(), null, null, e.getMessage(), pre));
      return finish(s, Verdict.ESCALATE, "rollback could not run: " + e.getMessage(), sink, lockConn);
    }
    if (ro.ending() != Ending.COMMITTED) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.FAILED, describe(ro));
      s.gate(GateResult.fail(GateId.ROLLBACK, sqlCause(ro, pkg.target().applyRole()), null, null, describe(ro), pre));
      return finish(s, Verdict.ESCALATE, "verification failed and the rollback failed: " + describe(ro), sink, lockConn);
    }
    Baseline after = BaselineSnapshot.read(lockConn, s.touched);
    boolean restored = after.equals(s.before);
    Optional<String> dropped = droppedData(req.statements());
    String note = !restored ? "the baseline after rollback differs from before the apply: " + differences(s.before, after)
        : dropped.isPresent() ? "rollback restored the structure, not the data: " + dropped.get() + " dropped data that is"
            + " only in the backup" + backupWhere(s)
        : "rollback restored the pre-apply baseline";
    s.verification = new VerificationInfo(RunStatus.Verification.FAIL, v, s.before, after, note);
    s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.EXECUTED, "verification failed: " + firstFailure(v));
    s.gate(new GateResult(GateId.ROLLBACK, restored ? GateStatus.PASS : GateStatus.FAIL, "baseline as before the apply",
        restored ? "restored" : "differs", restored ? null : note, pre,
        restored ? null : new Cause.RollbackRefused(Cause.RollbackRefusal.BASELINE_DIFFERS)));
    if (restored && dropped.isPresent()) {
      s.nextAction = "restore the dropped data from the backup" + backupWhere(s) + ", then run cutter verify";
      return finish(s, Verdict.ESCALATE, "verification failed after commit; the rollback restored the structure but "
          + dropped.get() + " dropped data that is only in the backup" + backupWhere(s), sink, lockConn);
    }
    return finish(s, restored ? Verdict.ROLLED_BACK : Verdict.ESCALATE,
        "verification failed after commit: " + firstFailure(v), sink, lockConn);
  }

  /** The first statement that removes or overwrites data a structural rollback cannot give back, if any. */
  static Optional<String> droppedData(List<ExecStatement> statements) {
    return BeginRecheck.touches(statements).stream().filter(dev.cutter.core.check.derived.Touch::dropsData).findFirst()
        .map(t -> "statement " + t.statement() + " (line " + t.line() + ", " + t.action().name().replace('_', ' ')
            + " " + t.object() + ")");
  }

  private static String backupWhere(State s) {
    return s.backupInfo != null && s.backupInfo.path() != null ? " " + s.backupInfo.path()
        : " (none was taken: backup.required is false)";
  }

  private static String differences(Baseline before, Baseline after) {
    return String.join("; ", before.differences(after));
  }

  /**
   * Dry-run only, after a verified apply: the rollback must hold its precondition, run, and bring
   * back the pre-apply baseline, or the package's way back is broken and the dry-run says so.
   */
  private RunReport rehearseRollback(State s, Connection lockConn, ReportSink sink) throws SQLException {
    Request req = s.req;
    ApplyPackage pkg = req.pkg();
    if (pkg.rollback().isEmpty()) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "dry-run: the package has no rollback to rehearse");
      s.gate(new GateResult(GateIds.ROLLBACK, GateStatus.SKIPPED, null, null, s.rollbackInfo.reason(), List.of()));
      return finish(s, Verdict.PASS, null, sink, lockConn);
    }
    List<CheckResult> pre = checks.run(req.login(), pkg, pkg.rollback().get().precondition());
    if (!held(pre)) {
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.NOT_APPLICABLE, "rehearsal: precondition failed right after the apply: "
          + firstFailure(pre));
      s.gate(GateResult.fail(GateId.ROLLBACK, new Cause.RollbackRefused(Cause.RollbackRefusal.PRECONDITION_FAILED),
          "precondition holds after the apply", null,
          s.rollbackInfo.reason(), pre));
      s.nextAction = "fix the rollback precondition: it must hold right after this change is applied";
      return finish(s, Verdict.ESCALATE, "rollback rehearsal: " + s.rollbackInfo.reason(), sink, lockConn);
    }
    Outcome ro;
    dev.cutter.core.lock.LockPlanRecorder locks = new dev.cutter.core.lock.LockPlanRecorder(
        dev.cutter.core.lock.LockPlan.Source.ROLLBACK_REHEARSAL, pkg.rollback().get().artifact().path(),
        req.rollbackStatements());
    try {
      ro = runRollback(req, session -> { }, c -> locks.finish(c, lockConn), locks);
      locks.finishAfterFailure(lockConn);
      s.lockPlans.add(locks.plan(dev.cutter.core.lock.LockPlanRecorder.failure(ro)));
    } catch (ApplyRoleException e) {
      ro = null;
      s.rollbackInfo = new RollbackInfo(RunStatus.Rollback.FAILED, e.getMessage());
    }
    Baseline after = BaselineSnapshot.read(lockConn, s.touched);
    boolean restored = ro != null && ro.ending() == Ending.COMMITTED && after.equals(s.before);
    if (ro != null) {
      s.rollbackInfo = new RollbackInfo(ro.ending() == Ending.COMMITTED ? RunStatus.Rollback.EXECUTED : RunStatus.Rollback.FAILED,
          ro.ending() != Ending.COMMITTED ? "rehearsal: " + describe(ro)
              : restored ? "rehearsal: the rollback restored the pre-apply baseline" + droppedData(req.statements())
                  .map(d -> " (the structure only: " + d + " drops data that only a backup holds)").orElse("")
              : "rehearsal: the baseline after the rollback differs from before the apply: " + differences(s.before, after));
    }
    Cause rehearsal = restored ? null : ro == null ? new Cause.RollbackRefused(Cause.RollbackRefusal.FAILED)
        : ro.ending() != Ending.COMMITTED ? sqlCause(ro, pkg.target().applyRole())
        : new Cause.RollbackRefused(Cause.RollbackRefusal.BASELINE_DIFFERS);
    s.gate(new GateResult(GateId.ROLLBACK, restored ? GateStatus.PASS : GateStatus.FAIL,
        "rollback restores the pre-apply baseline", restored ? "restored" : "not restored", s.rollbackInfo.reason(), pre,
        rehearsal));
    s.verification = new VerificationInfo(s.verification.status(), s.verification.checks(), s.before, after,
        s.rollbackInfo.reason());
    if (restored) {
      return finish(s, Verdict.PASS, null, sink, lockConn);
    }
    s.nextAction = "fix the rollback artifact: in the sandbox it did not bring back the pre-apply baseline";
    return finish(s, Verdict.ESCALATE, s.rollbackInfo.reason(), sink, lockConn);
  }

  /** How long a lost connection's session may take to end before its outcome counts as unknown. */
  static final Duration LOST_SESSION_WAIT = Duration.ofSeconds(10);

  /** The session that would run an artifact (as apply_role, holding the change key) cannot be had. */
  static final class ApplyRoleException extends Exception {
    private static final long serialVersionUID = 1L;

    private final TargetAccess.Refusal refusal;
    private final transient Cause why;

    ApplyRoleException(String m, TargetAccess.Refusal refusal, Cause why) {
      super(m);
      this.refusal = refusal;
      this.why = why;
    }

    /** Why no session as apply_role was opened; null for a database error. */
    TargetAccess.Refusal refusal() {
      return refusal;
    }

    /** Why, as data. */
    Cause why() {
      return why;
    }
  }

  /** The rollback artifact as apply_role, in one transaction under the package's timeouts. */
  static Outcome runRollback(Request req) throws ApplyRoleException, SQLException {
    return runRollback(req, session -> { }, conn -> { });
  }

  /**
   * As {@link #runRollback(Request)}; {@code opened} learns how the session reached apply_role (for
   * the report), and {@code journal} runs in the rollback's transaction before COMMIT.
   */
  static Outcome runRollback(Request req, java.util.function.Consumer<TargetAccess.RoleSession> opened,
      ApplyEngine.BeforeCommit journal) throws ApplyRoleException, SQLException {
    return runRollback(req, opened, journal, ApplyEngine.NO_OBSERVER);
  }

  /** As above, {@code after} seeing each statement (a rehearsal measuring its locks). */
  static Outcome runRollback(Request req, java.util.function.Consumer<TargetAccess.RoleSession> opened,
      ApplyEngine.BeforeCommit journal, ApplyEngine.AfterStatement after) throws ApplyRoleException, SQLException {
    ApplySettings settings = req.pkg().apply();
    ApplySettings tx = new ApplySettings(ApplySettings.Mode.TRANSACTION, settings.lockTimeout(), settings.statementTimeout());
    try (TargetAccess.RoleSession c = applyConnection(req)) {
      opened.accept(c);
      if (!AdvisoryLock.holdForChange(c.connection(), true)) {
        String holder = AdvisoryLock.holder(c.connection());
        throw new ApplyRoleException("an earlier run's statement still executes: " + holder, null,
            new Cause.RunLockHeld(holder, true));
      }
      return ApplyEngine.run(c.connection(), req.rollbackStatements(), tx, journal, ApplyEngine.NO_RECHECK, after);
    }
  }

  /** The application name of the journal's session. */
  static String journalPurpose(Request req) {
    return "cutter journal " + req.runId();
  }

  /**
   * A session running as apply_role that no statement can leave for a more privileged role (see
   * {@link TargetAccess#openAs}); refused, it is BLOCKED naming what the login role holds.
   */
  static TargetAccess.RoleSession applyConnection(Request req) throws ApplyRoleException {
    return applyConnection(req, "cutter apply " + req.runId());
  }

  static TargetAccess.RoleSession applyConnection(Request req, String purpose) throws ApplyRoleException {
    String role = req.pkg().target().applyRole();
    try {
      return req.access().openAs(role, purpose);
    } catch (TargetAccess.RoleRefused e) {
      throw new ApplyRoleException(e.getMessage(), e.reason(),
          new Cause.LoginRoleRefused(e.reason(), req.login().user(), role, e.excess()));
    } catch (dev.cutter.core.CutterException e) {
      throw new ApplyRoleException(e.getMessage(), null, e.typedCause() != null ? e.typedCause()
          : new Cause.InternalError("opening a session as apply_role"));
    } catch (SQLException e) {
      throw new ApplyRoleException("cannot become apply_role " + role + ": " + DbErrors.oneLine(e), null,
          Causes.sql(e, Cause.ErrorSite.STATEMENT, role));
    }
  }

  /**
   * What sees each statement right after it ran: the rehearsal's lock recorder (a dry-run), and the
   * proof that a relation a CREATE … IF NOT EXISTS named is the change's own (in autocommit mode that
   * statement then runs in a transaction of its own, committed after the proof).
   */
  private static ApplyEngine.AfterStatement afterEach(BeginRecheck recheck,
      dev.cutter.core.lock.LockPlanRecorder locks, boolean transaction) {
    ApplyEngine.AfterStatement also = locks == null ? ApplyEngine.NO_OBSERVER : locks;
    return recheck.observes(transaction) ? recheck.createdFirstObserver(also, transaction) : also;
  }

  /**
   * Why an attempt that ran statements and rolled back on a lock timeout is not tried again: what
   * it did through a session of its own (dblink, a foreign server, a file, a WAL message) where
   * apply_role can reach one committed there and would run once more; null when there is no such
   * way (or the look could not tell, which also keeps the retry away).
   */
  private static String waysOutOfTheRollback(Connection c, String applyRole) {
    try {
      dev.cutter.core.check.PackageQueries.refuseWaysOut(c, applyRole);
      return null;
    } catch (dev.cutter.core.CutterException e) {
      return "not retried after the lock timeout: what the artifact did outside its transaction may have committed"
          + " already (" + e.getMessage() + ")";
    } catch (SQLException e) {
      return "not retried after the lock timeout: whether apply_role can act outside the transaction could not be"
          + " read (" + DbErrors.oneLine(e) + ")";
    }
  }

  private static TargetInfo readTarget(Connection c, Request req) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select current_database(), current_setting('server_version'), session_user")) {
      rs.next();
      String sysid = null;
      try (Statement s2 = c.createStatement();
          ResultSet r2 = s2.executeQuery("select system_identifier::text from pg_control_system()")) {
        if (r2.next()) {
          sysid = r2.getString(1);
        }
      } catch (SQLException e) {
        sysid = null; // the identity check reports why
      }
      return new TargetInfo(rs.getString(1), sysid, rs.getString(2), rs.getString(3), req.pkg().target().applyRole(),
          Connections.tlsState(c, req.login()));
    }
  }

  private static ApplyInfo applyInfo(Request req, Outcome o) {
    FailedStatement fs = null;
    if (o.error() != null) {
      ServerError e = o.error();
      fs = new FailedStatement(o.failedIndex() == null ? 0 : o.failedIndex(), o.failedLine() == null ? 0 : o.failedLine(),
          e.sqlstate(), e.message(), e.detail(), e.hint(), e.where());
    }
    RunStatus.Transaction tx = switch (o.ending()) {
      case COMMITTED -> RunStatus.Transaction.COMMITTED;
      case PARTIALLY_COMMITTED -> RunStatus.Transaction.PARTIALLY_COMMITTED;
      case ROLLED_BACK, CONNECTION_LOST -> RunStatus.Transaction.ROLLED_BACK;
      case UNKNOWN -> RunStatus.Transaction.UNKNOWN;
      case REFUSED -> RunStatus.Transaction.NONE;
    };
    RunStatus.Apply status = o.ending() == Ending.COMMITTED ? RunStatus.Apply.PASS
        : o.ending() == Ending.REFUSED ? RunStatus.Apply.BLOCKED : RunStatus.Apply.FAIL;
    return new ApplyInfo(status, o.total(), o.executed(), tx, req.wrapperAbsorbed(), o.committed(), fs);
  }

  private static String describe(Outcome o) {
    if (o.error() == null) {
      return "no error";
    }
    String where = o.failedIndex() == null ? "" : o.failedAmongLast() != null ? "one of statements " + o.failedIndex()
        + " to " + o.failedAmongLast() + " (lines " + o.failedLine() + " to " + o.failedAmongLine() + ", one message,"
        + " none ran; the server did not say which): "
        : o.failedIndex() == 0 ? "at COMMIT: "
        // the journal row, and the look that a relation the change created first is its own (R41)
        : o.failedIndex() < 0 ? "before COMMIT: "
        : "statement " + o.failedIndex() + " (line " + o.failedLine() + "): ";
    return where + o.error().message() + (o.error().sqlstate() == null ? "" : " (SQLSTATE " + o.error().sqlstate() + ")");
  }

  /** The cause of the first check that blocks (identity first, as P1 runs it), for the gate that ran them. */
  static Cause firstCause(List<CheckResult> results) {
    return results.stream().filter(r -> r.status().blocks()).findFirst()
        .map(r -> r.cause() != null ? r.cause() : new Cause.InternalError("check " + r.id() + " gave no cause"))
        .orElse(new Cause.InternalError("no check recorded the failure"));
  }

  /** Verify checks that did not hold, by id. */
  static Cause verificationFailed(List<CheckResult> results) {
    return new Cause.VerificationFailed(results.stream().filter(r -> r.status().blocks()).map(CheckResult::id).toList());
  }

  /** The server error an outcome ended with, where it happened. */
  static Cause sqlCause(Outcome o, String role) {
    return sqlCause(o, role, null);
  }

  /** As above; {@code script}: the artifact the statements came from (null: not named). */
  static Cause sqlCause(Outcome o, String role, String script) {
    if (o.lexingChanged() != null) {
      var m = o.lexingChanged();
      return new Cause.LexingSettingChanged(script, m.statement(), m.line(), m.assumed(), m.reported());
    }
    if (o.createdElsewhere() != null) {
      return createdElsewhere(o.createdElsewhere());
    }
    if (o.error() == null) {
      return new Cause.InternalError("the outcome names no error");
    }
    int index = o.failedIndex() == null ? 0 : o.failedIndex();
    if (o.failedAmongLast() != null) {
      return new Cause.StatementAmongFailed(o.error().sqlstate(), index, o.failedAmongLast(), o.failedLine(),
          o.failedAmongLine(), role);
    }
    Cause.ErrorSite site = index < 0 ? Cause.ErrorSite.JOURNAL_ROW : index == 0 ? Cause.ErrorSite.COMMIT
        : Cause.ErrorSite.STATEMENT;
    return Causes.sql(o.error(), site, role).atStatement(Math.max(index, 0), o.failedLine() == null ? 0 : o.failedLine());
  }

  /** A relation the change created first that is not its own (R41, R43, R45, R46): the target changed since P1. */
  static Cause createdElsewhere(dev.cutter.core.exec.CreatedElsewhere.Finding f) {
    Cause.Recheck what = switch (f.check()) {
      case BY_ANOTHER_SESSION -> Cause.Recheck.CREATED_BY_ANOTHER_SESSION;
      case IN_ANOTHER_SCHEMA -> Cause.Recheck.CREATED_IN_ANOTHER_SCHEMA;
      case SCHEMA_NO_LONGER_USABLE -> Cause.Recheck.SCHEMA_NO_LONGER_USABLE;
      case SEARCH_PATH_CHANGED_UNSEEN -> Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN;
      case SCHEMA_BY_ANOTHER_SESSION -> Cause.Recheck.SCHEMA_MADE_BY_ANOTHER_SESSION;
      case TEMPORARY_TAKES_NAME -> Cause.Recheck.TEMPORARY_TABLE_TAKES_NAME;
    };
    return new Cause.TargetChangedSinceP1(what, f.relation(), f.schema(), f.expectedSchema());
  }

  static String firstFailure(List<CheckResult> results) {
    return results.stream().filter(r -> r.status().blocks()).findFirst()
        .map(r -> r.id() + ": " + (r.message() != null ? r.message() : "expected " + r.expected() + ", found " + r.actual()))
        .orElse("none");
  }

  private RunReport finish(State s, Verdict verdict, String cause, ReportSink sink, Connection lockConn) {
    if (s.rootCause == null && verdict != Verdict.PASS) {
      s.rootCause = cause;
    }
    RunReport report = s.report(verdict);
    String sha = null;
    RuntimeException sinkFailure = null;
    try {
      sha = sink.write(report);
    } catch (RuntimeException e) {
      // a report that could not be written must not also leave the journal row unfinished
      sinkFailure = e;
    }
    if ((s.changed || s.journaled) && lockConn != null) {
      finishJournal(s, verdict, report.finished(), sha);
    }
    if (sinkFailure != null) {
      throw sinkFailure;
    }
    return report;
  }

  /**
   * The final verdict into this run's journal row: on the session kept for it (the server may
   * take no new connection now), else on a new one.
   */
  private static void finishJournal(State s, Verdict verdict, Instant finished, String sha) {
    if (s.journalSession != null) {
      try {
        Journal.finish(s.journalSession, s.req.runId(), verdict.name(), finished, sha);
        return;
      } catch (SQLException | RuntimeException e) {
        // the kept session is gone: try a new one
      }
    }
    try (TargetAccess.RoleSession c = applyConnection(s.req, "cutter journal " + s.req.runId())) {
      Journal.finish(c.connection(), s.req.runId(), verdict.name(), finished, sha);
    } catch (SQLException | ApplyRoleException | RuntimeException e) {
      // the report is written and says what happened; the row stays COMMITTED, which the next run reports
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing: nothing to do about it
      }
    }
  }

  /** Whether a check list held (no FAIL or ERROR). */
  public static boolean held(List<CheckResult> results) {
    return results.stream().noneMatch(r -> r.status() == CheckStatus.FAIL || r.status() == CheckStatus.ERROR);
  }
}

package dev.cutter.core.run;

import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.check.TargetAccess;
import dev.cutter.core.model.OnlineStep;
import dev.cutter.core.online.OnlineInfo;
import dev.cutter.core.online.OnlineInfo.Cleanup;
import dev.cutter.core.online.OnlineInfo.CleanupStatus;
import dev.cutter.core.online.OnlineInfo.StatementRun;
import dev.cutter.core.online.OnlineRunner;
import dev.cutter.core.online.OnlineScript;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The online step inside an apply (after the change committed, before verify): a new session as
 * apply_role under the same role rules as the change, holding the change key, runs the online
 * statements; the journal row's phase becomes {@code online_done} or {@code online_failed}.
 */
final class OnlineStepRun {

  static final String VERIFY_SKIPPED = "the online step failed: verify runs once the remaining online statements ran"
      + " (cutter verify)";

  private OnlineStepRun() {}

  /**
   * Runs the step of {@code req}'s package, its names resolved through {@code searchPath} (the apply
   * session's at BEGIN; null: the new session's own); hands over the report section and the gate; true
   * when every statement ran.
   */
  static boolean run(ApplyRun.Request req, Connection journalSession, String searchPath, Consumer<OnlineInfo> info,
      Consumer<GateResult> gate) {
    OnlineStep step = req.pkg().online().orElseThrow();
    OnlineScript script = PackageScripts.online(step.artifact());
    OnlineInfo result = script.runnable() ? execute(req, script, step, searchPath)
        : OnlineRunner.refused(script, step, "the online artifact is not runnable: " + script.rejections().get(0));
    info.accept(result);
    recordPhase(req, journalSession, result.done() ? Journal.Phase.ONLINE_DONE : Journal.Phase.ONLINE_FAILED);
    String expected = result.statementsTotal() + " online statements, each in its own autocommit (lock_timeout "
        + result.lockTimeout() + ", statement_timeout " + result.statementTimeout() + ")";
    gate.accept(result.done()
        ? new GateResult(GateIds.ONLINE, GateStatus.PASS, expected, result.statementsDone() + " done", null, List.of())
        : GateResult.fail(GateId.ONLINE, new dev.cutter.core.cause.Cause.OnlineStepFailed(result.statementsDone(),
            result.statementsTotal(), result.statements().stream().filter(x -> x.sqlstate() != null)
                .map(OnlineInfo.StatementRun::sqlstate).findFirst().orElse(null), result.refusal() != null,
            result.cleanup().stream().anyMatch(x -> x.status() == OnlineInfo.CleanupStatus.NOT_DROPPED)),
            expected, result.statementsDone() + " done", rootCause(result), List.of()));
    return result.done();
  }

  private static OnlineInfo execute(ApplyRun.Request req, OnlineScript script, OnlineStep step, String searchPath) {
    TargetAccess.RoleSession session;
    try {
      session = ApplyRun.applyConnection(req, "cutter online " + req.runId());
    } catch (ApplyRun.ApplyRoleException e) {
      return OnlineRunner.refused(script, step, "no session as apply_role: " + e.getMessage());
    }
    try (session) {
      Connection c = session.connection();
      if (!AdvisoryLock.holdForChange(c, false)) {
        return OnlineRunner.refused(script, step, "another session changes the target: " + AdvisoryLock.holder(c));
      }
      try {
        if (searchPath != null) {
          // a new session starts with apply_role's default search_path, which an ALTER ROLE/DATABASE … SET of the
          // change or of another session may have made another than the one P1 and BEGIN read names through
          try (java.sql.PreparedStatement ps = c.prepareStatement("select pg_catalog.set_config('search_path', ?, false)")) {
            ps.setString(1, searchPath);
            ps.execute();
          }
        }
        return OnlineRunner.run(c, script, step);
      } finally {
        AdvisoryLock.releaseChange(c);
      }
    } catch (SQLException e) {
      return OnlineRunner.refused(script, step, "database error before the first online statement: " + DbErrors.oneLine(e));
    }
  }

  /** The journal row's phase, on the session kept for the journal, else on a new one; a failure leaves it transactional. */
  private static void recordPhase(ApplyRun.Request req, Connection journalSession, Journal.Phase phase) {
    if (journalSession != null) {
      try {
        Journal.recordPhase(journalSession, req.runId(), phase);
        return;
      } catch (SQLException | RuntimeException e) {
        // the kept session is gone: try a new one
      }
    }
    try (TargetAccess.RoleSession c = ApplyRun.applyConnection(req, "cutter journal " + req.runId())) {
      Journal.recordPhase(c.connection(), req.runId(), phase);
    } catch (SQLException | ApplyRun.ApplyRoleException | RuntimeException e) {
      // the report says what happened; the row keeps phase transactional
    }
  }

  /** What committed and what did not, in one paragraph. */
  static String rootCause(OnlineInfo o) {
    StringBuilder b = new StringBuilder("the transactional part committed; ");
    if (o.refusal() != null) {
      b.append("the online step did not start (").append(o.refusal()).append("): none of its ")
          .append(o.statementsTotal()).append(" statements ran");
    } else {
      StatementRun f = o.failed().orElseThrow();
      b.append(o.statementsDone() == 0 ? "no online statement of " + o.statementsTotal() + " done"
              : "online statements 1-" + o.statementsDone() + " of " + o.statementsTotal() + " done")
          .append("; statement ").append(f.index()).append(" (line ")
          .append(f.line()).append(", ").append(f.summary()).append(") failed: ").append(f.message())
          .append(f.sqlstate() == null ? "" : " (SQLSTATE " + f.sqlstate() + ")");
      int notRun = o.statementsTotal() - o.statementsDone() - 1;
      if (notRun > 0) {
        b.append("; ").append(notRun).append(" after it did not run");
      }
    }
    for (Cleanup c : o.cleanup()) {
      b.append(c.status() == CleanupStatus.DROPPED ? "; the INVALID index " + c.index() + " it left was dropped"
          : "; the INVALID index " + c.index() + " it left was NOT dropped: " + c.message());
    }
    return b.toString();
  }

  /** What the operator does next: the package is consumed, so the rest comes in a new one. */
  static String nextAction(OnlineInfo o) {
    String rest = o.statements().stream().filter(s -> s.status() != OnlineInfo.RunStatus.DONE)
        .map(s -> String.valueOf(s.line())).collect(Collectors.joining(", "));
    boolean leftInvalid = o.cleanup().stream().anyMatch(c -> c.status() == CleanupStatus.NOT_DROPPED);
    return (leftInvalid ? "drop the INVALID index named above with DROP INDEX CONCURRENTLY; " : "")
        + "fix the cause, then issue a new package (this one is consumed) whose online artifact holds the statements"
        + " that did not run (lines " + rest + " of the online artifact) and whose transactional artifact does not"
        + " repeat this change; apply it, then run cutter verify";
  }
}

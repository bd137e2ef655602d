package dev.cutter.core.run;

import dev.cutter.core.blockers.Blocker;
import dev.cutter.core.blockers.BlockersGate;
import dev.cutter.core.blockers.BlockersInfo;
import dev.cutter.core.blockers.BlockersRun;
import dev.cutter.core.blockers.PlannedLocks;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The blockers gate as the apply run uses it: its gate result, its next action, an earlier run in the way. */
final class ApplyBlockers {

  private ApplyBlockers() {}

  /** The gate for this run: the plan from the statements, this run's own sessions left out. */
  static BlockersRun prepare(Connection apply, Connection lockConn, Connection journal, List<ExecStatement> statements,
      ApplySettings settings) throws SQLException {
    return prepare(apply, lockConn, journal, statements, settings, null);
  }

  /**
   * As above; {@code measured} is the lock plan P1's rehearsal measured on this target (null when
   * none): its locks on pre-existing relations join the DDL analysis's, the stronger mode winning.
   */
  static BlockersRun prepare(Connection apply, Connection lockConn, Connection journal, List<ExecStatement> statements,
      ApplySettings settings, dev.cutter.core.lock.LockPlan measured) throws SQLException {
    Set<Integer> own = new LinkedHashSet<>();
    own.add(BlockersGate.pidOf(apply));
    own.add(BlockersGate.pidOf(lockConn));
    if (journal != null) {
      own.add(BlockersGate.pidOf(journal));
    }
    return BlockersRun.prepare(apply, lockConn, PlannedLocks.withMeasured(PlannedLocks.fromStatements(statements), measured), settings, own,
        new SecureRandom());
  }

  static GateResult gateResult(BlockersRun run, BlockersGate.Scan scan, Duration wait) {
    List<String> rels = run.info().relations();
    String expected = rels.isEmpty() ? "no pre-existing relation to lock"
        : "no session in the way of " + String.join(", ", rels);
    if (scan.clear()) {
      return new GateResult(GateIds.BLOCKERS, GateStatus.PASS, expected,
          "none" + (scan.waitedMs() > 0 ? " (after waiting " + scan.waitedMs() + "ms)" : ""), null, List.of());
    }
    return GateResult.fail(GateId.BLOCKERS, new dev.cutter.core.cause.Cause.SessionsInTheWay(
            scan.blockers().stream().map(Blocker::pid).toList(),
            rels.stream().map(r -> r.contains(": ") ? r.replace(": ", " (") + ")" : r).toList(),
            scan.blockers().stream().anyMatch(b -> b.cutterRun() != null)), expected,
        scan.blockers().size() + " session(s) in the way",
        "still in the way after waiting " + scan.waitedMs() + "ms (--lock-wait " + wait + "): "
            + BlockersGate.describe(scan.blockers()), List.of());
  }

  /** The gate failed to read the server's locks: nothing began, so the run stops BLOCKED. */
  static GateResult unreadable(SQLException e) {
    return GateResult.fail(GateId.BLOCKERS, dev.cutter.core.cause.Causes.sql(e, dev.cutter.core.cause.Cause.ErrorSite.CHECK,
        null), "the sessions in the way of the change's locks, read",
        "not read", "could not read pg_locks and pg_stat_activity: " + dev.cutter.core.db.DbErrors.oneLine(e), List.of());
  }

  /** What to do about each session in the way (null when none is named). */
  static String nextAction(BlockersInfo info) {
    if (info == null || info.blockers().isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (Blocker x : info.blockers()) {
      b.append(b.length() == 0 ? "" : "; ").append("pid ").append(x.pid()).append(": ").append(x.advice());
    }
    return b.append("; then run again (a longer --lock-wait waits for them)").toString();
  }

  /**
   * {@code sofar} with the session of an earlier run that took the change key between the gate
   * and BEGIN named in it (the attempts so far kept).
   */
  static BlockersInfo earlierRun(Connection lockConn, BlockersInfo sofar) {
    BlockersInfo e = earlierRun(lockConn, ApplySettings.defaults(), Duration.ZERO);
    return e == null ? sofar : new BlockersInfo("BLOCKED", sofar.relations(), sofar.maxBlockerAge(), sofar.waitedMs(),
        e.blockers(), sofar.attempts());
  }

  /** The section naming the session of an earlier run that still holds the change key, if it is still there. */
  static BlockersInfo earlierRun(Connection lockConn, ApplySettings settings, Duration waited) {
    try {
      Integer pid = AdvisoryLock.changeHolderPid(lockConn);
      Optional<Blocker> b = pid == null ? Optional.empty()
          : BlockersGate.session(lockConn, pid, Blocker.Reason.EARLIER_RUN_CHANGING,
              "advisory lock: the change key of cutter (held while a change runs)");
      return new BlockersInfo("BLOCKED", List.of(), BlockersRun.age(settings.maxBlockerAge()), waited.toMillis(),
          b.map(List::of).orElse(List.of()), List.of());
    } catch (SQLException e) {
      return null; // the lock gate's own message names the session already
    }
  }
}

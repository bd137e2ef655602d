package dev.cutter.core.run;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplySettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * What cutter can prove, on a new session, about an apply whose connection was lost. Nothing is
 * taken for granted: an ending other than {@link Ending#UNKNOWN} comes with the server's word.
 * <ul>
 *   <li>Autocommit mode: the statement in flight commits on its own; the client cannot tell
 *       whether it did: unknown.</li>
 *   <li>Transaction mode, before COMMIT was sent: rolled back once the apply's transaction has
 *       ended (the change key, which the transaction holds, is free again); unknown while it runs
 *       on or when no new session can be had.</li>
 *   <li>At COMMIT (sent, no reply): once the transaction has ended, {@code txid_status} of its
 *       id (read with the journal row, before COMMIT) says committed or aborted; the journal row,
 *       which exists if and only if the change committed, answers when the id is too old for the
 *       server to know.</li>
 * </ul>
 */
final class LostConnection {

  /** The resolved outcome and the evidence the report gives for it, one sentence. */
  record Resolution(Outcome outcome, String evidence) {}

  private LostConnection() {}

  /**
   * Resolves {@code out} (ending CONNECTION_LOST); {@code xid} is the change's transaction id, 0
   * when the journal row was never written on that session.
   */
  static Resolution resolve(ApplyRun.Request req, Outcome out, long xid, Duration wait) {
    boolean atCommit = out.failedIndex() != null && out.failedIndex() == 0;
    if (req.pkg().apply().mode() != ApplySettings.Mode.TRANSACTION) {
      return unknown(out, "the connection was lost while a statement ran in autocommit mode: it commits on its own,"
          + " and nothing on the client side tells whether it did");
    }
    long deadline = System.nanoTime() + wait.toNanos();
    Connection c;
    try {
      c = openWithin(req.login(), "cutter recheck " + req.runId(), deadline);
    } catch (RuntimeException e) {
      return unknown(out, "no new session could be opened to ask the server: " + e.getMessage());
    }
    try (c) {
      if (!AdvisoryLock.awaitNoChange(c, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return unknown(out, "the apply's transaction had not ended after " + wait.toSeconds()
            + " s (its session still holds the change key)");
      }
      if (!atCommit) {
        return new Resolution(rolledBack(out), "the connection was lost before COMMIT was sent and the apply's"
            + " transaction has ended (the change key is free): rolled back");
      }
      String status = xid > 0 ? txidStatus(c, xid) : null;
      if ("committed".equals(status) || "aborted".equals(status)) {
        String evidence = "the connection was lost at COMMIT; txid_status(" + xid + ") on a new session: " + status;
        return new Resolution("committed".equals(status) ? committed(req, out) : rolledBack(out), evidence);
      }
      int rows = journalRows(c, req.runId());
      String evidence = "the connection was lost at COMMIT; the transaction's status is unknown to the server ("
          + (status == null ? "id too old or not recorded" : status) + "); the journal, whose row commits only with"
          + " the change, has " + rows + " row" + (rows == 1 ? "" : "s") + " of this run";
      return new Resolution(rows == 1 ? committed(req, out) : rolledBack(out), evidence);
    } catch (SQLException e) {
      return unknown(out, "the server could not be asked what happened: " + DbErrors.oneLine(e));
    }
  }

  /** Opens a session, trying again until {@code deadline} (a server that restarted takes a moment). */
  private static Connection openWithin(ConnectionSpec login, String purpose, long deadline) {
    while (true) {
      try {
        return Connections.openCatalog(login, purpose);
      } catch (RuntimeException e) {
        if (System.nanoTime() >= deadline) {
          throw e;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static String txidStatus(Connection c, long xid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.txid_status(?)")) {
      ps.setLong(1, xid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static int journalRows(Connection c, String runId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select count(*) from " + Journal.QUALIFIED + " where run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static Resolution unknown(Outcome out, String evidence) {
    return new Resolution(new Outcome(Ending.UNKNOWN, out.total(), out.executed(), out.committed(), out.failedIndex(),
        out.failedLine(), out.error(), null, out.timings()), evidence);
  }

  private static Outcome committed(ApplyRun.Request req, Outcome out) {
    return new Outcome(Ending.COMMITTED, out.total(), out.executed(),
        req.statements().stream().map(dev.cutter.core.exec.ExecStatement::index).toList(), null, null, null, null,
        out.timings());
  }

  private static Outcome rolledBack(Outcome out) {
    return new Outcome(Ending.ROLLED_BACK, out.total(), out.executed(), List.of(), out.failedIndex(), out.failedLine(),
        out.error(), null, out.timings());
  }
}

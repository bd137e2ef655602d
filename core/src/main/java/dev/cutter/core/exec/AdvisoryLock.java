package dev.cutter.core.exec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The session-level advisory lock that keeps two runs off one target (advisory locks are per
 * database, so one key serves every target). Held on its own connection for the whole run; a
 * crashed run's lock goes with its session, so it can never block forever.
 */
public final class AdvisoryLock implements AutoCloseable {

  /** 'cutter' as a number; the run lock. */
  static final long RUN_KEY = 0x637574746572L;
  /** Serialises concurrent {@code cutter init}. */
  static final long INIT_KEY = RUN_KEY + 1;

  private final Connection connection;

  private AdvisoryLock(Connection connection) {
    this.connection = connection;
  }

  /**
   * Takes the run lock on {@code c}, waiting up to {@code wait} (zero: try once).
   *
   * @return the lock, or null when another session holds it
   */
  public static AdvisoryLock acquire(Connection c, Duration wait) throws SQLException {
    if (wait.isZero() || wait.isNegative()) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + RUN_KEY + ")")) {
        rs.next();
        return rs.getBoolean(1) ? new AdvisoryLock(c) : null;
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_try_advisory_lock(" + RUN_KEY + ")")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return new AdvisoryLock(c);
        }
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      try {
        Thread.sleep(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  /** Who holds the run lock now (pid, role, application, since), for the BLOCKED message. */
  public static String holder(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "select a.pid, a.usename, a.application_name, a.backend_start from pg_locks l "
            + "join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted "
            + "and l.database = (select oid from pg_database where datname = current_database()) "
            + "and ((l.classid::bigint << 32) | l.objid::bigint) = ? limit 1")) {
      ps.setLong(1, RUN_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "another session";
        }
        return "pid " + rs.getInt(1) + " (role " + rs.getString(2) + ", " + rs.getString(3) + ", connected since "
            + rs.getTimestamp(4).toInstant() + ")";
      }
    }
  }

  @Override
  public void close() throws SQLException {
    if (!connection.isClosed()) {
      try (Statement st = connection.createStatement()) {
        st.execute("select pg_advisory_unlock(" + RUN_KEY + ")");
      }
    }
  }
}

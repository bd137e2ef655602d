package dev.cutter.core.exec;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.time.Duration;

/**
 * The advisory locks that keep two runs off one target (advisory locks are per database, so one
 * key serves every target). The run lock is session-level, held on its own connection for the
 * whole run; a crashed run's lock goes with its session, so it can never block forever. The
 * session that changes the target (apply, rollback) holds a second key itself, so that a
 * statement that runs on in the server after its client died keeps the next run out: a run holds
 * the run lock only while no session holds the change key.
 */
public final class AdvisoryLock implements AutoCloseable {

  /** 'cutter' as a number; the run lock. */
  static final long RUN_KEY = 0x637574746572L;
  /** Serialises concurrent {@code cutter init}. */
  static final long INIT_KEY = RUN_KEY + 1;
  /** Held by the session that runs an artifact, for as long as its change may still be running. */
  static final long CHANGE_KEY = RUN_KEY + 2;

  private final Connection connection;

  private AdvisoryLock(Connection connection) {
    this.connection = connection;
  }

  /**
   * Takes the run lock on {@code c} once no earlier run's change session is left, waiting up to
   * {@code wait} for both (zero: try once).
   *
   * @return the lock, or null when another session holds the run lock or the change key
   */
  public static AdvisoryLock acquire(Connection c, Duration wait) throws SQLException {
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    boolean running = false;
    while (true) {
      if (running || tryLock(c, RUN_KEY)) {
        running = true;
        if (changeKeyFree(c)) {
          return new AdvisoryLock(c);
        }
      }
      if (System.nanoTime() >= deadline) {
        if (running) {
          unlock(c, RUN_KEY);
        }
        return null;
      }
      try {
        Thread.sleep(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (running) {
          unlock(c, RUN_KEY);
        }
        return null;
      }
    }
  }

  /** Whether no session holds the change key now (taken and at once released on {@code c}). */
  static boolean changeKeyFree(Connection c) throws SQLException {
    if (!tryLock(c, CHANGE_KEY)) {
      return false;
    }
    unlock(c, CHANGE_KEY);
    return true;
  }

  /**
   * Waits up to {@code wait} until no session holds the change key: an earlier change session
   * has ended (its transaction committed or rolled back). False when one still runs.
   */
  public static boolean awaitNoChange(Connection c, Duration wait) throws SQLException {
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    while (!changeKeyFree(c)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Makes {@code c}, the session about to run an artifact, hold the change key: in a transaction
   * ({@code transaction} true) as its first statement, with {@code pg_try_advisory_xact_lock}, so
   * that the key goes exactly when the change commits or rolls back — the connection is left in
   * that open transaction for the engine to continue; else for the session, which keeps it until
   * it ends, also when its client died mid-statement.
   *
   * @return false when another session holds the key (the transaction, if any, is rolled back)
   */
  public static boolean holdForChange(Connection c, boolean transaction) throws SQLException {
    if (!transaction) {
      return tryLock(c, CHANGE_KEY);
    }
    c.setAutoCommit(false);
    boolean got;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.pg_try_advisory_xact_lock(" + CHANGE_KEY + ")")) {
      rs.next();
      got = rs.getBoolean(1);
    }
    if (!got) {
      c.rollback();
      c.setAutoCommit(true);
    }
    return got;
  }

  /**
   * Once the change has ended (committed or rolled back, either mode): gives up every
   * session-level hold of the change key on {@code c}, as often as it is held — an autocommit
   * apply's own and any a check run on the session at BEGIN took again, which pg_locks does not
   * tell from one; a transaction-level hold went with the transaction. A session that is gone
   * released them already, and one that still runs (its client lost it) must keep them.
   */
  public static void releaseChange(Connection c) {
    try {
      if (holdsChange(c)) {
        releaseEveryHold(c, "pg_catalog.pg_advisory_unlock(" + CHANGE_KEY + ")");
      }
    } catch (SQLException e) {
      // the session ended or is unreachable: the key stays with the server's session until it ends
    }
  }

  /**
   * Whether the session {@code c} holds the change key now (pg_locks shows the key while the
   * session holds it, for the session or for its open transaction).
   */
  public static boolean holdsChange(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select " + HOLDS_CHANGE)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /* The session keeps apply_role's search_path, which may find an operator of its own first: the catalog's by name. */
  private static final String HOLDS_CHANGE = "exists (select from pg_catalog.pg_locks l"
      + " where l.locktype operator(pg_catalog.=) 'advisory' and l.pid operator(pg_catalog.=) pg_catalog.pg_backend_pid()"
      + " and l.objsubid operator(pg_catalog.=) 1 and ((l.classid::pg_catalog.int8 operator(pg_catalog.<<) 32)"
      + " operator(pg_catalog.|) l.objid::pg_catalog.int8) operator(pg_catalog.=) " + CHANGE_KEY + ")";

  /**
   * The session's temporary relations named as one of the names bound to its one parameter ({@code text[]}),
   * comma-separated in name order; null where none (R64). Before COMMIT alone, or as a column of {@link #between}.
   */
  public static final String TEMPORARY_NAMED = "select pg_catalog.string_agg(r.relname::pg_catalog.text, ', '"
      + " order by r.relname) from pg_catalog.pg_class r where r.relnamespace operator(pg_catalog.=)"
      + " pg_catalog.pg_my_temp_schema() and r.relname::pg_catalog.text operator(pg_catalog.=) any (?::pg_catalog.text[])";

  /**
   * What an autocommit session shows between two statements: whether it holds the change key (O17), its
   * search_path setting and the role it runs as (R61).
   */
  public record Between(boolean holdsChange, String searchPath, String user, String temporaryNamed) {}

  /** {@link Between} of {@code c} now, in one query. */
  public static Between between(Connection c) throws SQLException {
    return between(c, List.of());
  }

  /**
   * {@link Between} of {@code c} now, in one query, with the session's temporary relations named as one of {@code
   * names} ({@code temporaryNamed}: comma-separated, null where none; R64).
   */
  public static Between between(Connection c, List<String> names) throws SQLException {
    String sql = "select " + HOLDS_CHANGE + ", pg_catalog.current_setting('search_path'), current_user"
        + (names.isEmpty() ? "" : ", (" + TEMPORARY_NAMED + ")");
    try (java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      if (!names.isEmpty()) {
        ps.setArray(1, c.createArrayOf("text", names.toArray()));
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Between(rs.getBoolean(1), rs.getString(2), rs.getString(3), names.isEmpty() ? null : rs.getString(4));
      }
    }
  }

  /**
   * Calls {@code unlock} (an advisory unlock of one key, e.g. {@code pg_catalog.pg_advisory_unlock(k)})
   * on {@code c} until it returns false: a session may hold a key for the session several times,
   * and each call gives up one hold.
   */
  public static void releaseEveryHold(Connection c, String unlock) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeQuery("with recursive u(released) as (select " + unlock + " union all select " + unlock
          + " from u where u.released) select pg_catalog.count(*) from u").close();
    }
  }

  private static boolean tryLock(Connection c, long key) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_catalog.pg_try_advisory_lock(" + key + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static void unlock(Connection c, long key) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("select pg_catalog.pg_advisory_unlock(" + key + ")");
    }
  }

  /** Who keeps a run out: the holder of the run lock, or ({@code changeRunning}) a session still changing the target. */
  public record Holder(boolean changeRunning, String description) {}

  /** Who holds the run lock, or failing that the change key, now (pid, role, application, since). */
  public static Holder whoBlocks(Connection c) throws SQLException {
    String run = holderOf(c, RUN_KEY);
    if (run != null) {
      return new Holder(false, run);
    }
    String change = holderOf(c, CHANGE_KEY);
    return change != null ? new Holder(true, change) : new Holder(false, "another session");
  }

  /** {@link #whoBlocks} as one line, for a BLOCKED message. */
  public static String holder(Connection c) throws SQLException {
    Holder h = whoBlocks(c);
    return h.changeRunning() ? h.description() + ", whose statement of an earlier run still executes" : h.description();
  }

  /*
   * Another session's granted hold of an advisory key, to be followed by the key: read on sessions
   * that keep apply_role's search_path too (the online step's, the rollback's), which may name a
   * schema of apply_role's before pg_catalog, so every relation, operator and type is the
   * catalog's by name, and the key is a literal (the driver writes a long parameter as '…'::int8).
   */
  private static final String HELD_BY_ANOTHER = "l.locktype operator(pg_catalog.=) 'advisory' and l.granted"
      + " and l.pid operator(pg_catalog.<>) pg_catalog.pg_backend_pid() and l.database operator(pg_catalog.=)"
      + " (select d.oid from pg_catalog.pg_database d where d.datname operator(pg_catalog.=) pg_catalog.current_database())"
      + " and ((l.classid::pg_catalog.int8 operator(pg_catalog.<<) 32) operator(pg_catalog.|) l.objid::pg_catalog.int8)"
      + " operator(pg_catalog.=) ";

  /** The pid of the session that holds the change key (an earlier run still changing the target), or null. */
  public static Integer changeHolderPid(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select l.pid from pg_catalog.pg_locks l where " + HELD_BY_ANOTHER + CHANGE_KEY
            + " limit 1")) {
      return rs.next() ? rs.getInt(1) : null;
    }
  }

  private static String holderOf(Connection c, long key) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select l.pid, a.usename, a.application_name, a.backend_start"
            + " from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid operator(pg_catalog.=) l.pid"
            + " where " + HELD_BY_ANOTHER + key + " limit 1")) {
      if (!rs.next()) {
        return null;
      }
      java.sql.Timestamp since = rs.getTimestamp(4);
      return "pid " + rs.getInt(1) + " (role " + rs.getString(2) + ", " + rs.getString(3) + ", connected since "
          + (since == null ? "unknown" : since.toInstant()) + ")";
    }
  }

  /** Releases the run lock; a session that is gone released it already. */
  @Override
  public void close() {
    try {
      if (!connection.isClosed()) {
        unlock(connection, RUN_KEY);
      }
    } catch (SQLException e) {
      // the session ended, and its locks with it
    }
  }
}

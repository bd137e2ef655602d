package dev.cutter.core.check;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * A few connections to the target for read-only checks. Each piece of work gets a connection in
 * a fresh transaction declared READ ONLY (a write fails with SQLSTATE 25006) and bounded by a
 * statement timeout, with search_path {@code pg_catalog, pg_temp}; the transaction is always
 * rolled back. The connections use the extended query protocol ({@link
 * Connections#checkProperties}). They are the login role's: only cutter's own catalog queries
 * run on them; SQL text from a package runs in {@link PackageQueries}. The password is set only
 * as a property of the driver's DataSource, never in a URL, so the pool cannot log it.
 */
public final class CheckPool implements AutoCloseable {

  /** Work done on a read-only connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * The search_path of every check transaction: a table, view, function or operator that some
   * role created in {@code public} under a built-in's name ({@code lower}, a {@code count}
   * overload, {@code =}) is never found; pg_temp last, where functions are never looked up.
   */
  static final String SEARCH_PATH = "set local search_path = pg_catalog, pg_temp";

  /** How long one check's statement may run. */
  public static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);

  private final HikariDataSource pool;
  private final int size;
  /** Raised by {@link #resetBeforeNextUse}; a session whose reset is older is reset when next handed out. */
  private volatile int epoch;
  /** The epoch each physical session was last reset at (a session not here has never served anyone before). */
  private final Map<Object, Integer> resetAt = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private CheckPool(HikariDataSource pool, int size) {
    this.pool = pool;
    this.size = size;
  }

  /** Opens a pool of {@code size} (2 to 4) connections as {@code spec}'s user. */
  public static CheckPool open(ConnectionSpec spec, int size, String applicationName) {
    if (size < 1 || size > 4) {
      throw new IllegalArgumentException("check pool size must be 1 to 4, not " + size);
    }
    javax.sql.DataSource ds = Connections.dataSource(Connections.checkProperties(spec, applicationName));
    HikariConfig cfg = new HikariConfig();
    cfg.setDataSource(ds);
    cfg.setPoolName("cutter-checks");
    cfg.setMaximumPoolSize(size);
    cfg.setMinimumIdle(size);
    cfg.setAutoCommit(false);
    cfg.setReadOnly(true);
    cfg.setConnectionTimeout(15_000);
    cfg.setInitializationFailTimeout(1);
    try {
      return new CheckPool(new HikariDataSource(cfg), size);
    } catch (HikariPool.PoolInitializationException e) {
      String line = e.getCause() instanceof SQLException se ? DbErrors.cannotConnect(spec, se)
          : "cannot connect to " + spec.display() + ": " + e.getMessage();
      throw new CutterException(ExitCodes.CHECKS_FAILED, line, e,
          new dev.cutter.core.cause.Cause.CannotConnect(spec.display(),
              e.getCause() instanceof SQLException se ? se.getSQLState() : null));
    }
  }

  public int size() {
    return size;
  }

  /**
   * The pool passes to a new user (the next list of checks of a run, see {@link CheckSessions}):
   * each session is reset with {@code DISCARD ALL} before it next runs work, so nothing a session
   * held for the one before (a setting, a temporary table, a prepared statement, an advisory lock,
   * a role) is seen by the next.
   */
  public void resetBeforeNextUse() {
    epoch++;
  }

  /** Runs {@code work} in a READ ONLY transaction that is rolled back whatever happens. */
  public <T> T readOnly(Work<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      resetIfLent(c);
      try {
        try (Statement st = c.createStatement()) {
          st.execute("set transaction read only");
          st.execute("set local statement_timeout = '" + STATEMENT_TIMEOUT.toMillis() + "ms'");
          st.execute(SEARCH_PATH);
        }
        return work.run(c);
      } finally {
        c.rollback();
      }
    }
  }

  private void resetIfLent(Connection c) throws SQLException {
    int now = epoch;
    Object session = c.unwrap(org.postgresql.PGConnection.class);
    Integer at = resetAt.putIfAbsent(session, now);
    if (at == null || at == now) {
      return; // a new session, or one already reset for this user
    }
    // DISCARD ALL cannot run inside a transaction block: outside one, then back to the pool's way
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("discard all");
    } finally {
      c.setAutoCommit(false);
    }
    resetAt.put(session, now);
  }

  @Override
  public void close() {
    pool.close();
  }
}

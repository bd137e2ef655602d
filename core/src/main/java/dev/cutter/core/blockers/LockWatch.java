package dev.cutter.core.blockers;

import dev.cutter.core.blockers.Blocker.Reason;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * While an attempt of the apply runs, looks every {@link #EVERY_MS} ms (on the run's lock
 * session, idle meanwhile) for the sessions the apply session waits for
 * ({@code pg_blocking_pids}), so that a lock timeout names who held it up, also on a relation
 * the plan did not foresee. pg_locks and pg_blocking_pids, which briefly hold the lock manager,
 * are read only while pg_stat_activity shows the apply session waiting on a lock. {@link #stop()}
 * must return before the lock session is used again.
 */
public final class LockWatch implements AutoCloseable {

  static final long EVERY_MS = 100;

  private static final String BLOCKING = """
      with w as (select locktype, database, relation, transactionid from pg_catalog.pg_locks
                  where pid = ? and not granted)
      select a.pid, a.usename, a.application_name, pg_catalog.host(a.client_addr), a.state,
             (extract(epoch from (pg_catalog.clock_timestamp() - a.xact_start)) * 1000)::bigint, a.query,
             (select pg_catalog.string_agg(h.mode || ' on ' || coalesce(h.relation::regclass::text,
                     'transaction ' || h.transactionid::text), ', ')
                from pg_catalog.pg_locks h join w on h.locktype = w.locktype
                 and h.database is not distinct from w.database and h.relation is not distinct from w.relation
                 and h.transactionid is not distinct from w.transactionid
               where h.pid = a.pid and h.granted)
        from pg_catalog.pg_stat_activity a
       where exists (select 1 from pg_catalog.pg_stat_activity s where s.pid = ? and s.wait_event_type = 'Lock')
         and a.pid = any(pg_catalog.pg_blocking_pids(?))""";

  private final Connection watch;
  private final int applyPid;
  private final Map<Integer, Blocker> seen = new LinkedHashMap<>();
  private final Object signal = new Object();
  private volatile boolean stopping;
  private final Thread thread;

  private LockWatch(Connection watch, int applyPid) {
    this.watch = watch;
    this.applyPid = applyPid;
    this.thread = new Thread(this::loop, "cutter lock watch");
    thread.setDaemon(true);
  }

  /** Starts watching the apply session {@code applyPid} from {@code watch}. */
  public static LockWatch start(Connection watch, int applyPid) {
    LockWatch w = new LockWatch(watch, applyPid);
    w.thread.start();
    return w;
  }

  private void loop() {
    while (true) {
      synchronized (signal) {
        if (stopping) {
          return;
        }
        try {
          signal.wait(EVERY_MS);
        } catch (InterruptedException e) {
          return;
        }
        if (stopping) {
          return;
        }
      }
      try {
        look();
      } catch (SQLException | RuntimeException e) {
        return; // the lock session is gone: the run sees that itself
      }
    }
  }

  private void look() throws SQLException {
    try (PreparedStatement ps = watch.prepareStatement(BLOCKING)) {
      ps.setInt(1, applyPid);
      ps.setInt(2, applyPid);
      ps.setInt(3, applyPid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long age = rs.getLong(6);
          Long ageMs = rs.wasNull() ? null : age;
          String lock = rs.getString(8);
          Blocker b = BlockersGate.blocker(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), ageMs, Reason.BLOCKED_THE_APPLY, lock == null ? "a lock the apply waited for" : lock,
              rs.getString(7));
          synchronized (seen) {
            seen.put(b.pid(), b);
          }
        }
      }
    }
  }

  /** Stops watching (waits for a look in progress) and returns every session seen holding the apply up. */
  public List<Blocker> stop() {
    synchronized (signal) {
      stopping = true;
      signal.notifyAll();
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (seen) {
      return List.copyOf(seen.values());
    }
  }

  @Override
  public void close() {
    stop();
  }
}

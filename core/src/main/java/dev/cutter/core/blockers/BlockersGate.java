package dev.cutter.core.blockers;

import dev.cutter.core.blockers.Blocker.Reason;
import dev.cutter.core.lock.LockMode;
import dev.cutter.core.run.RunIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The blockers gate, right before BEGIN: from pg_locks and pg_stat_activity, the sessions that
 * would keep the change waiting on a relation it locks (and every query behind it queued):
 * <ul>
 *   <li>a session holding a lock that conflicts with the change's mode on that relation, or
 *       waiting for one (the change would queue behind it);</li>
 *   <li>a session idle in a transaction that holds any lock on such a relation — it holds it
 *       until someone ends it, and its row locks would hold the change up too; idle-in-transaction
 *       sessions that touch none of the change's relations do not count: they cannot hold it up;</li>
 *   <li>a transaction older than {@code apply.max_blocker_age} (zero: of any age) that holds any
 *       lock on such a relation.</li>
 * </ul>
 * Autovacuum workers are left out: the server cancels them when they stand in a lock's way.
 * One query per look, on the run's lock session (whose login role may see other roles' queries).
 */
public final class BlockersGate {

  /** How often the gate looks again while {@code --lock-wait} lasts. */
  public static final Duration POLL = Duration.ofMillis(200);

  /** A planned relation as resolved on the target. */
  public record Relation(long oid, String name, LockMode mode) {}

  /** What one or more looks found: the blockers of the last look, and the time spent waiting for them to go. */
  public record Scan(List<Blocker> blockers, long waitedMs) {
    public boolean clear() {
      return blockers.isEmpty();
    }
  }

  /**
   * The planned relations and, in the same mode, every table that inherits from them or is a
   * partition of them: the apply's LOCK TABLE at BEGIN (and ALTER TABLE, CREATE INDEX on a
   * partitioned table) locks those too, so a session on a partition is in the way as well.
   */
  private static final String RESOLVE = """
      with recursive planned(oid, mode) as (
        select c.oid, x.mode from unnest(?::text[], ?::text[]) as x(label, mode)
          join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(x.label)
        union
        select i.inhrelid, p.mode from pg_catalog.pg_inherits i join planned p on i.inhparent = p.oid)
      select p.oid::bigint, p.oid::regclass::text, p.mode from planned p""";

  private static final String SCAN = """
      select l.pid, a.usename, a.application_name, pg_catalog.host(a.client_addr), a.state,
             (extract(epoch from (pg_catalog.clock_timestamp() - a.xact_start)) * 1000)::bigint,
             l.mode, l.granted, l.relation::bigint, a.query, a.backend_type
        from pg_catalog.pg_locks l
        join pg_catalog.pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'relation'
         and l.database = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database())
         and l.relation::bigint = any(?::bigint[])
         and l.pid <> pg_catalog.pg_backend_pid()
       order by l.pid""";

  private final Connection watch;
  private final Map<Long, Relation> relations;
  private final Duration maxAge;
  private final Set<Integer> ownPids;

  private BlockersGate(Connection watch, Map<Long, Relation> relations, Duration maxAge, Set<Integer> ownPids) {
    this.watch = watch;
    this.relations = relations;
    this.maxAge = maxAge;
    this.ownPids = Set.copyOf(ownPids);
  }

  /**
   * Resolves {@code plan} on {@code resolveOn} (the apply session: names resolve through
   * apply_role's search_path; relations that do not exist yet drop out) and watches on
   * {@code watchOn}; {@code ownPids} are this run's own sessions, never blockers.
   */
  public static BlockersGate prepare(Connection resolveOn, Connection watchOn, PlannedLocks plan, Duration maxAge,
      Set<Integer> ownPids) throws SQLException {
    Map<Long, Relation> rels = new LinkedHashMap<>();
    List<PlannedLocks.PlannedLock> locks = plan.locks();
    if (!locks.isEmpty()) {
      try (PreparedStatement ps = resolveOn.prepareStatement(RESOLVE)) {
        ps.setArray(1, resolveOn.createArrayOf("text", locks.stream().map(PlannedLocks.PlannedLock::relation).toArray()));
        ps.setArray(2, resolveOn.createArrayOf("text", locks.stream().map(l -> l.mode().pgName()).toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            LockMode m = LockMode.fromPgName(rs.getString(3)).orElseThrow();
            rels.merge(rs.getLong(1), new Relation(rs.getLong(1), rs.getString(2), m),
                (a, b) -> new Relation(a.oid(), a.name(), LockMode.stronger(a.mode(), b.mode())));
          }
        }
      }
    }
    return new BlockersGate(watchOn, rels, maxAge, ownPids);
  }

  /** The relations watched, as the report lists them: {@code public.t: AccessExclusiveLock}. */
  public List<String> relations() {
    return relations.values().stream().map(r -> r.name() + ": " + r.mode().pgName()).toList();
  }

  /** One look. */
  public List<Blocker> scan() throws SQLException {
    if (relations.isEmpty()) {
      return List.of();
    }
    Map<Integer, Found> found = new LinkedHashMap<>();
    try (PreparedStatement ps = watch.prepareStatement(SCAN)) {
      ps.setArray(1, watch.createArrayOf("int8", relations.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int pid = rs.getInt(1);
          if (ownPids.contains(pid) || "autovacuum worker".equals(rs.getString(11))) {
            continue;
          }
          Relation rel = relations.get(rs.getLong(9));
          Optional<LockMode> held = LockMode.fromPgName(rs.getString(7));
          boolean granted = rs.getBoolean(8);
          String state = rs.getString(5);
          long age = rs.getLong(6);
          Long ageMs = rs.wasNull() ? null : age;
          boolean conflicts = held.isPresent() && held.get().conflictsWith(rel.mode());
          Reason reason = conflicts && granted ? Reason.HOLDS_CONFLICTING_LOCK
              : conflicts ? Reason.AWAITS_CONFLICTING_LOCK
              : !granted ? null
              : state != null && state.startsWith("idle in transaction") ? Reason.IDLE_IN_TRANSACTION
              : maxAge.isZero() || ageMs != null && ageMs >= maxAge.toMillis() ? Reason.OLD_TRANSACTION
              : null;
          if (reason == null) {
            continue;
          }
          String lock = rs.getString(7) + " on " + rel.name() + (granted ? "" : " (waiting)");
          Found f = found.get(pid);
          if (f == null) {
            found.put(pid, new Found(pid, rs.getString(2), rs.getString(3), rs.getString(4), state, ageMs, reason,
                new ArrayList<>(List.of(lock)), rs.getString(10)));
          } else {
            f.locks.add(lock);
            if (reason.compareTo(f.reason) < 0) {
              f.reason = reason;
            }
          }
        }
      }
    }
    return found.values().stream().map(Found::blocker).toList();
  }

  /**
   * Looks until nobody is in the way or {@code wait} has passed (zero: one look), every
   * {@link #POLL}.
   */
  public Scan await(Duration wait) throws SQLException {
    long start = System.nanoTime();
    long deadline = start + Math.max(0, wait.toNanos());
    while (true) {
      List<Blocker> b = scan();
      long now = System.nanoTime();
      if (b.isEmpty() || now >= deadline) {
        return new Scan(b, (now - start) / 1_000_000);
      }
      try {
        Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), (deadline - now) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Scan(b, (System.nanoTime() - start) / 1_000_000);
      }
    }
  }

  /**
   * Session {@code pid} as a blocker for {@code reason} with {@code lock} (e.g. the earlier
   * run's change session that holds the change key); empty once it has gone.
   */
  public static Optional<Blocker> session(Connection c, int pid, Reason reason, String lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select a.pid, a.usename, a.application_name,"
        + " pg_catalog.host(a.client_addr), a.state,"
        + " (extract(epoch from (pg_catalog.clock_timestamp() - a.xact_start)) * 1000)::bigint, a.query"
        + " from pg_catalog.pg_stat_activity a where a.pid = ?")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long age = rs.getLong(6);
        Long ageMs = rs.wasNull() ? null : age;
        return Optional.of(blocker(pid, rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), ageMs, reason,
            lock, rs.getString(7)));
      }
    }
  }

  /** This session's backend pid. */
  public static int pidOf(Connection c) throws SQLException {
    try {
      return c.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    } catch (SQLException e) {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select pg_catalog.pg_backend_pid()")) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The run id an application_name set by cutter carries ({@code cutter <purpose> <run-id>}), "unknown" without one; null when not cutter's. */
  static String cutterRun(String applicationName) {
    if (applicationName == null || !applicationName.startsWith("cutter ")) {
      return null;
    }
    String last = applicationName.substring(applicationName.lastIndexOf(' ') + 1);
    return RunIds.isValid(last) ? last : "unknown";
  }

  static Blocker blocker(int pid, String user, String app, String addr, String state, Long ageMs, Reason reason,
      String lock, String query) {
    String run = cutterRun(app);
    String end = "select pg_cancel_backend(" + pid + ") ends its statement, select pg_terminate_backend(" + pid
        + ") its session";
    String advice = run != null
        ? "a session of an earlier cutter run (" + run + "); its client may be gone while the server runs its statement"
            + " on: wait for it (--lock-wait), or, once sure that run is dead, end it: " + end
        : reason == Reason.IDLE_IN_TRANSACTION
            ? "idle in a transaction that keeps its locks until it ends: ask its owner to COMMIT or ROLLBACK, or end it: "
                + "select pg_terminate_backend(" + pid + ")"
            : "wait for it to finish (--lock-wait), or end it: " + end;
    return new Blocker(pid, user, app, addr == null ? "local" : addr, state, ageMs, reason, lock,
        QueryText.masked(query), run, advice);
  }

  /** One line per blocker for a gate's message. */
  public static String describe(List<Blocker> blockers) {
    List<String> parts = new ArrayList<>();
    for (Blocker b : blockers) {
      parts.add("pid " + b.pid() + " (" + (b.cutterRun() != null ? "earlier cutter run " + b.cutterRun() + ", " : "")
          + "user " + b.user() + ", application '" + b.applicationName() + "', " + b.state() + ", "
          + b.reason().yamlName().replace('_', ' ') + ": " + b.lock() + ")");
    }
    return String.join("; ", parts);
  }

  private static final class Found {
    final int pid;
    final String user;
    final String app;
    final String addr;
    final String state;
    final Long ageMs;
    Reason reason;
    final List<String> locks;
    final String query;

    Found(int pid, String user, String app, String addr, String state, Long ageMs, Reason reason, List<String> locks,
        String query) {
      this.pid = pid;
      this.user = user;
      this.app = app;
      this.addr = addr;
      this.state = state;
      this.ageMs = ageMs;
      this.reason = reason;
      this.locks = locks;
      this.query = query;
    }

    Blocker blocker() {
      return BlockersGate.blocker(pid, user, app, addr, state, ageMs, reason, String.join(", ", locks), query);
    }
  }
}

package dev.cutter.core.lock;

import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.ExecStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Measures a rehearsal's lock plan. After a statement ({@link #after}) one query on the
 * rehearsal's own session returns the relation locks it newly holds: {@code pg_locks} of this
 * backend (granted, relation locks of this database) less those already seen, which the session
 * keeps in a transaction-local setting named {@value #SEEN} and a random suffix (no table is
 * created), joined to
 * {@code pg_class} for the relations' names, kinds and relfilenodes in the transaction's own view,
 * so that relations created by the change are named too. The client keeps the same set, so a
 * statement that resets the setting makes locks look new to the server, never to the plan.
 *
 * <p>Not after every statement: that query copies the server's whole lock table, which the
 * change's own locks fill, so measuring every statement costs the square of their number. A
 * statement that names only relations the script created before it ({@link CreatedOnly}) runs
 * unmeasured; the statements since the last measurement form a window, measured right before the
 * next statement that may lock what existed (which is then measured alone), or at {@link #finish}.
 * Locks are held until the transaction ends, so a window's measurement sees every lock its
 * statements took; the plan gives them to the window ({@link LockPlan.StatementLocks#through}), never
 * to one of its statements. At most {@link #MEASURED_UP_TO} measurements are made; the statements
 * after are one window, measured at the end.
 *
 * <p>Locks on {@code pg_catalog}, {@code information_schema} and TOAST relations are left out:
 * they include the recording query's own ({@code pg_locks}, {@code pg_class}, {@code pg_namespace}
 * and their indexes), and a TOAST relation is locked with its table. At the end, still inside the
 * transaction, {@link #finish} reads each locked relation's size and final relfilenode on the
 * session under a savepoint (locks taken then are never recorded: no statement follows; an error
 * there leaves the plan incomplete, never the transaction aborted), and the committed catalog
 * on another session, which never sees the rehearsal's uncommitted work: a relation whose oid is
 * there existed before the change, under that name and relfilenode.
 */
public final class LockPlanRecorder implements ApplyEngine.WindowedObserver {

  /**
   * The prefix of the transaction-local setting holding the server's copy of the seen set
   * (relation oid * 8 + mode); each recorder adds a random suffix, so that a statement cannot
   * name it by chance.
   */
  public static final String SEEN = "cutter.lock_plan_seen_";

  private static final String MODES = "'{" + java.util.Arrays.stream(LockMode.values()).map(LockMode::pgName)
      .collect(Collectors.joining(",")) + "}'::pg_catalog.text[]";

  /*
   * The rehearsal's session keeps apply_role's search_path, which may name a schema of apply_role's
   * before pg_catalog: every operator and type of the queries on it is the catalog's by name
   * (NULLIF too looks its = up by the path, so a CASE stands for it).
   */

  private static String newLocks(String seen) {
    String setting = "pg_catalog.current_setting('" + seen + "', true)";
    return "with held as materialized ("
      + "select l.relation::pg_catalog.int8 operator(pg_catalog.*) 8 operator(pg_catalog.+) pg_catalog.array_position("
      + MODES + ", l.mode) operator(pg_catalog.-) 1 as k"
      + " from pg_catalog.pg_locks l"
      + " where l.locktype operator(pg_catalog.=) 'relation' and l.pid operator(pg_catalog.=) pg_catalog.pg_backend_pid()"
      + " and l.granted and l.database operator(pg_catalog.=) (select d.oid from pg_catalog.pg_database d"
      + " where d.datname operator(pg_catalog.=) pg_catalog.current_database())),"
      + " fresh as materialized (select k from held where k is not null except select pg_catalog.unnest("
      + "pg_catalog.string_to_array(" + setting + ", ',')::pg_catalog.int8[])),"
      + " mark as materialized (select pg_catalog.set_config('" + seen + "', pg_catalog.concat_ws(',',"
      + " case when " + setting + " operator(pg_catalog.=) '' then null else " + setting + " end,"
      + " pg_catalog.string_agg(f.k::pg_catalog.text, ',')), true)"
      + " from fresh f)"
      + " select f.k operator(pg_catalog.>>) 3, (f.k operator(pg_catalog.&) 7)::pg_catalog.int4, n.nspname, c.relname,"
      + " c.relkind::pg_catalog.text, c.relfilenode::pg_catalog.int8"
      + " from fresh f cross join mark m"
      + " left join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) (f.k operator(pg_catalog.>>) 3)::pg_catalog.oid"
      + " left join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace";
  }

  private static final String IN_SESSION = "select o.oid::pg_catalog.int8, pg_catalog.pg_relation_size(o.oid),"
      + " c.reltuples::pg_catalog.float8, c.relfilenode::pg_catalog.int8, n.nspname, c.relname, c.relkind::pg_catalog.text"
      + " from pg_catalog.unnest(?::pg_catalog.oid[]) o(oid) join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) o.oid"
      + " join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace";

  private static final String COMMITTED = "select c.oid::pg_catalog.int8, n.nspname, c.relname, c.relkind::pg_catalog.text,"
      + " c.relfilenode::pg_catalog.int8, c.reltuples::pg_catalog.float8 from pg_catalog.pg_class c"
      + " join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace"
      + " where c.oid operator(pg_catalog.=) any(?::pg_catalog.oid[])";

  private static final Set<String> LEFT_OUT = Set.of("pg_catalog", "information_schema", "pg_toast");

  /** What the session showed of one relation. */
  private static final class Rel {
    final long oid;
    String name;
    String kind;
    Long lastFilenode;
    /** From the end of the rehearsal, on the session. */
    Long sizeBytes;
    Double rowsAfter;
    Long finalFilenode;
    /** From the committed catalog: non-null when it existed before the change. */
    String beforeName;
    String beforeKind;
    Long beforeFilenode;
    Double rowsBefore;
    /**
     * A relation left out after all: the change dropped it, so the session could not name it when
     * its lock was seen, and the committed catalog shows it in pg_catalog or a TOAST schema.
     */
    boolean leftOut;

    Rel(long oid) {
      this.oid = oid;
    }

    boolean preExisting() {
      return beforeName != null;
    }

    String display() {
      return beforeName != null ? beforeName : name != null ? name : "oid " + oid;
    }
  }

  /** A lock as first seen: after which statement, and the relfilenodes before (null: first sighting) and then. */
  private record Seen(long oid, LockMode mode, Long previousFilenode, Long filenode) {}

  /**
   * A statement that ran; {@code from} is the position in {@link #ran} of the first statement of the
   * window its locks were measured after (its own when measured alone), -1 when none was measured after it.
   */
  private record Ran(ExecStatement statement, long micros, List<Seen> locks, int from) {}

  private final LockPlan.Source source;
  private final String file;
  private final int total;
  private final Set<Long> seen = new HashSet<>();
  private final Map<Long, Rel> rels = new LinkedHashMap<>();
  private final List<Ran> ran = new ArrayList<>();
  private final String newLocks = newLocks(SEEN + Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36));
  /** The statement indexes after which a measurement is due. */
  private final Set<Integer> measureAfter = new HashSet<>();
  private PreparedStatement query;
  private String problem;
  private boolean finished;
  /** Position in {@link #ran} of the first statement not measured yet; -1 when all are. */
  private int pending = -1;
  private int measurements;
  /** The first statement whose measurement the limit ({@link #MEASURED_UP_TO}) put off to the end; null when none. */
  private ExecStatement capped;
  /** The statements that ran after the last measurement of a run that then failed: their locks were not read. */
  private String lost;

  /**
   * The most measurements a rehearsal makes. Each reads the server's whole lock table, which the
   * change's own locks fill, so their cost grows with the square of the statements measured
   * (docs/performance.md, "Lock-plan recording"): past this many, the remaining statements are
   * measured together at the end, and the plan says so.
   */
  public static final int MEASURED_UP_TO = 1000;

  /**
   * Measures {@code statements} (the script the rehearsal runs, in order). A statement that names
   * only relations the script created ({@link CreatedOnly}) is not measured right after it: its
   * locks are read with those of the statements around it, at the next measurement, which comes
   * right before the next statement that is measured alone, or at the end ({@link #finish}).
   */
  public LockPlanRecorder(LockPlan.Source source, String file, List<ExecStatement> statements) {
    this(source, file, statements, false);
  }

  /** {@code everyStatement}: measure after every statement, as if none named only created relations (tests). */
  LockPlanRecorder(LockPlan.Source source, String file, List<ExecStatement> statements, boolean everyStatement) {
    this.source = source;
    this.file = file;
    this.total = statements.size();
    boolean[] createdOnly = everyStatement ? new boolean[total] : CreatedOnly.of(statements);
    for (int k = 0; k < total; k++) {
      // alone when it may lock what existed; also right before such a statement, closing a window
      if (!createdOnly[k] || (k + 1 < total && !createdOnly[k + 1])) {
        measureAfter.add(statements.get(k).index());
      }
    }
  }

  /** How many times the lock table was read during the statements (tests). */
  int measurements() {
    return measurements;
  }

  /** Statement index of the locks taken at BEGIN, before the first statement (apply's re-check). */
  public static final int AT_BEGIN = 0;

  /**
   * Records the locks the session holds before the first statement (those apply's re-check at
   * BEGIN took) as taken at BEGIN: statement {@value #AT_BEGIN}, held for every statement.
   */
  public void atBegin(Connection c) throws SQLException {
    after(c, new ExecStatement(AT_BEGIN, 0, ""), 0);
  }

  /** {@code before} (apply's re-check), then, unless it refused, the locks it left held recorded {@link #atBegin}. */
  public ApplyEngine.BeforeFirstStatement thenAtBegin(ApplyEngine.BeforeFirstStatement before) {
    return c -> {
      java.util.Optional<ApplyEngine.Refusal> refused = before.check(c);
      if (refused.isEmpty()) {
        atBegin(c);
      }
      return refused;
    };
  }

  /**
   * True for the statements a measurement follows: the engine sends nothing after one of them
   * before {@link #after} has read the lock table, and may pipeline the statements in between.
   */
  @Override
  public boolean observes(ExecStatement s) {
    return s.index() == AT_BEGIN || (measureAfter.contains(s.index()) && measurements < MEASURED_UP_TO);
  }

  @Override
  public void after(Connection c, ExecStatement s, long nanos) throws SQLException {
    ran.add(new Ran(s, nanos / 1000, List.of(), -1));
    if (pending < 0) {
      pending = ran.size() - 1;
    }
    if (s.index() == AT_BEGIN || measureAfter.contains(s.index())) {
      if (measurements < MEASURED_UP_TO) {
        measure(c);
      } else if (capped == null) {
        capped = ran.get(pending).statement();
      }
    }
  }

  /** Reads the locks new since the last measurement and gives them to the statements since then. */
  private void measure(Connection c) throws SQLException {
    if (query == null) {
      query = c.prepareStatement(newLocks);
    }
    measurements++;
    List<Seen> locks = new ArrayList<>();
    Map<Rel, Long> now = new HashMap<>();
    try (ResultSet rs = query.executeQuery()) {
      while (rs.next()) {
        long oid = rs.getLong(1);
        int mode = rs.getInt(2);
        String nsp = rs.getString(3);
        if (!seen.add(oid * 8 + mode) || (nsp != null && (LEFT_OUT.contains(nsp) || nsp.startsWith("pg_toast")))) {
          continue;
        }
        Rel r = rels.computeIfAbsent(oid, Rel::new);
        if (nsp != null) {
          r.name = qualified(nsp, rs.getString(4));
          r.kind = rs.getString(5);
        }
        long fn = rs.getLong(6);
        Long filenode = rs.wasNull() ? null : fn;
        locks.add(new Seen(oid, LockMode.values()[mode], r.lastFilenode, filenode));
        if (filenode != null) {
          now.put(r, filenode);
        }
      }
    }
    // after all of this measurement's rows: each compares with what the session showed before it
    now.forEach((r, filenode) -> r.lastFilenode = filenode);
    int last = ran.size() - 1;
    Ran r = ran.get(last);
    ran.set(last, new Ran(r.statement(), r.micros(), locks, pending));
    pending = -1;
  }

  private String window() {
    ExecStatement first = ran.get(pending).statement();
    ExecStatement last = ran.get(ran.size() - 1).statement();
    return first == last ? "statement " + first.index() : "statements " + first.index() + " to " + last.index();
  }

  /**
   * Ends the measurement inside the rehearsal's transaction, after its last statement: sizes and
   * final relfilenodes on {@code session}, the state before the change from {@code committed}
   * (another session). What cannot be read leaves the plan incomplete, never the rehearsal failed.
   */
  public void finish(Connection session, Connection committed) {
    finished = true;
    // under a savepoint: an error here must not abort the transaction the rehearsal goes on with
    try (Statement sp = session.createStatement()) {
      sp.execute("savepoint cutter_lock_plan");
      try {
        if (pending >= 0) {
          String w = window();
          try {
            measure(session); // the last window, its locks still held
          } catch (SQLException e) {
            throw new SQLException(w + " could not be measured at the end: " + e.getMessage(), e.getSQLState(), e);
          }
        }
        closeQuery();
        if (!rels.isEmpty()) {
          readSession(session, rels.keySet().toArray(Long[]::new));
        }
        sp.execute("release savepoint cutter_lock_plan");
      } catch (SQLException e) {
        problem = "the session could not be read at the end: " + e.getMessage();
        sp.execute("rollback to savepoint cutter_lock_plan");
        sp.execute("release savepoint cutter_lock_plan");
      }
    } catch (SQLException e) {
      problem = "the session could not be read at the end: " + e.getMessage();
    }
    closeQuery();
    if (!rels.isEmpty()) {
      committed(committed, rels.keySet().toArray(Long[]::new));
    }
  }

  private void readSession(Connection session, Long[] oids) throws SQLException {
    try (PreparedStatement ps = session.prepareStatement(IN_SESSION)) {
      ps.setArray(1, session.createArrayOf("int8", oids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Rel r = rels.get(rs.getLong(1));
          long size = rs.getLong(2);
          r.sizeBytes = rs.wasNull() ? null : size;
          r.rowsAfter = rows(rs.getDouble(3), rs.wasNull());
          r.finalFilenode = rs.getLong(4);
          if (r.name == null) {
            r.name = qualified(rs.getString(5), rs.getString(6));
            r.kind = rs.getString(7);
          }
        }
      }
    }
  }

  /**
   * After a failed statement (the transaction is aborted, the session cannot be read): only what
   * existed before the change, from {@code committed}.
   */
  public void finishAfterFailure(Connection committed) {
    closeQuery();
    if (!finished && pending >= 0) {
      String w = window();
      lost = w + " ran after the last measurement, before the failure: "
          + (w.startsWith("statements") ? "their" : "its") + " locks were not read";
    }
    if (!finished && !rels.isEmpty()) {
      committed(committed, rels.keySet().toArray(Long[]::new));
    }
    finished = true;
  }

  private void committed(Connection committed, Long[] oids) {
    if (committed == null) {
      problem = "no session to read the committed catalog: which relations existed before is unknown";
      return;
    }
    try (PreparedStatement ps = committed.prepareStatement(COMMITTED)) {
      ps.setArray(1, committed.createArrayOf("int8", oids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Rel r = rels.get(rs.getLong(1));
          String nsp = rs.getString(2);
          r.leftOut = LEFT_OUT.contains(nsp) || nsp.startsWith("pg_toast");
          r.beforeName = qualified(nsp, rs.getString(3));
          r.beforeKind = rs.getString(4);
          r.beforeFilenode = rs.getLong(5);
          r.rowsBefore = rows(rs.getDouble(6), rs.wasNull());
        }
      }
    } catch (SQLException e) {
      problem = "the committed catalog could not be read: " + e.getMessage();
    }
  }

  private void closeQuery() {
    if (query != null) {
      try {
        query.close();
      } catch (SQLException ignored) {
        // the session is gone or aborted: nothing to free on the server
      }
      query = null;
    }
  }

  /**
   * The note for a plan whose run ended with {@code o}: which statement failed (the plan covers
   * those before it), or null when every statement ran.
   */
  public static String failure(ApplyEngine.Outcome o) {
    return o.error() != null && o.failedIndex() != null && o.failedIndex() > 0
        ? "statement " + o.failedIndex() + " (line " + o.failedLine() + ") failed: the plan covers the statements before it"
        : null;
  }

  /** The plan so far; {@code failure} says why the rehearsal stopped early (null when every statement ran). */
  public LockPlan plan(String failure) {
    List<LockPlan.StatementLocks> per = new ArrayList<>();
    Map<Long, LockMode> strongest = new HashMap<>();
    Map<Long, Integer> takenAt = new HashMap<>();
    Map<Long, Integer> takenThrough = new HashMap<>();
    Map<Long, Boolean> rewrittenBy = new HashMap<>();
    for (int i = 0; i < ran.size(); i++) {
      Ran r = ran.get(i);
      if (r.locks().isEmpty()) {
        continue; // a statement that took no new lock is not listed
      }
      List<MeasuredLock> locks = new ArrayList<>();
      for (Seen s : r.locks()) {
        Rel rel = rels.get(s.oid());
        if (rel.leftOut) {
          continue;
        }
        Long before = s.previousFilenode() != null ? s.previousFilenode() : rel.beforeFilenode;
        boolean rewritten = before != null && s.filenode() != null && !before.equals(s.filenode());
        locks.add(new MeasuredLock(rel.display(), kind(rel), s.mode(), rel.preExisting(), rel.sizeBytes,
            rel.preExisting() ? rel.rowsBefore : rel.rowsAfter, rewritten));
        if (rewritten) {
          rewrittenBy.put(s.oid(), true);
        }
        LockMode had = strongest.get(s.oid());
        if (had == null || s.mode().isStrongerThan(had)) {
          strongest.put(s.oid(), s.mode());
          takenAt.put(s.oid(), r.from());
          takenThrough.put(s.oid(), i);
        }
      }
      if (locks.isEmpty()) {
        continue; // only locks on relations left out (a dropped TOAST table)
      }
      // pg_locks lists in no fixed order: a report lists them by relation, then mode
      locks.sort(java.util.Comparator.comparing(MeasuredLock::relation).thenComparing(l -> l.mode().ordinal()));
      ExecStatement first = ran.get(r.from()).statement();
      long micros = 0;
      for (int k = r.from(); k <= i; k++) {
        micros += ran.get(k).micros();
      }
      per.add(new LockPlan.StatementLocks(first.index(), first.line(), micros, locks, r.statement().index()));
    }
    long[] tail = new long[ran.size() + 1];
    int[] after = new int[ran.size() + 1];
    for (int i = ran.size() - 1; i >= 0; i--) {
      tail[i] = tail[i + 1] + ran.get(i).micros();
      after[i] = after[i + 1] + (ran.get(i).statement().index() == AT_BEGIN ? 0 : 1);
    }
    List<LockPlan.RelationHold> summary = new ArrayList<>();
    for (Rel rel : rels.values()) {
      if (rel.leftOut || !rel.preExisting() || !strongest.containsKey(rel.oid)) {
        continue;
      }
      int at = takenAt.get(rel.oid);
      ExecStatement s = ran.get(at).statement();
      boolean rewritten = rel.finalFilenode != null ? !rel.finalFilenode.equals(rel.beforeFilenode)
          : rewrittenBy.getOrDefault(rel.oid, false);
      summary.add(new LockPlan.RelationHold(rel.display(), kind(rel), strongest.get(rel.oid), s.index(), s.line(),
          after[at], tail[at], rel.sizeBytes, rel.rowsBefore, rewritten,
          ran.get(takenThrough.get(rel.oid)).statement().index()));
    }
    summary.sort(java.util.Comparator.comparingInt(LockPlan.RelationHold::takenAt)
        .thenComparing(h -> -h.strongest().ordinal()).thenComparing(LockPlan.RelationHold::relation));
    List<String> notes = new ArrayList<>();
    if (failure != null) {
      notes.add(failure);
    }
    if (lost != null) {
      notes.add(lost);
    }
    if (problem != null) {
      notes.add(problem);
    }
    if (capped != null) {
      notes.add("statements from " + capped.index() + " on were measured together at the end: a rehearsal reads"
          + " the lock table at most " + MEASURED_UP_TO + " times");
    }
    String note = notes.isEmpty() ? null : String.join("; ", notes);
    return new LockPlan(source, file, total, after[0], failure == null && problem == null && finished, note, per,
        summary);
  }

  private static String kind(Rel r) {
    return r.beforeKind != null ? r.beforeKind : r.kind;
  }

  private static Double rows(double v, boolean wasNull) {
    return wasNull || v < 0 ? null : v;
  }

  private static String qualified(String schema, String name) {
    return dev.cutter.core.catalog.Identifiers.quote(schema) + "." + dev.cutter.core.catalog.Identifiers.quote(name);
  }
}

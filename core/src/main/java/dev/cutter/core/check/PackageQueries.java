package dev.cutter.core.check;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.Sql;
import dev.cutter.core.exec.RoleSwitch;
import dev.cutter.core.sql.CheckQuery;
import dev.cutter.core.cause.Cause;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.CachedQuery;

/**
 * Runs SQL text that comes from a package (a {@code sql} check in P1, verify or a rollback
 * precondition) as a check: one query, in a READ ONLY transaction that is rolled back, as
 * apply_role, with search_path {@code pg_catalog, pg_temp}. The layers, each of which holds on
 * its own:
 *
 * <ol>
 *   <li>the text is exactly one query ({@link CheckQuery}, also enforced when the package loads);
 *   <li>the driver would send it as one statement, over the extended query protocol, where the
 *       server refuses a message with more than one command: nothing can follow the query to end
 *       its transaction;
 *   <li>the session is READ ONLY and never runs as a role with more rights than apply_role: it is
 *       authenticated as apply_role, or reached by SET ROLE from a login role that holds nothing
 *       apply_role lacks, so a function call that resets the role ({@code set_config('role', …)})
 *       leads nowhere new; a view apply_role planted that calls an invoker's-rights function runs
 *       it with apply_role's rights, never the operator's;
 *   <li>after the query, the transaction is proven to be the same one: read-only, no
 *       transaction id assigned (nothing written), current_user still apply_role.
 * </ol>
 * Sessions open on first use and are reused by later checks of the same run (one per thread at
 * most); each is closed by {@link #close}. {@link #onSession} runs on a session the caller owns.
 */
public final class PackageQueries implements AutoCloseable {

  /** Reads the query's result. */
  @FunctionalInterface
  public interface Rows<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static final String SEARCH_PATH = "set search_path = pg_catalog, pg_temp";

  /**
   * Where the session stands, before and after the query: its transaction id, read-only flag,
   * current_user, the advisory locks it holds ({@code classid objid objsubid mode} each, as
   * pg_locks shows them, session-level and transaction-level alike), and its prepared statements
   * ({@code name t} for one SQL's PREPARE made, {@code name f} for the driver's own).
   */
  private static final String STATE = "select pg_catalog.txid_current_if_assigned()::pg_catalog.text,"
      + " pg_catalog.current_setting('transaction_read_only'), current_user,"
      + " (select pg_catalog.array_agg(pg_catalog.concat_ws(' ', l.classid, l.objid, l.objsubid, l.mode))"
      + "   from pg_catalog.pg_locks l where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid()),"
      + " (select pg_catalog.array_agg(pg_catalog.concat_ws(' ', p.name, p.from_sql)) from pg_catalog.pg_prepared_statements p)";

  /**
   * A foreign-data wrapper ({@code w}) of postgres_fdw: by its name, or by its handler, postgres_fdw's
   * code under whatever name a wrapper gives it.
   */
  private static final String POSTGRES_FDW = "(w.fdwname = 'postgres_fdw' or exists (select from pg_catalog.pg_proc h"
      + " where h.oid = w.fdwhandler and h.probin ~ '(^|/)postgres_fdw(\\.so)?$'))";

  /**
   * The roles whose rights a query of current_user's can use, and the first hop that led there
   * ({@code via}, null for current_user and the roles it is a member of). {@code acts}: code runs
   * as the role (current_user, a role it is a member of, the owner of a SECURITY DEFINER function
   * it may execute, and so on from those); otherwise the role owns a view it may read (or a view
   * such an owner may read), whose relations, foreign tables among them, are read with that
   * owner's rights and user mapping. cutter's own journal functions are left out: their code is
   * fixed and opens nothing. The catalog's own views are left out too.
   */
  private static final String REACH = "with recursive definer as materialized ("
      + " select p.oid, p.proowner from pg_catalog.pg_proc p where p.prosecdef"
      + "  and not (p.proname = any (array['record_commit', 'finish_run', 'record_rollback', 'record_phase']::pg_catalog.name[])"
      + "   and exists (select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
      + "    where n.nspname = 'cutter' and c.relname = 'journal' and c.relkind = 'r'"
      + "     and p.pronamespace = n.oid and p.proowner = c.relowner))),"
      // views matter only for user mappings: none are followed where postgres_fdw has none
      + " view as materialized ("
      + " select c.oid, c.relowner from pg_catalog.pg_class c where c.relkind = 'v'"
      + "  and c.relnamespace <> all (array['pg_catalog'::pg_catalog.regnamespace,"
      + "   'information_schema'::pg_catalog.regnamespace]::pg_catalog.oid[])"
      + "  and exists (select from pg_catalog.pg_user_mappings m join pg_catalog.pg_foreign_server s on s.oid = m.srvid"
      + "   join pg_catalog.pg_foreign_data_wrapper w on w.oid = s.srvfdw where " + POSTGRES_FDW + ")),"
      // the roles owning SECURITY DEFINER functions: an edge leads to an owner, not to each of its
      // functions, so that the walk below stays as small as the roles (not roles times functions)
      + " owner as materialized (select distinct d.proowner as o from definer d),"
      // hop: the owner of the first SECURITY DEFINER function on the way (0 while none was taken)
      + " walk(r, acts, hop) as ("
      + " select r.oid, true, 0::pg_catalog.oid from pg_catalog.pg_roles r where r.rolname = current_user"
      + " union"
      + " select e.r, e.acts, case when walk.hop = 0 and e.definer then e.r else walk.hop end from walk cross join lateral ("
      + "   select m.roleid, true, false from pg_catalog.pg_auth_members m"
      + "    where walk.acts and m.member = walk.r"
      + "   union all"
      + "   select o.o, true, true from owner o where walk.acts and o.o <> walk.r"
      + "    and exists (select from definer d where d.proowner = o.o"
      + "     and pg_catalog.has_function_privilege(walk.r, d.oid, 'EXECUTE'))"
      + "   union all"
      + "   select v.relowner, false, false from view v"
      + "    where v.relowner <> walk.r and pg_catalog.has_any_column_privilege(walk.r, v.oid, 'SELECT')"
      + " ) e(r, acts, definer)),"
      // the first hop's function: of that owner's, the first (by name) that a role reached without one may execute
      + " hop(o, via) as (select h.hop, (select pg_catalog.min(d.oid::pg_catalog.regprocedure::pg_catalog.text)"
      + "   from definer d where d.proowner = h.hop and exists (select from walk w where w.hop = 0 and w.acts"
      + "    and pg_catalog.has_function_privilege(w.r, d.oid, 'EXECUTE')))"
      + "  from (select distinct w.hop from walk w where w.hop <> 0) h),"
      + " reach(r, acts, via) as materialized (select w.r, w.acts, hop.via from walk w left join hop on hop.o = w.hop),"
      // dblink's connecting code by its library and symbol: the extension's functions, and the same code
      // declared outside it (a dump from before extensions, a function made by hand under another name)
      + " opener as materialized (select p.oid from pg_catalog.pg_proc p where p.probin ~ '(^|/)dblink(\\.so)?$'"
      + "  and p.prosrc in ('dblink_record', 'dblink_exec', 'dblink_connect', 'dblink_send_query', 'dblink_open')),"
      // functions that write a server's file once EXECUTE on them is granted: lo_export, adminpack's
      + " writer as materialized (select f.oid from pg_catalog.pg_proc f"
      + "  where f.oid = 'pg_catalog.lo_export(pg_catalog.oid, pg_catalog.text)'::pg_catalog.regprocedure"
      + "   or f.probin ~ '(^|/)adminpack(\\.so)?$' and f.prosrc <> 'pg_logdir_ls_v1_1') ";

  /**
   * {@link #STATE}, and the first function of the {@code dblink} extension that opens a session of
   * its own and that current_user, or a role whose code it can run ({@link #REACH}), may execute
   * (named by the SECURITY DEFINER function that leads there, if any; null when none): that session
   * is not read-only and commits on its own, so a query that can reach it cannot be kept from
   * writing.
   */
  private static final String STATE_BEFORE = REACH + STATE + ","
      + " (select coalesce(x.via, p.oid::pg_catalog.regprocedure::pg_catalog.text) from opener p"
      + "   join reach x on x.acts"
      + "  where pg_catalog.has_function_privilege(x.r, p.oid, 'EXECUTE')"
      + "  order by x.via is not null, 1 limit 1),"
      // a foreign server of postgres_fdw that current_user, or a role whose rights its query can use,
      // has a user mapping for (PUBLIC's counts for all): a foreign table of it is read through a
      // session of its own, not read-only on 15 and earlier
      + " (select s.srvname::pg_catalog.text from pg_catalog.pg_foreign_server s"
      + "   join pg_catalog.pg_foreign_data_wrapper w on w.oid = s.srvfdw"
      + "   join pg_catalog.pg_user_mappings m on m.srvid = s.oid"
      + "  where " + POSTGRES_FDW
      + "    and (m.umuser = 0 or m.umuser in (select x.r from reach x))"
      + "  order by 1 limit 1),"
      // a role whose code current_user runs (a SECURITY DEFINER function's owner, a role it is a member
      // of) that is a superuser or may write the server's files or run its programs: COPY … TO a file
      // or PROGRAM in a read-only transaction writes outside the database; and (current_user too,
      // unless a superuser) a REPLICATION role, whose replication slot stays after the rollback and
      // holds the server's WAL, or a role granted EXECUTE on lo_export or adminpack's file functions
      + " (select coalesce(x.via, r.rolname::pg_catalog.text) from reach x join pg_catalog.pg_roles r on r.oid = x.r"
      + "  where x.acts and (r.rolname <> current_user"
      + "    and (r.rolsuper or r.rolname in ('pg_write_server_files', 'pg_execute_server_program'))"
      + "   or not r.rolsuper and (r.rolreplication or exists (select from writer f"
      + "    where pg_catalog.has_function_privilege(x.r, f.oid, 'EXECUTE'))))"
      + "  order by x.via is not null, 1 limit 1),"
      // pg_logical_emit_message's code (by its symbol, under any name) that a role whose code current_user runs
      // may execute, while this database has a logical replication slot: a message emitted outside the
      // transaction is in the WAL at once, read-only or not, and its consumer gets it after the rollback
      + " (select array[coalesce(x.via, f.oid::pg_catalog.regprocedure::pg_catalog.text), s.slot_name::pg_catalog.text]"
      + "   from pg_catalog.pg_replication_slots s cross join pg_catalog.pg_proc f join reach x on x.acts"
      + "  where s.slot_type = 'logical' and s.database = pg_catalog.current_database()"
      + "   and f.prolang = (select l.oid from pg_catalog.pg_language l where l.lanname = 'internal')"
      + "   and f.prosrc in ('pg_logical_emit_message_text', 'pg_logical_emit_message_bytea')"
      + "   and pg_catalog.has_function_privilege(x.r, f.oid, 'EXECUTE')"
      + "  order by x.via is not null, x.via, f.oid, s.slot_name limit 1)";

  private final TargetAccess access;
  private final String role;
  private final String purpose;
  private final Connection session;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final List<Connection> opened = new ArrayList<>();
  private boolean closed;

  /** Sessions as {@code role} (apply_role) on {@code access}'s target; none is opened yet. */
  public PackageQueries(TargetAccess access, String role, String purpose) {
    this(access, role, purpose, null);
  }

  private PackageQueries(TargetAccess access, String role, String purpose, Connection session) {
    this.access = access;
    this.role = role;
    this.purpose = purpose;
    this.session = session;
  }

  /**
   * Queries on a session the caller owns and that already runs as {@code role} (the apply
   * session re-checking a fact inside its transaction): nothing is opened, committed or rolled
   * back here; a session not running as {@code role} is refused before anything is sent.
   */
  public static PackageQueries onSession(Connection session, String role) {
    return new PackageQueries(null, role, null, session);
  }

  /**
   * Runs {@code sql} as a check and hands its result to {@code rows}. A text that is not one
   * query, or a query that left its transaction, is a {@link CutterException}; a database error
   * is the {@link SQLException}.
   */
  public <T> T run(String sql, Rows<T> rows) throws SQLException {
    CheckQuery.Verdict v = CheckQuery.examine(sql);
    if (v instanceof CheckQuery.Refused r) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: " + r.message(), null, new Cause.InvalidCheck(null));
    }
    return send(((CheckQuery.Query) v).text(), rows);
  }

  /** Sends one statement's text; the layers below the syntax check. */
  <T> T send(String text, Rows<T> rows) throws SQLException {
    if (session != null) {
      return execute(session, text, rows, false);
    }
    Connection c = borrow();
    boolean reusable = false;
    try {
      try (Statement st = c.createStatement()) {
        st.execute("set transaction read only");
        st.execute("set local statement_timeout = '" + CheckPool.STATEMENT_TIMEOUT.toMillis() + "ms'");
        st.execute(CheckPool.SEARCH_PATH);
      }
      T out;
      try {
        out = execute(c, text, rows, true);
      } catch (SQLException e) {
        // the query's own error: the rollback below leaves the session clean, but for a lock taken for the
        // session before the error (this session holds none of its own)
        // and for the driver's own prepared statements, which a query may have deallocated (then 26000 follows)
        reusable = !"26000".equals(e.getSQLState()) && rollback(c) && unlockAll(c);
        throw e;
      }
      reusable = true;
      return out;
    } finally {
      // a query that left its session (or a lost connection) closes it: never reused
      giveBack(c, rollback(c) && reusable);
    }
  }

  /**
   * Where the session stands: transaction id (null before any write), read-only, current_user;
   * before the query also a function that opens another session, if current_user may run one, a
   * foreign server of postgres_fdw it has a user mapping for, and a SECURITY DEFINER function (or a
   * role) through which its code may write the server's files.
   */
  private record State(String xid, String readOnly, String user, java.util.Set<String> advisoryLocks,
      java.util.Set<String> prepared, String opensSessions, String foreignServer, String writesFiles, String[] emitsMessages) {}

  private static State state(Connection c) throws SQLException {
    return state(c, false);
  }

  /**
   * {@link #state(Connection, boolean)} read with the catalog's names only on a session whose
   * search_path is the caller's (the apply session's at BEGIN is apply_role's, which may put
   * apply_role's own operators before the catalog's and so blind the look), then given back.
   */
  private static State pinnedState(Connection c, boolean before) throws SQLException {
    String path;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('search_path')")) {
      rs.next();
      path = rs.getString(1);
    }
    boolean local = !c.getAutoCommit();
    setSearchPath(c, "pg_catalog, pg_temp", local);
    try {
      return state(c, before);
    } finally {
      setSearchPath(c, path, local);
    }
  }

  private static void setSearchPath(Connection c, String path, boolean local) throws SQLException {
    try (java.sql.PreparedStatement ps = c.prepareStatement("select pg_catalog.set_config('search_path', ?, ?)")) {
      ps.setString(1, path);
      ps.setBoolean(2, local);
      ps.executeQuery().close();
    }
  }

  /** {@code before}: also what the session could open another session through ({@link #STATE_BEFORE}). */
  private static State state(Connection c, boolean before) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(before ? STATE_BEFORE : STATE)) {
      rs.next();
      java.sql.Array emits = before ? rs.getArray(9) : null;
      return new State(rs.getString(1), rs.getString(2), rs.getString(3), set(rs.getArray(4)), set(rs.getArray(5)),
          before ? rs.getString(6) : null, before ? rs.getString(7) : null, before ? rs.getString(8) : null,
          emits == null ? null : (String[]) emits.getArray());
    }
  }

  private static java.util.Set<String> set(java.sql.Array a) throws SQLException {
    return a == null ? java.util.Set.of() : new java.util.HashSet<>(java.util.Arrays.asList((String[]) a.getArray()));
  }

  /**
   * Runs the text on {@code c} between two looks at the session: it must run as apply_role
   * before, and after it the transaction must be the same (same transaction id, none if there
   * was none: nothing written), as read-only as before, still as apply_role. On {@code own}
   * sessions the transaction must also be READ ONLY.
   */
  private <T> T execute(Connection c, String text, Rows<T> rows, boolean own) throws SQLException {
    State before = own ? state(c, true) : pinnedState(c, true);
    if (!role.equals(before.user()) || (own && (before.xid() != null || !"on".equals(before.readOnly())))) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: the session runs as " + before.user()
          + (own ? ", read-only " + before.readOnly() : "") + "; package SQL runs only as apply_role " + role, null, new Cause.InvalidCheck(null));
    }
    refuseWaysOut(before, role);
    requireOneStatement(c, text);
    T out;
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.setMaxRows(1);
      try (ResultSet rs = st.executeQuery(text)) {
        out = rows.read(rs);
      }
    }
    State after = own ? state(c) : pinnedState(c, false);
    List<String> wrong = new ArrayList<>();
    if (!java.util.Objects.equals(before.xid(), after.xid())) {
      wrong.add(before.xid() == null ? "it was given a transaction id (it wrote)" : "it ended its transaction");
    }
    if (!before.readOnly().equals(after.readOnly())) {
      wrong.add("its transaction is no longer read-only");
    }
    if (!role.equals(after.user())) {
      wrong.add("it ran on as " + after.user() + ", not " + role);
    }
    java.util.Set<String> taken = new java.util.TreeSet<>(after.advisoryLocks());
    taken.removeAll(before.advisoryLocks());
    if (!taken.isEmpty()) {
      giveBackAdvisoryLocks(c, taken);
      wrong.add("it took an advisory lock (" + String.join(", ", taken) + "), given back: a lock kept for the session"
          + " outlives the rollback and holds that key for the rest of the run");
    }
    // pg_advisory_unlock(_all) is not undone by the rollback either: the apply session's own change key would be gone
    java.util.Set<String> released = new java.util.TreeSet<>(before.advisoryLocks());
    released.removeAll(after.advisoryLocks());
    if (!released.isEmpty()) {
      retakeAdvisoryLocks(c, released);
      wrong.add("it released an advisory lock its session held (" + String.join(", ", released) + "), taken again:"
          + " the unlock outlives the rollback and would leave that key free for another session");
    }
    // PREPARE and DEALLOCATE outlive the rollback: a statement left for the next check, or the driver's taken from it
    boolean prepared = after.prepared().stream().anyMatch(p -> p.endsWith(" t") && !before.prepared().contains(p));
    if (prepared || !after.prepared().containsAll(before.prepared())) {
      wrong.add("it " + (prepared ? "prepared" : "deallocated") + " statements of its session, which outlive the rollback");
    }
    if (!wrong.isEmpty()) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "the check's query left its read-only session: "
          + String.join("; ", wrong), null, new Cause.InvalidCheck(null));
    }
    return out;
  }

  /**
   * Refuses, before the artifact's first statement, a session whose role can reach a session or
   * a file outside its transaction ({@link #STATE_BEFORE}): the rehearsal's rollback would not undo
   * what the artifact does there, and apply would do it again. Read with the catalog's names only;
   * the session's own search_path is given back afterwards.
   */
  public static void refuseWaysOut(Connection c, String role) throws SQLException {
    Connections.pinSearchPath(c);
    State before;
    try {
      before = state(c, true);
    } finally {
      Connections.unpinSearchPath(c);
    }
    refuseWaysOut(before, role);
  }

  /** The refusals of {@link #STATE_BEFORE}'s looks, each with its typed cause. */
  private static void refuseWaysOut(State before, String role) {
    if (before.opensSessions() != null) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: apply_role " + role + " may execute "
          + before.opensSessions() + ", which opens a session of its own that is not read-only (itself, or through"
          + " its owner's right to dblink); revoke EXECUTE on it, or on the dblink extension's functions, from " + role
          + " and PUBLIC", null,
          new Cause.CheckCanOpenSessions(role, before.opensSessions()));
    }
    if (before.foreignServer() != null) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: apply_role " + role + " has a user mapping for the"
          + " foreign server " + before.foreignServer() + " (postgres_fdw), its own, PUBLIC's or one of a role whose"
          + " views or SECURITY DEFINER functions it may use; that server's session is not read-only; drop the"
          + " user mapping, or apply_role's way to that role's code", null,
          new Cause.CheckCanUseForeignServer(role, before.foreignServer()));
    }
    if (before.writesFiles() != null) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: apply_role " + role + " reaches "
          + before.writesFiles() + " (itself, a role it is a member of, or a SECURITY DEFINER function it may execute),"
          + " whose code runs as a superuser, a role that may write the server's files or run its programs (COPY … TO"
          + " a file or PROGRAM, lo_export, adminpack's functions are allowed in a read-only transaction) or a"
          + " REPLICATION role (a replication slot stays after the rollback); revoke EXECUTE on it from " + role
          + " and PUBLIC, or take those rights from the role whose code it runs", null,
          new Cause.CheckCanWriteServerFiles(role, before.writesFiles()));
    }
    if (before.emitsMessages() != null) {
      String route = before.emitsMessages()[0];
      String slot = before.emitsMessages()[1];
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: apply_role " + role + " may execute " + route
          + " (itself, or a SECURITY DEFINER function whose owner may), which writes a logical decoding message to"
          + " the WAL outside the transaction, and the logical replication slot " + slot + " hands it to its consumer"
          + " after the rollback; revoke EXECUTE on pg_logical_emit_message from " + role + " and PUBLIC", null,
          new Cause.CheckCanEmitLogicalMessages(role, route, slot));
    }
  }

  /**
   * Releases the session-level holds of each advisory lock in {@code taken} ({@code classid objid
   * objsubid mode}, as {@link #STATE} reads them), as often as the query took it; a lock the
   * session held before the query is not in {@code taken} and stays (the change key an autocommit
   * apply holds on its session). A transaction-level lock goes with the rollback.
   */
  private static void giveBackAdvisoryLocks(Connection c, java.util.Set<String> taken) throws SQLException {
    for (String lock : taken) {
      dev.cutter.core.exec.AdvisoryLock.releaseEveryHold(c, advisoryCall(lock, "advisory_unlock"));
    }
  }

  /**
   * Takes again, for the session, each advisory lock in {@code released} ({@code classid objid
   * objsubid mode}) that the session held before the query and the query released: only a
   * session-level hold can be released inside a transaction. A key another session took meanwhile
   * stays with it (try, never wait); the check is an ERROR either way.
   */
  private static void retakeAdvisoryLocks(Connection c, java.util.Set<String> released) throws SQLException {
    for (String lock : released) {
      try (Statement st = c.createStatement()) {
        st.executeQuery("select " + advisoryCall(lock, "try_advisory_lock")).close();
      }
    }
  }

  /**
   * The call of {@code pg_<verb>} (its {@code _shared} form for a ShareLock) on the key of {@code lock}
   * ({@code classid objid objsubid mode}, as {@link #STATE} reads it): one int8 (objsubid 1) or two int4.
   */
  private static String advisoryCall(String lock, String verb) {
    String[] f = lock.split(" ");
    long classid = Long.parseLong(f[0]);
    long objid = Long.parseLong(f[1]);
    String fn = "pg_catalog.pg_" + verb + ("ShareLock".equals(f[3]) ? "_shared" : "");
    String key = "1".equals(f[2]) ? "(" + ((classid << 32) | objid) + ")::pg_catalog.int8"
        : "(" + (int) classid + ")::pg_catalog.int4, (" + (int) objid + ")::pg_catalog.int4"; // objsubid 2: two int4
    return fn + "(" + key + ")";
  }

  /** Gives back every session-level advisory lock of {@code c}, one of this class's own sessions; false when it failed. */
  private static boolean unlockAll(Connection c) {
    try (Statement st = c.createStatement()) {
      st.executeQuery("select pg_catalog.pg_advisory_unlock_all()").close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean rollback(Connection c) {
    try {
      c.rollback();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * The driver, in the extended protocol, splits text at semicolons itself and would send each
   * part as a statement of its own: refuse before anything is sent when it sees more than one.
   * Where its reading and the server's differ, the server refuses the single Parse message that
   * holds several commands. (On a caller's session in the simple protocol the driver sends the
   * text whole; there the syntax check and the look at the session afterwards remain.)
   */
  private static void requireOneStatement(Connection c, String text) throws SQLException {
    CachedQuery q = c.unwrap(BaseConnection.class).getQueryExecutor().createQuery(text, false, false);
    if (q.query.getSubqueries() != null) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, "not run: the driver would send "
          + q.query.getSubqueries().length + " statements; a check is exactly one", null, new Cause.InvalidCheck(null));
    }
  }

  private Connection borrow() throws SQLException {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("package query sessions are closed");
      }
      Connection c = idle.poll();
      if (c != null) {
        return c;
      }
    }
    Connection c = open();
    synchronized (this) {
      opened.add(c);
    }
    return c;
  }

  private void giveBack(Connection c, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed) {
        idle.push(c);
        return;
      }
      opened.remove(c);
    }
    quietlyClose(c);
  }

  /** A session whose current_user is {@code role} and that cannot become anyone with more rights. */
  private Connection open() throws SQLException {
    ConnectionSpec login = access.login();
    if (login.user().equals(role)) {
      return prepared(connect(login), role);
    }
    Connection c = connect(login);
    String why;
    try {
      c.setAutoCommit(true);
      Connections.pinSearchPath(c); // what the login holds, read with the catalog's names only (see there)
      why = whyNotSetRole(c);
      if (why == null) {
        try (Statement st = c.createStatement()) {
          st.execute("set role " + Sql.ident(role));
        } catch (SQLException e) {
          why = "SET ROLE " + role + " failed: " + DbErrors.oneLine(e); // PostgreSQL 16+: a membership without SET
        }
        if (why == null) {
          return prepared(c, role);
        }
      }
    } catch (SQLException | RuntimeException e) {
      quietlyClose(c);
      throw e;
    }
    quietlyClose(c);
    ConnectionSpec direct = login.as(role, access.passwordFor().apply(login, role));
    Connection d;
    try {
      d = connect(direct);
    } catch (CutterException e) {
      Cause refused = new Cause.LoginRoleRefused(standing == null || !standing.roleExists()
          ? dev.cutter.core.check.TargetAccess.Refusal.ROLE_MISSING : !standing.member()
          ? dev.cutter.core.check.TargetAccess.Refusal.NOT_REACHABLE : dev.cutter.core.check.TargetAccess.Refusal.PRIVILEGED_LOGIN,
          login.user(), role, standing == null ? RoleSwitch.Excess.NONE : standing.excess());
      throw new CutterException(ExitCodes.CHECKS_FAILED, "cannot run the package's SQL as apply_role " + role
          + ": " + why + ", and logging in as " + role + " failed: " + e.getMessage()
          + " (give " + role + " LOGIN and a password-file entry, or log in as a role that holds nothing " + role + " lacks)",
          e, refused);
    }
    return prepared(d, role);
  }

  /**
   * Null when SET ROLE from this login is sound: the role exists, the login is a member, and the
   * login holds nothing the role lacks (so RESET ROLE, by whatever means, leads nowhere new).
   */
  /** What the login holds, as last read by {@link #whyNotSetRole}. */
  private RoleSwitch.Standing standing;

  private String whyNotSetRole(Connection c) throws SQLException {
    // the same rule as the artifact's session (TargetAccess): one reading of what the login holds
    RoleSwitch.Standing st = RoleSwitch.standing(c, role);
    standing = st;
    String login = access.login().user();
    if (!st.roleExists()) {
      return "role " + Identifiers.quote(role) + " does not exist on the target";
    }
    if (!st.member()) {
      return "login role " + login + " is not a member of " + role;
    }
    return st.leanMember() ? null : "login role " + login + " holds what " + role + " lacks (" + st.excess().describe() + ")";
  }

  /** The session's own settings, and proof of who it runs as. */
  private static Connection prepared(Connection c, String role) throws SQLException {
    try {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute(SEARCH_PATH);
      }
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user")) {
        rs.next();
        if (!role.equals(rs.getString(1))) {
          throw new CutterException(ExitCodes.CHECKS_FAILED, "the check session runs as " + rs.getString(1) + ", not " + role, null, new Cause.InvalidCheck(null));
        }
      }
      c.setAutoCommit(false);
      c.setReadOnly(true);
      return c;
    } catch (SQLException | RuntimeException e) {
      quietlyClose(c);
      throw e;
    }
  }

  private Connection connect(ConnectionSpec spec) {
    try {
      return Connections.connect(spec.jdbcUrl(), Connections.checkProperties(spec, purpose));
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.CHECKS_FAILED, DbErrors.cannotConnect(spec, e), e,
          new Cause.CannotConnect(spec.display(), e.getSQLState()));
    }
  }

  private static void quietlyClose(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // closing a session we are done with; nothing to report
    }
  }

  @Override
  public void close() {
    List<Connection> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(opened);
      opened.clear();
      idle.clear();
    }
    all.forEach(PackageQueries::quietlyClose);
  }
}

package dev.cutter.backup;

import dev.cutter.backup.ArchiveSummary.QualifiedName;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.model.BackupPolicy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the catalog says about the backup scope, read as the backup role in a read-only
 * transaction: the server version, the schemas and tables in scope, their size, and whether the
 * role may read them. Schema names travel as parameters; objects are tested by OID.
 */
final class ScopeCatalog implements AutoCloseable {

  /** Schemas pg_dump never dumps as user data. */
  private static final String USER_SCHEMA = "n.nspname not in ('pg_catalog', 'information_schema')"
      + " and n.nspname !~ '^pg_(toast|temp_|toast_temp_)'"
      + " and not exists (select 1 from pg_depend d where d.classid = 'pg_namespace'::regclass"
      + " and d.objid = n.oid and d.deptype = 'e')";
  private static final String NOT_EXTENSION_MEMBER = "not exists (select 1 from pg_depend d"
      + " where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')";

  private final Connection connection;
  private final BackupPolicy policy;
  private final ConnectionSpec spec;

  private ScopeCatalog(Connection connection, BackupPolicy policy, ConnectionSpec spec) {
    this.connection = connection;
    this.policy = policy;
    this.spec = spec;
  }

  /**
   * Opens a session as the backup role in a REPEATABLE READ, READ ONLY transaction: its snapshot
   * is the one {@link #exportSnapshot} hands to pg_dump, so the catalog read here and the dump
   * see the same state.
   */
  static ScopeCatalog open(ConnectionSpec spec, BackupPolicy policy) throws SQLException {
    Properties p = Connections.properties(spec, "cutter backup catalog");
    if (spec.connectTimeoutSeconds() > 0) {
      p.setProperty("connectTimeout", String.valueOf(Math.max(spec.connectTimeoutSeconds(), 30)));
    }
    Connection c = Connections.connect(p);
    try {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      Connections.pinSearchPath(c); // the database's search_path is its owner's to set: see there
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return new ScopeCatalog(c, policy, spec);
  }

  /**
   * Exports this transaction's snapshot for {@code pg_dump --snapshot}. Only a session of the same
   * database on the same server can import it, and only while this transaction is open.
   */
  String exportSnapshot() throws SQLException {
    return single("select pg_catalog.pg_export_snapshot()");
  }

  /**
   * The point-in-time anchor of this transaction's snapshot (call it right after
   * {@link #exportSnapshot}): the WAL position (the replay position on a standby) and the
   * snapshot's xmin.
   */
  PitAnchor anchor() throws SQLException {
    String snapshotFunction = serverVersionNum() >= 130000 ? "pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())"
        : "pg_catalog.txid_snapshot_xmin(pg_catalog.txid_current_snapshot())";
    try (PreparedStatement st = connection.prepareStatement("select pg_catalog.pg_is_in_recovery(), case when"
        + " pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_replay_lsn() else pg_catalog.pg_current_wal_lsn()"
        + " end::text, " + snapshotFunction + "::text");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return new PitAnchor(rs.getString(2), rs.getBoolean(1), rs.getString(3));
    }
  }

  /** The schemas in scope as the snapshot sees them: the listed ones, or every user schema. */
  List<String> schemasInScope() throws SQLException {
    List<String> out = new ArrayList<>();
    query("select n.nspname from pg_namespace n where " + scopePredicate() + " order by 1", rs -> out.add(rs.getString(1)));
    return out;
  }

  /** The session in the exporting transaction, for reading the source's state at the dump's snapshot. */
  Connection connection() {
    return connection;
  }

  /** The server's system identifier, or null when the role may not read pg_control_system(). */
  String systemIdentifier() throws SQLException {
    if (!"t".equals(single("select pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'execute')"))) {
      return null;
    }
    return single("select system_identifier::text from pg_catalog.pg_control_system()");
  }

  /** How this session, and so pg_dump with the same settings, is protected. */
  TlsState tlsState() throws SQLException {
    return Connections.tlsState(connection, spec);
  }

  /** {@code server_version_num}, e.g. 150019. */
  int serverVersionNum() throws SQLException {
    return Integer.parseInt(single("select current_setting('server_version_num')"));
  }

  String serverVersion() throws SQLException {
    return single("select current_setting('server_version')");
  }

  String database() throws SQLException {
    return single("select current_database()");
  }

  /** Listed schemas that do not exist (always empty for a whole-database scope). */
  List<String> missingSchemas() throws SQLException {
    List<String> missing = new ArrayList<>();
    if (policy.wholeDatabase()) {
      return missing;
    }
    try (PreparedStatement st = connection.prepareStatement(
        "select s from unnest(?::text[]) s where not exists (select 1 from pg_namespace n where n.nspname = s) order by 1")) {
      st.setArray(1, connection.createArrayOf("text", policy.schemas().toArray()));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          missing.add(rs.getString(1));
        }
      }
    }
    return missing;
  }

  /** Ordinary tables (partitions included) in scope: each one should have a TABLE DATA entry. */
  Set<QualifiedName> tablesWithData() throws SQLException {
    Set<QualifiedName> out = new TreeSet<>();
    String sql = "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        + " where " + scopePredicate() + " and c.relkind = 'r' and c.relpersistence <> 't' and " + NOT_EXTENSION_MEMBER;
    query(sql, rs -> out.add(new QualifiedName(rs.getString(1), rs.getString(2))));
    return out;
  }

  /**
   * Roughly what the dump could need at most, read without taking a lock on any table (pg_dump may
   * be about to wait for those): the database's size for a whole-database scope, else the heap and
   * TOAST pages of the scope's tables as the planner statistics last counted them.
   */
  long estimatedBytes() throws SQLException {
    if (policy.wholeDatabase()) {
      return Long.parseLong(single("select pg_database_size(current_database())"));
    }
    long[] total = {0};
    String sql = "select coalesce(sum((c.relpages::bigint + coalesce(t.relpages, 0))"
        + " * current_setting('block_size')::bigint), 0)"
        + " from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_class t on t.oid = c.reltoastrelid"
        + " where " + scopePredicate() + " and c.relkind in ('r', 'm')";
    query(sql, rs -> total[0] = rs.getLong(1));
    return total[0];
  }

  /**
   * How many relations a restore of the scope creates, as far as locks go: every relation in scope
   * (tables, partitions, indexes, sequences, views) and, for each with one, its TOAST table and index.
   */
  long relationCount() throws SQLException {
    long[] n = {0};
    query("select count(*) + 2 * count(*) filter (where c.reltoastrelid <> 0) from pg_class c"
        + " join pg_namespace n on n.oid = c.relnamespace where " + scopePredicate(), rs -> n[0] = rs.getLong(1));
    return n[0];
  }

  /** Schemas in scope on which the connected role lacks USAGE. */
  List<String> schemasWithoutUsage() throws SQLException {
    List<String> out = new ArrayList<>();
    query("select n.nspname from pg_namespace n where " + scopePredicate()
        + " and not has_schema_privilege(n.oid, 'USAGE') order by 1", rs -> out.add(rs.getString(1)));
    return out;
  }

  int schemaCount() throws SQLException {
    int[] n = {0};
    query("select count(*) from pg_namespace n where " + scopePredicate(), rs -> n[0] = rs.getInt(1));
    return n[0];
  }

  /** Tables ({@code r}, {@code p}) or sequences ({@code S}) in scope the role cannot SELECT, and how many were checked. */
  Unreadable unreadable(boolean sequences) throws SQLException {
    List<String> names = new ArrayList<>();
    int[] checked = {0};
    String kinds = sequences ? "('S')" : "('r', 'p', 'm')";
    String privilege = sequences ? "has_sequence_privilege(c.oid, 'SELECT')" : "has_table_privilege(c.oid, 'SELECT')";
    query("select n.nspname, c.relname, " + privilege + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        + " where " + scopePredicate() + " and c.relkind in " + kinds + " and c.relpersistence <> 't' and "
        + NOT_EXTENSION_MEMBER + " order by 1, 2", rs -> {
          checked[0]++;
          if (!rs.getBoolean(3)) {
            names.add(new QualifiedName(rs.getString(1), rs.getString(2)).toString());
          }
        });
    return new Unreadable(checked[0], names);
  }

  record Unreadable(int checked, List<String> names) {}

  /** A fixed SQL fragment over {@code n} (pg_namespace); listed schema names are bound as a parameter. */
  private String scopePredicate() {
    return policy.wholeDatabase() ? "(" + USER_SCHEMA + ")" : "n.nspname = any(?::text[])";
  }

  private interface RowHandler {
    void row(ResultSet rs) throws SQLException;
  }

  private void query(String sql, RowHandler handler) throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(sql)) {
      if (!policy.wholeDatabase()) {
        st.setArray(1, connection.createArrayOf("text", policy.schemas().toArray()));
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          handler.row(rs);
        }
      }
    }
  }

  private String single(String sql) throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.close();
    }
  }
}

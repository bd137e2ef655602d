package dev.cutter.backup;

import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineReader;
import dev.cutter.core.catalog.CatalogFingerprint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What the restore proof compares, read from one database: the relations of the schemas in scope
 * ({@code schema.name kind}), the exact row count of every ordinary table (one query for all of
 * them), and the catalog baseline of those schemas (counts and fingerprint). On the source it is
 * read inside the transaction whose snapshot pg_dump imports, so it is the dump's own state.
 */
record ScopeState(SortedSet<String> relations, SortedMap<String, Long> rowCounts, Baseline baseline) {

  private static final String NOT_EXTENSION_MEMBER = "not exists (select 1 from pg_catalog.pg_depend d"
      + " where d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid and d.deptype = 'e')";

  private static final String RELATIONS = "select pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
      + " c.relkind::text, c.relkind = 'r' and c.relpersistence <> 't'"
      + " from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
      + " where n.nspname = any (?::text[]) and c.relkind <> 't' and c.relpersistence <> 't' and " + NOT_EXTENSION_MEMBER
      + " order by 1";

  /** {@code owner NAME} (also opening a schema's line) and {@code acl {...}} in a fingerprint line: the proof restores without either. */
  private static final Pattern OWNERSHIP = Pattern.compile(
      "(?:^| )owner (?:\"(?:[^\"]|\"\")*\"|[^ ]+)| acl \\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\}");

  ScopeState {
    relations = Collections.unmodifiableSortedSet(new TreeSet<>(relations));
    rowCounts = Collections.unmodifiableSortedMap(new TreeMap<>(rowCounts));
  }

  /** Reads the state of {@code schemas} through {@code c}; a row-level security policy fails the count, never filters it. */
  static ScopeState read(Connection c, List<String> schemas) throws SQLException {
    SortedSet<String> relations = new TreeSet<>();
    List<String> tables = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(RELATIONS)) {
      st.setArray(1, c.createArrayOf("text", schemas.toArray()));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          relations.add(rs.getString(1) + " " + rs.getString(2));
          if (rs.getBoolean(3)) {
            tables.add(rs.getString(1));
          }
        }
      }
    }
    SortedMap<String, Long> counts = new TreeMap<>();
    if (!tables.isEmpty()) {
      // one statement for every table; the names come quoted from the catalog itself
      StringBuilder sql = new StringBuilder();
      for (int i = 0; i < tables.size(); i++) {
        sql.append(i == 0 ? "" : " union all ").append("select ").append(i).append(", count(*) from only ").append(tables.get(i));
      }
      try (Statement st = c.createStatement()) {
        st.execute("set local row_security = off");
        // a one-off scan: compiling it (in the leader and in every parallel worker) costs more than it saves
        st.execute("set local jit = off");
        try (ResultSet rs = st.executeQuery(sql.toString())) {
          while (rs.next()) {
            counts.put(tables.get(rs.getInt(1)), rs.getLong(2));
          }
        }
      }
    }
    Baseline counted = BaselineReader.read(c, schemas);
    return new ScopeState(relations, counts, new Baseline(counted.schemas(), CatalogFingerprint.ofSchemas(c, schemas)));
  }

  long totalRows() {
    return rowCounts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The baseline with owners and ACLs left out of every fingerprint line (the proof restores neither). */
  Baseline withoutOwnership() {
    Map<String, String> lines = new TreeMap<>();
    baseline.fingerprint().objects().forEach((k, v) -> lines.put(k, OWNERSHIP.matcher(v).replaceAll("")));
    return new Baseline(baseline.schemas(), CatalogFingerprint.of(lines));
  }
}

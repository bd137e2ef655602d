package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the baseline of every user schema in one pass (system schemas and cutter's own journal
 * schema left out): what the run compares before and after a change to say "target unchanged".
 */
public final class BaselineSnapshot {

  private static final String QUERY = """
      select n.nspname, 'c' as what, c.contype::text as letter, count(*)
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutter')
         and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
       group by 1, 2, 3
      union all
      select n.nspname, 'r', c.relkind::text, count(*)
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutter')
         and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
       group by 1, 2, 3
      union all
      select n.nspname, 'n', '', 0 from pg_namespace n
       where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutter')
         and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
      """;

  private BaselineSnapshot() {}

  public static Baseline read(Connection c) throws SQLException {
    Map<String, Map<String, Integer>> cons = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> rels = new LinkedHashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(QUERY)) {
      while (rs.next()) {
        String schema = rs.getString(1);
        cons.computeIfAbsent(schema, k -> new HashMap<>());
        rels.computeIfAbsent(schema, k -> new HashMap<>());
        switch (rs.getString(2)) {
          case "c" -> cons.get(schema).put(rs.getString(3), rs.getInt(4));
          case "r" -> rels.get(schema).put(rs.getString(3), rs.getInt(4));
          default -> { }
        }
      }
    }
    Map<String, SchemaCounts> out = new LinkedHashMap<>();
    cons.forEach((schema, m) -> out.put(schema, new SchemaCounts(schema, m, rels.get(schema))));
    return new Baseline(out);
  }
}

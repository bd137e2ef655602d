package dev.cutter.core.catalog;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the catalog baseline of schemas: constraints counted by {@code pg_constraint.contype}
 * (p f u c x t, and n on servers that keep NOT NULL constraints there) and relations by
 * {@code pg_class.relkind} (r p v m S i I f c t). Counts are exactly what the catalog holds: the
 * constraints a partition clones from its parent ({@code conparentid <> 0}) are counted in the
 * partition's schema too, because they are real rows a change can add or lose. A schema that
 * does not exist is absent from the result.
 */
public final class BaselineReader {

  private static final String CONSTRAINTS = """
      select n.nspname, c.contype::text, count(*)
        from pg_catalog.pg_constraint c
        join pg_catalog.pg_namespace n on n.oid = c.connamespace
       where n.nspname = any (?::name[])
       group by 1, 2""";

  private static final String RELATIONS = """
      select n.nspname, c.relkind::text, count(*)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       where n.nspname = any (?::name[])
       group by 1, 2""";

  private static final String SCHEMAS = "select nspname from pg_catalog.pg_namespace where nspname = any (?::name[])";

  private BaselineReader() {}

  /** The baseline of {@code schemas} (names as stored; each truncated to 63 bytes as the server does). */
  public static Baseline read(Connection c, Collection<String> schemas) throws SQLException {
    String[] names = schemas.stream().map(Identifiers::truncate).distinct().toArray(String[]::new);
    Map<String, Map<String, Integer>> constraints = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> relations = new LinkedHashMap<>();
    for (String s : query(c, SCHEMAS, names, null)) {
      constraints.put(s, new TreeMap<>());
      relations.put(s, new TreeMap<>());
    }
    query(c, CONSTRAINTS, names, constraints);
    query(c, RELATIONS, names, relations);
    Map<String, SchemaCounts> out = new LinkedHashMap<>();
    for (String s : constraints.keySet()) {
      out.put(s, new SchemaCounts(s, constraints.get(s), relations.get(s)));
    }
    return new Baseline(out);
  }

  /** Runs one of the queries; with {@code into} fills counts, else returns the first column. */
  private static List<String> query(Connection c, String sql, String[] names, Map<String, Map<String, Integer>> into)
      throws SQLException {
    List<String> first = new java.util.ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array a = c.createArrayOf("text", names);
      ps.setArray(1, a);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (into == null) {
            first.add(rs.getString(1));
          } else {
            into.get(rs.getString(1)).put(rs.getString(2), rs.getInt(3));
          }
        }
      }
    }
    return first;
  }
}

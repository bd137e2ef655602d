package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Looks objects up in the catalog by name. Names are always bind parameters, cast to
 * {@code name} on the server so that they are truncated to 63 bytes exactly as DDL would; the
 * only SQL text chosen here is per {@link ObjectKind}, never from a package.
 */
public final class CatalogObjects {

  /** Where the catalog keeps one kind: the table, name, schema and owner columns and a filter. */
  private record Source(String table, String name, String namespace, String owner, String filter) {}

  private CatalogObjects() {}

  private static Source source(ObjectKind kind) {
    return switch (kind) {
      case TABLE, VIEW, MATERIALIZED_VIEW, INDEX, SEQUENCE -> new Source("pg_catalog.pg_class", "relname", "relnamespace",
          "relowner", "relkind::text in ('" + String.join("','", kind.relkinds()) + "')");
      case FUNCTION -> new Source("pg_catalog.pg_proc", "proname", "pronamespace", "proowner", "prokind <> 'p'");
      case PROCEDURE -> new Source("pg_catalog.pg_proc", "proname", "pronamespace", "proowner", "prokind = 'p'");
      case TYPE -> new Source("pg_catalog.pg_type", "typname", "typnamespace", "typowner", "true");
      case DOMAIN -> new Source("pg_catalog.pg_type", "typname", "typnamespace", "typowner", "typtype = 'd'");
      case SCHEMA -> new Source("pg_catalog.pg_namespace", "nspname", null, "nspowner", "true");
      case ROLE -> new Source("pg_catalog.pg_roles", "rolname", null, null, "true");
    };
  }

  /** The OID of role {@code name}, if it exists. */
  public static Optional<Long> roleOid(Connection c, String name) throws SQLException {
    return oneLong(c, "select oid from pg_catalog.pg_roles where rolname = ?::name", name);
  }

  /** The OID of schema {@code name}, if it exists. */
  public static Optional<Long> schemaOid(Connection c, String name) throws SQLException {
    return oneLong(c, "select oid from pg_catalog.pg_namespace where nspname = ?::name", name);
  }

  /**
   * Which of {@code names} exist as {@code kind} in {@code schema} (ignored for roles and
   * schemas); the result holds the names as given. A function may be named with its argument
   * types, {@code f(integer, text)}: then that exact signature is looked up.
   */
  public static Set<String> existing(Connection c, ObjectKind kind, String schema, Collection<String> names)
      throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    List<String> plain = new java.util.ArrayList<>();
    for (String n : names) {
      if ((kind == ObjectKind.FUNCTION || kind == ObjectKind.PROCEDURE) && n.contains("(")) {
        if (exists(c, kind, schema, n)) {
          out.add(n);
        }
      } else {
        plain.add(n);
      }
    }
    if (!plain.isEmpty()) {
      // one query for all the plain names (a derived verify list can name thousands)
      Source s = source(kind);
      String sql = "select x.n from unnest(?::text[]) as x(n) where exists (select 1 from " + s.table() + " where "
          + s.name() + " = x.n::name and " + s.filter() + (s.namespace() == null ? ""
              : " and " + s.namespace() + " = (select oid from pg_catalog.pg_namespace where nspname = ?::name)") + ")";
      Set<String> found = new java.util.HashSet<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setArray(1, c.createArrayOf("text", plain.toArray()));
        if (s.namespace() != null) {
          ps.setString(2, schema);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
      Set<String> ordered = new LinkedHashSet<>();
      for (String n : names) {
        if (out.contains(n) || found.contains(n)) {
          ordered.add(n);
        }
      }
      return ordered;
    }
    return out;
  }

  private static boolean exists(Connection c, ObjectKind kind, String schema, String name) throws SQLException {
    if ((kind == ObjectKind.FUNCTION || kind == ObjectKind.PROCEDURE) && name.contains("(")) {
      String signature = Identifiers.quoteAlways(schema) + "." + Identifiers.quoteAlways(name.substring(0, name.indexOf('(')).strip())
          + name.substring(name.indexOf('('));
      try (PreparedStatement ps = c.prepareStatement("select pg_catalog.to_regprocedure(?) is not null")) {
        ps.setString(1, signature);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getBoolean(1);
        }
      }
    }
    return !owners(c, kind, schema, name).isEmpty();
  }

  /**
   * The owner OIDs of the objects of {@code kind} called {@code name} in {@code schema}: empty
   * when there is none, several for overloaded functions.
   */
  public static List<Long> owners(Connection c, ObjectKind kind, String schema, String name) throws SQLException {
    Source s = source(kind);
    String sql = "select " + (s.owner() == null ? "oid" : s.owner()) + " from " + s.table() + " where " + s.name()
        + " = ?::name and " + s.filter() + (s.namespace() == null ? ""
            : " and " + s.namespace() + " = (select oid from pg_catalog.pg_namespace where nspname = ?::name)");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      if (s.namespace() != null) {
        ps.setString(2, schema);
      }
      List<Long> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getLong(1));
        }
      }
      return out;
    }
  }

  /** The OID of relation {@code schema.name} of any kind, if it exists. */
  public static Optional<Long> relationOid(Connection c, String schema, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select c.oid from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
        + " on n.oid = c.relnamespace where n.nspname = ?::name and c.relname = ?::name")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  static Optional<Long> oneLong(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }
}

package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Privilege lookups for a role, always by OID ({@code has_schema_privilege(oid, oid, priv)}
 * does not raise for a missing schema the way the name form does). The privilege word is
 * checked against a fixed list before it is sent, and is a bind parameter all the same. Note
 * that PostgreSQL reports true for superusers and owners, and that a comma-separated list is
 * true if any one is held: so each privilege is asked on its own.
 */
public final class Privileges {

  public static final Set<String> SCHEMA = Set.of("USAGE", "CREATE");
  public static final Set<String> TABLE = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER");
  public static final Set<String> SEQUENCE = Set.of("USAGE", "SELECT", "UPDATE");
  public static final Set<String> DATABASE = Set.of("CREATE", "CONNECT", "TEMPORARY", "TEMP");

  private Privileges() {}

  /** Does role {@code role} hold {@code privilege} on schema {@code schema}? */
  public static boolean onSchema(Connection c, long role, long schema, String privilege) throws SQLException {
    return ask(c, "select pg_catalog.has_schema_privilege(?::oid, ?::oid, ?)", role, schema, checked(privilege, SCHEMA));
  }

  /** Does role {@code role} hold {@code privilege} on the relation {@code relation}? */
  public static boolean onTable(Connection c, long role, long relation, String privilege) throws SQLException {
    return ask(c, "select pg_catalog.has_table_privilege(?::oid, ?::oid, ?)", role, relation, checked(privilege, TABLE));
  }

  /** Does role {@code role} hold {@code privilege} on the current database? */
  public static boolean onDatabase(Connection c, long role, String privilege) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.has_database_privilege(?::oid,"
        + " (select oid from pg_catalog.pg_database where datname = current_database()), ?)")) {
      ps.setLong(1, role);
      ps.setString(2, checked(privilege, DATABASE));
      return single(ps);
    }
  }

  /** Does role {@code role} have the privileges of role {@code owner} (what ownership checks ask)? */
  public static boolean actsAs(Connection c, long role, long owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.pg_has_role(?::oid, ?::oid, 'USAGE')")) {
      ps.setLong(1, role);
      ps.setLong(2, owner);
      return single(ps);
    }
  }

  /** Does role {@code role} own schema {@code schema} (or have its owner's privileges)? */
  public static boolean ownsSchema(Connection c, long role, long schema) throws SQLException {
    return owns(c, "select pg_catalog.pg_has_role(?::oid, nspowner, 'USAGE') from pg_catalog.pg_namespace where oid = ?::oid",
        role, schema);
  }

  /** Does role {@code role} own relation {@code relation} (or have its owner's privileges)? */
  public static boolean ownsRelation(Connection c, long role, long relation) throws SQLException {
    return owns(c, "select pg_catalog.pg_has_role(?::oid, relowner, 'USAGE') from pg_catalog.pg_class where oid = ?::oid",
        role, relation);
  }

  private static boolean owns(Connection c, String sql, long role, long object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, role);
      ps.setLong(2, object);
      return single(ps);
    }
  }

  /** Can role {@code member} {@code SET ROLE} to role {@code target}? */
  public static boolean isMember(Connection c, long member, long target) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.pg_has_role(?::oid, ?::oid, 'MEMBER')")) {
      ps.setLong(1, member);
      ps.setLong(2, target);
      return single(ps);
    }
  }

  /** The privileges of {@code wanted} that {@code role} lacks on schema {@code schema}. */
  public static List<String> missingOnSchema(Connection c, long role, long schema, List<String> wanted) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (String p : wanted) {
      if (!onSchema(c, role, schema, p)) {
        missing.add(normal(p));
      }
    }
    return missing;
  }

  /** The privileges of {@code wanted} that {@code role} lacks on relation {@code relation}. */
  public static List<String> missingOnTable(Connection c, long role, long relation, List<String> wanted) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (String p : wanted) {
      if (!onTable(c, role, relation, p)) {
        missing.add(normal(p));
      }
    }
    return missing;
  }

  static String normal(String privilege) {
    return privilege.strip().toUpperCase(Locale.ROOT);
  }

  private static String checked(String privilege, Set<String> allowed) {
    String p = normal(privilege);
    if (!allowed.contains(p)) {
      throw new IllegalArgumentException("unknown privilege " + privilege + "; one of " + allowed);
    }
    return p;
  }

  private static boolean ask(Connection c, String sql, long a, long b, String privilege) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, a);
      ps.setLong(2, b);
      ps.setString(3, privilege);
      return single(ps);
    }
  }

  private static boolean single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}

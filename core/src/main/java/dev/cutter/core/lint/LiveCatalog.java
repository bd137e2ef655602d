package dev.cutter.core.lint;

import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.catalog.SearchPath;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link LintCatalog} read from a server, with every name from the script sent as a bind
 * parameter. Unqualified names resolve along apply_role's search_path ({@code public} when it is
 * unknown). A database error is thrown as {@link LintCatalogException}.
 */
public final class LiveCatalog implements LintCatalog {

  /** A catalog read that failed; P1 reports it as the lint check's ERROR. */
  public static final class LintCatalogException extends RuntimeException {
    LintCatalogException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final Connection c;
  private final List<String> lookup;
  private final Optional<String> creation;
  private final Map<ObjectName, Optional<ObjectName>> tables = new HashMap<>();

  /** @param path apply_role's search_path, when it could be resolved */
  public LiveCatalog(Connection c, Optional<SearchPath> path) {
    this.c = c;
    this.lookup = path.map(SearchPath::lookupOrder).orElse(List.of("pg_catalog", "public"));
    this.creation = path.isPresent() ? path.get().creationSchema() : Optional.of("public");
  }

  @Override
  public Optional<ObjectName> table(ObjectName name) {
    // a script names the same tables again and again: one catalog read per name
    Optional<ObjectName> known = tables.get(name);
    if (known == null) {
      known = readTable(name);
      tables.put(name, known);
    }
    return known;
  }

  private Optional<ObjectName> readTable(ObjectName name) {
    List<String> schemas = name.qualified() ? List.of(name.schema()) : lookup;
    String sql = "select n.nspname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        + " where c.relname = ? and n.nspname = any(?) and c.relkind in ('r', 'p', 'f', 'm')"
        + " order by array_position(?, n.nspname::text) limit 1";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array a = c.createArrayOf("text", schemas.toArray());
      ps.setString(1, name.name());
      ps.setArray(2, a);
      ps.setArray(3, a);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new ObjectName(rs.getString(1), name.name())) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new LintCatalogException(e);
    }
  }

  @Override
  public Optional<String> creationSchema() {
    return creation;
  }

  @Override
  public Optional<Column> column(ObjectName table, String column) {
    String sql = "select a.atttypid, a.atttypmod, t.typname, a.attnotnull from pg_catalog.pg_attribute a"
        + " join pg_catalog.pg_type t on t.oid = a.atttypid"
        + " join pg_catalog.pg_class c on c.oid = a.attrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        + " where n.nspname = ? and c.relname = ? and a.attname = ? and a.attnum > 0 and not a.attisdropped";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      ps.setString(3, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Column(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getBoolean(4)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new LintCatalogException(e);
    }
  }

  @Override
  public Optional<TypeRef> type(String typeText) {
    // to_regtype returns null for an unknown type but raises on text it cannot parse: a savepoint
    // keeps such an error from ending the check's transaction
    String sql = "select t.oid, t.typname from pg_catalog.pg_type t where t.oid = pg_catalog.to_regtype(?)";
    java.sql.Savepoint sp = null;
    try {
      sp = c.getAutoCommit() ? null : c.setSavepoint();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, typeText);
        try (ResultSet rs = ps.executeQuery()) {
          Optional<TypeRef> out = rs.next() ? Optional.of(new TypeRef(rs.getLong(1), rs.getString(2))) : Optional.empty();
          if (sp != null) {
            c.releaseSavepoint(sp);
          }
          return out;
        }
      }
    } catch (SQLException e) {
      if (sp == null || !e.getSQLState().startsWith("42") && !e.getSQLState().startsWith("22")) {
        throw new LintCatalogException(e);
      }
      try {
        c.rollback(sp);
      } catch (SQLException again) {
        throw new LintCatalogException(again);
      }
      // the server cannot parse the type: the statement itself would fail, it rewrites nothing
      return Optional.empty();
    }
  }

  @Override
  public boolean binaryCoercible(long from, long to) {
    String sql = "select exists (select 1 from pg_catalog.pg_cast where castsource = ?::oid and casttarget = ?::oid"
        + " and castmethod = 'b')";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, from);
      ps.setLong(2, to);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new LintCatalogException(e);
    }
  }

  @Override
  public Optional<Boolean> volatileFunction(ObjectName name) {
    List<String> schemas = name.qualified() ? List.of(name.schema()) : lookup;
    String sql = "select bool_or(p.provolatile = 'v'), count(*) from pg_catalog.pg_proc p"
        + " join pg_catalog.pg_namespace n on n.oid = p.pronamespace where p.proname = ? and n.nspname = any(?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name.name());
      ps.setArray(2, c.createArrayOf("text", schemas.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(2) > 0 ? Optional.of(rs.getBoolean(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new LintCatalogException(e);
    }
  }

  @Override
  public boolean validatedNotNullCheck(ObjectName table, String column) {
    // the server's own deparse of CHECK (col IS NOT NULL), compared with the same deparse for this column
    String sql = "select exists (select 1 from pg_catalog.pg_constraint k"
        + " join pg_catalog.pg_class c on c.oid = k.conrelid join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        + " where n.nspname = ? and c.relname = ? and k.contype = 'c' and k.convalidated"
        + " and pg_catalog.pg_get_constraintdef(k.oid) = 'CHECK ((' || pg_catalog.quote_ident(?) || ' IS NOT NULL))')";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, table.schema());
      ps.setString(2, table.name());
      ps.setString(3, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new LintCatalogException(e);
    }
  }

  @Override
  public boolean live() {
    return true;
  }
}

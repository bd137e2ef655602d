package dev.cutter.core.scaffold;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineReader;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.Identity;
import dev.cutter.core.catalog.IdentityReader;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.scaffold.ScaffoldDerivation.Placed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code cutter package new} reads from the target, in the caller's read-only transaction:
 * the identity {@code cutter target} prints, the checks derived against the live catalog, each
 * touched schema's baseline and the on-disk size of the backup scope.
 */
public final class TargetReading {

  /** How long the size query waits for a lock on a relation of the scope (pg_total_relation_size opens each). */
  static final String LOCK_TIMEOUT = "5s";

  /** What was read. */
  public record Read(Identity identity, String loginRole, ScaffoldDerivation.Derived derived, List<SchemaCounts> baselines,
      Optional<Scaffold.ScopeSize> scopeSize, Instant readAt) {}

  private TargetReading() {}

  /**
   * Reads the target on {@code c} (a read-only transaction the caller ends) for a change
   * ({@code changeFile}, {@code change}) and its rollback that run as {@code applyRole}.
   *
   * @throws CutterException (exit 2) when apply_role does not exist on the target
   */
  public static Read read(Connection c, String applyRole, String changeFile, List<ExecStatement> change,
      String rollbackFile, List<ExecStatement> rollback) throws SQLException {
    return read(c, applyRole, changeFile, change, null, List.of(), rollbackFile, rollback);
  }

  /** As {@link #read(Connection, String, String, List, String, List)}, with the online step's statements. */
  public static Read read(Connection c, String applyRole, String changeFile, List<ExecStatement> change,
      String onlineFile, List<ExecStatement> online, String rollbackFile, List<ExecStatement> rollback)
      throws SQLException {
    Instant readAt = Instant.now();
    Identity identity = IdentityReader.read(c);
    String login;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user")) {
      rs.next();
      login = rs.getString(1);
    }
    if (CatalogObjects.roleOid(c, applyRole).isEmpty()) {
      throw CutterException.invalid("--apply-role: no role " + Identifiers.quote(applyRole) + " in the cluster of database "
          + Identifiers.quote(identity.database()) + ": name the role the change runs as (it must exist before the package"
          + " can run)");
    }
    Optional<SearchPath> path = SearchPath.forApplyRole(c, applyRole, login);
    ScaffoldDerivation.Derived derived;
    try {
      derived = ScaffoldDerivation.derive(changeFile, change, onlineFile, online, rollbackFile, rollback,
          new LiveCatalog(c, path));
    } catch (Unchecked e) {
      throw e.getCause();
    }
    List<SchemaCounts> baselines = new ArrayList<>();
    Optional<Scaffold.ScopeSize> size = Optional.empty();
    if (!derived.schemas().isEmpty()) {
      Baseline b = BaselineReader.read(c, derived.schemas());
      derived.schemas().forEach(s -> baselines.add(b.schemas().get(s)));
      size = Optional.of(scopeSize(c, derived.schemas()));
    }
    return new Read(identity, login, derived, baselines, size, readAt);
  }

  /** {@code pg_total_relation_size} of the scope's tables and materialized views, summed, and how many there are. */
  static Scaffold.ScopeSize scopeSize(Connection c, List<String> schemas) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("set local lock_timeout = '" + LOCK_TIMEOUT + "'");
    }
    try (PreparedStatement ps = c.prepareStatement("select coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint,"
        + " count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        + " where n.nspname = any (?::name[]) and c.relkind in ('r', 'm') and c.relpersistence <> 't'")) {
      ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Scaffold.ScopeSize(rs.getLong(1), rs.getInt(2));
      }
    } catch (SQLException e) {
      if ("55P03".equals(e.getSQLState())) {
        throw new CutterException(ExitCodes.CHECKS_FAILED, "reading the size of schemas "
            + String.join(", ", schemas.stream().map(Identifiers::quote).toList()) + " waited " + LOCK_TIMEOUT
            + " for a lock another session holds on one of their tables (SQLSTATE 55P03): try again when it is done", e);
      }
      throw e;
    }
  }

  /** The live catalog as the derivation asks it; SQL errors leave through {@link Unchecked}. */
  private static final class LiveCatalog implements ScaffoldDerivation.Catalog {
    private final Connection c;
    private final Optional<SearchPath> path;

    LiveCatalog(Connection c, Optional<SearchPath> path) {
      this.c = c;
      this.path = path;
    }

    @Override
    public Optional<String> resolve(ObjectKind kind, String name) {
      if (path.isEmpty()) {
        return Optional.empty();
      }
      try {
        for (String schema : path.get().lookupOrder()) {
          if (!CatalogObjects.existing(c, kind, schema, List.of(name)).isEmpty()) {
            return Optional.of(schema);
          }
        }
      } catch (SQLException e) {
        throw new Unchecked(e);
      }
      return creationSchema();
    }

    @Override
    public Optional<String> creationSchema() {
      return path.flatMap(SearchPath::creationSchema);
    }

    @Override
    public Set<Placed> existing(Collection<Placed> objects) {
      Map<String, List<Placed>> groups = new LinkedHashMap<>();
      for (Placed p : objects) {
        groups.computeIfAbsent(p.kind() + "\u0000" + (p.schema() == null ? "" : p.schema()), k -> new ArrayList<>()).add(p);
      }
      Set<Placed> out = new HashSet<>();
      try {
        for (List<Placed> group : groups.values()) {
          Placed first = group.get(0);
          Set<String> found = CatalogObjects.existing(c, first.kind(), first.schema(),
              group.stream().map(Placed::name).toList());
          group.stream().filter(p -> found.contains(p.name())).forEach(out::add);
        }
      } catch (SQLException e) {
        throw new Unchecked(e);
      }
      return out;
    }
  }

  /** A SQLException carried out of the {@link ScaffoldDerivation.Catalog} calls. */
  private static final class Unchecked extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unchecked(SQLException e) {
      super(e);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }
}

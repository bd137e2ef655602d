package dev.cutter.core.online;

import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * P1 for the online step, which cannot be rehearsed in a rolled-back transaction (CONCURRENTLY
 * refuses one): every object an online statement builds an index on, rebuilds, validates, drops
 * or adds an enum value to, and that exists already, must be owned by apply_role (or a role whose
 * privileges it inherits). Otherwise the step would fail only after the change committed, an
 * ESCALATE that P1 can turn into a BLOCKED. Objects not there yet are left to the change, which
 * creates them as apply_role. Names resolve through apply_role's search_path.
 */
public final class OnlinePrivileges {

  public static final String ID = "online_privileges";

  private OnlinePrivileges() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    String role = ctx.applyRole();
    String expected = "apply_role " + Identifiers.quote(role) + " owns what the online statements work on";
    OnlineScript script = OnlineScript.of(ctx.pkg().online().orElseThrow().artifact());
    Connection c = ctx.connection();
    Optional<Long> roleOid = CatalogObjects.roleOid(c, role);
    Optional<SearchPath> path = SearchPath.forApplyRole(c, role, ctx.target().login().user());
    if (roleOid.isEmpty() || path.isEmpty()) {
      return ctx.fail(new dev.cutter.core.cause.Cause.ObjectsAbsent(List.of("role " + Identifiers.quote(role))), expected,
          "role " + Identifiers.quote(role) + " does not exist", "apply_role " + role
          + " does not exist");
    }
    List<String> lacking = new ArrayList<>();
    List<dev.cutter.core.cause.Cause.Grant> grants = new ArrayList<>();
    int owned = 0;
    int later = 0;
    for (OnlineStatement s : script.statements()) {
      if (s.owns().isEmpty()) {
        continue;
      }
      Optional<Found> found = find(c, s.owns().get(), path.get().lookupOrder());
      if (found.isEmpty()) {
        later++;
      } else if (owner(c, roleOid.get(), found.get().owner())) {
        owned++;
      } else {
        grants.add(new dev.cutter.core.cause.Cause.Grant(dev.cutter.core.cause.Cause.Grant.OWNERSHIP, "relation",
            found.get().name()));
        lacking.add("statement " + s.index() + " (line " + s.line() + "): " + found.get().name() + " is owned by "
            + Identifiers.quote(found.get().ownerName()));
      }
    }
    String actual = owned + " existing owned, " + later + " left to the change";
    if (lacking.isEmpty()) {
      return ctx.pass(expected, actual, null);
    }
    return ctx.fail(new dev.cutter.core.cause.Cause.MissingPrivilege(dev.cutter.core.cause.Cause.RoleKind.APPLY_ROLE, role,
        grants), expected, String.join("; ", lacking), "apply_role " + role + " does not own what the online step"
        + " works on (" + String.join("; ", lacking) + "): the step would fail after the change committed; make "
        + role + " the owner, or leave those statements out");
  }

  private record Found(String name, long owner, String ownerName) {}

  /** The object, in its schema if the name is qualified, else the first schema on the path that has it. */
  private static Optional<Found> find(Connection c, OnlineStatement.Owned o, List<String> lookup) throws SQLException {
    List<String> n = o.name();
    String object = Identifiers.truncate(n.get(n.size() - 1));
    List<String> schemas = n.size() >= 2 ? List.of(Identifiers.truncate(n.get(n.size() - 2))) : lookup;
    String sql = o.type()
        ? "select t.typowner, pg_catalog.pg_get_userbyid(t.typowner) from pg_catalog.pg_type t join pg_catalog.pg_namespace s"
            + " on s.oid = t.typnamespace where s.nspname = ? and t.typname = ?"
        : "select r.relowner, pg_catalog.pg_get_userbyid(r.relowner) from pg_catalog.pg_class r join pg_catalog.pg_namespace s"
            + " on s.oid = r.relnamespace where s.nspname = ? and r.relname = ?";
    for (String schema : schemas) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, schema);
        ps.setString(2, object);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Optional.of(new Found(Identifiers.qualified(schema, object), rs.getLong(1), rs.getString(2)));
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Whether {@code role} holds the privileges of {@code owner} (ownership is used through inheritance). */
  private static boolean owner(Connection c, long role, long owner) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select pg_catalog.pg_has_role(?::oid, ?::oid, 'USAGE')")) {
      ps.setLong(1, role);
      ps.setLong(2, owner);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}

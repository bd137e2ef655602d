package dev.cutter.core.check.derived;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.catalog.Privileges;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The privileges the artifact needs, derived from its DDL and checked for apply_role: CREATE on
 * each schema it creates objects in (CREATE on the database for CREATE SCHEMA), ownership of
 * what it ALTERs or DROPs (and of the table an index is built on), REFERENCES on foreign-key
 * targets, TEMPORARY on the database for temporary objects and USAGE on every schema it names;
 * statements whose privileges are not derived (DML, GRANT, DO, …) are named as such. Objects the artifact itself creates earlier are
 * owned by apply_role and need nothing more. Unqualified names resolve through apply_role's
 * search_path ({@link SearchPath}); the result says which.
 */
public final class ApplyRolePrivileges {

  public static final String ID = "apply_role_privileges";

  /** A privilege to check once, however many statements need it. */
  @FunctionalInterface
  private interface Probe {
    boolean held() throws SQLException;
  }

  private record Need(Probe probe, Cause.Grant grant, String absent, TreeSet<Integer> statements, List<Integer> lines) {}

  private final Connection c;
  private final long role;
  private final SearchPath path;
  private final Map<String, Need> needs = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final Map<String, Optional<Long>> schemaOids = new java.util.HashMap<>();
  private final List<String> absentObjects = new ArrayList<>();
  private final Set<String> createdSchemas = new HashSet<>();
  private final Set<ObjectName> created = new HashSet<>();
  private final Map<String, TreeSet<Integer>> notDerived = new LinkedHashMap<>();

  private ApplyRolePrivileges(Connection c, long role, SearchPath path) {
    this.c = c;
    this.role = role;
    this.path = path;
  }

  public static CheckResult run(CheckContext ctx) throws SQLException {
    String roleName = ctx.applyRole();
    Connection c = ctx.connection();
    List<Requirement> reqs = StatementAnalysis.requirements(ctx.statements());
    Optional<Long> role = CatalogObjects.roleOid(c, roleName);
    if (role.isEmpty()) {
      return ctx.fail(new Cause.ObjectsAbsent(List.of("role " + Identifiers.quote(roleName))),
          "apply_role " + Identifiers.quote(roleName) + " exists", "no such role",
          "apply_role " + roleName + " does not exist on the target");
    }
    String login = ctx.target().login().user();
    Optional<Long> loginOid = CatalogObjects.roleOid(c, login);
    boolean viaSetRole = login.equals(roleName)
        || (loginOid.isPresent() && Privileges.isMember(c, loginOid.get(), role.get()));
    SearchPath path = SearchPath.resolve(c, roleName, role.get(), viaSetRole);
    ApplyRolePrivileges a = new ApplyRolePrivileges(c, role.get(), path);
    for (Requirement r : reqs) {
      a.derive(r);
    }
    return a.result(ctx, roleName);
  }

  private CheckResult result(CheckContext ctx, String roleName) throws SQLException {
    String unread = notDerived();
    if (needs.isEmpty() && problems.isEmpty()) {
      return unread.isEmpty()
          ? ctx.pass("nothing: the artifact creates, alters or drops no object", "nothing needed", path.describe())
          : ctx.pass("nothing derived: the artifact creates, alters or drops no object", "nothing checked",
              path.describe() + "; " + unread);
    }
    List<String> expected = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<Cause.Grant> grants = new ArrayList<>();
    List<String> absent = new ArrayList<>(absentObjects);
    for (Map.Entry<String, Need> e : needs.entrySet()) {
      Need n = e.getValue();
      String where = statements(n.statements()) + (n.statements().size() > 1 ? ", first at line " : ", line ") + n.lines().get(0);
      expected.add(e.getKey() + " (" + where + ")");
      if (!n.probe().held()) {
        missing.add(e.getKey() + " (" + where + ")");
        if (n.grant() != null) {
          grants.add(n.grant().at(n.lines().get(0)));
        } else {
          absent.add(n.absent());
        }
      }
    }
    missing.addAll(problems);
    String exp = "apply_role " + Identifiers.quote(roleName) + ": " + String.join("; ", expected);
    if (missing.isEmpty()) {
      return ctx.pass(exp, "all held", "unqualified names resolve through " + path.describe() + (unread.isEmpty() ? "" : "; " + unread));
    }
    Cause cause = grants.isEmpty() ? new Cause.ObjectsAbsent(absent)
        : new Cause.MissingPrivilege(Cause.RoleKind.APPLY_ROLE, roleName, grants);
    return ctx.fail(cause, exp, "missing: " + String.join("; ", missing), "apply_role " + roleName + " lacks "
        + String.join("; ", missing) + ". Unqualified names resolve through " + path.describe() + (unread.isEmpty() ? "" : "; " + unread));
  }

  /** {@code not derived (the server checks them as they run): INSERT (statements 2-3); DO (statement 5)}, or empty. */
  private String notDerived() {
    if (notDerived.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    notDerived.forEach((command, idx) -> parts.add(command + " (" + statements(idx) + ")"));
    return "not derived (the server checks them as they run): " + String.join("; ", parts);
  }

  private void derive(Requirement r) throws SQLException {
    if (r instanceof Requirement.CreateSchema s) {
      need("CREATE on database", new Cause.Grant("CREATE", "database", null), r, () -> Privileges.onDatabase(c, role, "CREATE"));
      createdSchemas.add(Identifiers.truncate(s.schema()));
    } else if (r instanceof Requirement.CreateIn ci) {
      Optional<String> schema = ci.object().qualified() ? Optional.of(ci.object().schema()) : path.creationSchema();
      if (schema.isEmpty()) {
        absentObjects.add("a schema to create " + ci.kind().sqlName() + " " + ci.object() + " in");
        problems.add("a schema to create " + ci.kind().sqlName() + " " + ci.object() + " in (statement "
            + r.statement() + ", line " + r.line() + "): " + path.describe());
        return;
      }
      usage(ci.object(), r);
      createOn(schema.get(), r);
      created.add(ci.object().in(schema.get()));
    } else if (r instanceof Requirement.CreateIndex ix) {
      Optional<Found> table = resolve(ObjectKind.TABLE, ix.table(), r);
      if (table.isPresent() && !table.get().created()) {
        createOn(table.get().name().schema(), r);
        owner(ObjectKind.TABLE, table.get(), r);
      } else if (table.isEmpty()) {
        absentObjects.add("table " + ix.table());
        problems.add("table " + ix.table() + " to index (statement " + r.statement() + ", line " + r.line() + ") does not exist");
      }
    } else if (r instanceof Requirement.Owns o) {
      Optional<Found> obj = resolve(o.kind(), o.object(), r);
      if (obj.isPresent() && !obj.get().created()) {
        owner(o.kind(), obj.get(), r);
      } else if (obj.isEmpty() && !o.ifExists()) {
        absentObjects.add(o.kind().sqlName() + " " + o.object());
        problems.add(o.kind().sqlName() + " " + o.object() + " to " + o.verb() + " (statement " + r.statement()
            + ", line " + r.line() + ") does not exist");
      }
    } else if (r instanceof Requirement.CreateTemporary) {
      need("TEMPORARY on database", new Cause.Grant("TEMPORARY", "database", null), r, () -> Privileges.onDatabase(c, role, "TEMPORARY"));
    } else if (r instanceof Requirement.NotDerived nd) {
      notDerived.computeIfAbsent(nd.command(), k -> new TreeSet<>()).add(r.statement());
    } else if (r instanceof Requirement.References ref) {
      Optional<Found> t = resolve(ObjectKind.TABLE, ref.table(), r);
      if (t.isPresent() && !t.get().created()) {
        long oid = t.get().oid();
        need("REFERENCES on " + t.get().name(), new Cause.Grant("REFERENCES", "table", t.get().name().toString()), r, () -> Privileges.onTable(c, role, oid, "REFERENCES"));
      } else if (t.isEmpty()) {
        absentObjects.add("table " + ref.table());
        problems.add("foreign-key target " + ref.table() + " (statement " + r.statement() + ", line " + r.line()
            + ") does not exist");
      }
    }
  }

  /** An existing object (or one the artifact created earlier, {@code created}), with its owners. */
  private record Found(ObjectName name, boolean created, long oid, List<Long> owners) {}

  private Optional<Found> resolve(ObjectKind kind, ObjectName name, Requirement r) throws SQLException {
    if (kind == ObjectKind.SCHEMA) {
      if (createdSchemas.contains(name.name())) {
        return Optional.of(new Found(name, true, 0, List.of()));
      }
      List<Long> owners = CatalogObjects.owners(c, kind, null, name.name());
      return owners.isEmpty() ? Optional.empty() : Optional.of(new Found(name, false, 0, owners));
    }
    usage(name, r);
    for (String s : name.qualified() ? List.of(name.schema()) : path.lookupOrder()) {
      ObjectName candidate = name.in(s);
      if (created.contains(candidate)) {
        return Optional.of(new Found(candidate, true, 0, List.of()));
      }
      List<Long> owners = CatalogObjects.owners(c, kind, s, name.name());
      if (!owners.isEmpty()) {
        long oid = kind.isRelation() ? CatalogObjects.relationOid(c, s, name.name()).orElse(0L) : 0L;
        return Optional.of(new Found(candidate, false, oid, owners));
      }
    }
    return Optional.empty();
  }

  private void usage(ObjectName name, Requirement r) throws SQLException {
    if (!name.qualified() || createdSchemas.contains(name.schema()) || name.schema().equals("pg_catalog")) {
      return;
    }
    String schema = name.schema();
    Optional<Long> oid = schemaOid(schema);
    if (oid.isEmpty()) {
      absent("schema " + Identifiers.quote(schema), r);
      return;
    }
    need("USAGE on schema " + Identifiers.quote(schema), new Cause.Grant("USAGE", "schema", Identifiers.quote(schema)), r, () -> Privileges.onSchema(c, role, oid.get(), "USAGE"));
  }

  private void createOn(String schema, Requirement r) throws SQLException {
    if (createdSchemas.contains(schema)) {
      return;
    }
    Optional<Long> oid = schemaOid(schema);
    if (oid.isEmpty()) {
      absent("schema " + Identifiers.quote(schema), r);
      return;
    }
    need("CREATE on schema " + Identifiers.quote(schema), new Cause.Grant("CREATE", "schema", Identifiers.quote(schema)), r, () -> Privileges.onSchema(c, role, oid.get(), "CREATE"));
  }

  /** A schema's oid, read once per check (an artifact names the same schema in statement after statement). */
  private Optional<Long> schemaOid(String schema) throws SQLException {
    Optional<Long> known = schemaOids.get(schema);
    if (known == null) {
      known = CatalogObjects.schemaOid(c, schema);
      schemaOids.put(schema, known);
    }
    return known;
  }

  private void owner(ObjectKind kind, Found f, Requirement r) {
    need("ownership of " + kind.sqlName() + " " + f.name(), new Cause.Grant(Cause.Grant.OWNERSHIP, kind.sqlName(),
        f.name().toString()), r, () -> {
      for (long owner : f.owners()) {
        if (!Privileges.actsAs(c, role, owner)) {
          return false;
        }
      }
      return true;
    });
  }

  private void absent(String object, Requirement r) {
    Need n = needs.computeIfAbsent(object + " to exist", k -> new Need(() -> false, null, object, new TreeSet<>(),
        new ArrayList<>()));
    n.statements().add(r.statement());
    n.lines().add(r.line());
  }

  private void need(String what, Cause.Grant grant, Requirement r, Probe probe) {
    Need n = needs.computeIfAbsent(what, k -> new Need(probe, grant, null, new TreeSet<>(), new ArrayList<>()));
    n.statements().add(r.statement());
    n.lines().add(r.line());
  }

  /** {@code statement 3}, {@code statements 1-12}, {@code statements 1, 4, 7-9}. */
  static String statements(TreeSet<Integer> idx) {
    List<String> parts = new ArrayList<>();
    Integer start = null;
    Integer prev = null;
    for (int i : idx) {
      if (start == null) {
        start = i;
      } else if (i != prev + 1) {
        parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
        start = i;
      }
      prev = i;
    }
    if (start != null) {
      parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
    }
    return (idx.size() == 1 ? "statement " : "statements ") + String.join(", ", parts);
  }
}

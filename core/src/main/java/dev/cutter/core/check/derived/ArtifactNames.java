package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.derived.ArtifactSearchPath.PathName;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The P1 proof that every object the artifact names unqualified after setting its own search_path
 * ({@link ArtifactSearchPath}) is the one every other check read: the analysis names such an object
 * in the first schema that search_path lists (F), and PostgreSQL resolves it there when
 * <ol>
 *   <li>F exists and apply_role may use it (else the server skips it and looks further), or the
 *       artifact creates F before the statement;</li>
 *   <li>{@code pg_catalog}, searched first unless listed after F, holds nothing of that name;</li>
 *   <li>the object exists in F, or the artifact creates it there (else the server looks further
 *       along the path, or creates it in F).</li>
 * </ol>
 * Anything else refuses the package (BLOCKED): qualify the name. A name whose setting cutter cannot
 * follow, or under {@code SET LOCAL} in autocommit mode (where it lasts one statement), is refused
 * too. BEGIN compares (1) again under the change's locks and the step before COMMIT once more
 * ({@code BeginRecheck}): a schema cannot be locked.
 */
public final class ArtifactNames {

  public static final String ID = "artifact_names";

  private ArtifactNames() {}

  /**
   * Whether P1 has anything to prove: some statement names search_path, or the analysis named an
   * object under a path the artifact set otherwise ({@code SET SCHEMA}, a name spelled with escapes).
   */
  public static boolean applies(List<ExecStatement> statements) {
    for (ExecStatement s : statements) {
      if (ArtifactSearchPath.containsIgnoringCase(s.text(), "search_path")) {
        return true;
      }
    }
    return !StatementAnalysis.pathNames(statements).isEmpty();
  }

  /** The namespace an object's name lives in: relations share one, types and domains another, routines a third. */
  static String family(ObjectKind kind) {
    if (kind.isRelation()) {
      return "relation";
    }
    return switch (kind) {
      case TYPE, DOMAIN -> "type";
      case FUNCTION, PROCEDURE -> "routine";
      default -> kind.key();
    };
  }

  /**
   * Whether P1 may have anything to prove, read from the text alone without waiting for the analysis: some
   * statement may change the search_path ({@link ArtifactSearchPath#mayChange}). {@link #run} then answers no
   * result where {@link #applies} does not hold, and P1 reports nothing for the check.
   */
  public static boolean mayApply(List<ExecStatement> statements) {
    for (ExecStatement s : statements) {
      if (ArtifactSearchPath.mayChange(s.text())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The proof, or no result where the artifact sets no search_path of its own ({@link #applies} does not hold):
   * decided here, on a check's thread beside the others, so that P1's main thread does not wait for the analysis.
   */
  public static Optional<CheckResult> run(CheckContext ctx) throws SQLException {
    if (!applies(ctx.statements())) {
      return Optional.empty();
    }
    return Optional.of(prove(ctx));
  }

  private static CheckResult prove(CheckContext ctx) throws SQLException {
    List<PathName> names = StatementAnalysis.pathNames(ctx.statements());
    String expected = "every object the artifact names unqualified under a search_path it sets itself resolves in the"
        + " first schema that search_path lists";
    if (names.isEmpty()) {
      return ctx.pass(expected, "none named so", "no statement names an object unqualified under a search_path the artifact set");
    }
    Connection c = ctx.connection();
    Optional<Long> role = CatalogObjects.roleOid(c, ctx.applyRole());
    boolean autocommit = ctx.pkg().apply().mode() == ApplySettings.Mode.AUTOCOMMIT;
    Set<String> seen = new HashSet<>();
    Set<String> schemas = new LinkedHashSet<>();
    List<String> unproven = new ArrayList<>();
    List<String> why = new ArrayList<>();
    for (PathName n : names) {
      if (!seen.add(family(n.kind()) + " " + n.schema() + " " + n.name() + " " + n.created() + " " + n.setting() + " "
          + n.takenAway() + " " + (n.action() == Touch.Action.CREATE) + " " + n.role() + " " + n.afterCascade())) {
        continue;
      }
      String problem = problem(c, n, role.orElse(null), ctx.applyRole(), autocommit);
      if (problem != null) {
        unproven.add(n.where());
        why.add(n.where() + ", named unqualified under " + n.settingInWords() + ": " + problem);
      } else {
        schemas.add(Identifiers.quote(n.schema()));
      }
    }
    if (unproven.isEmpty()) {
      return ctx.pass(expected, "all " + seen.size() + " in " + String.join(", ", schemas), null);
    }
    return ctx.fail(new Cause.NameUnproven(unproven), expected, "unproven: " + String.join("; ", unproven),
        String.join("; ", why) + ". Qualify the name in the artifact.");
  }

  /** Why {@code n} may resolve elsewhere than its schema, or null when it resolves there. */
  private static String problem(Connection c, PathName n, Long role, String applyRole, boolean autocommit)
      throws SQLException {
    if (!(n.setting() instanceof ArtifactSearchPath.Set set)) {
      return "cutter cannot tell which schema PostgreSQL finds it in";
    }
    if (n.schema() == null) {
      return set.elements().stream().anyMatch(e -> !e.equals("pg_catalog") && !e.equals("pg_temp") && !e.isEmpty())
          ? "that search_path lists \"$user\" first, a schema the text alone cannot name"
          : "that search_path lists no schema to find or create it in but the catalog";
    }
    if (n.takenAway() != null) {
      return n.takenAway() + " and nothing creates it there again, so PostgreSQL would look further along the path";
    }
    if (autocommit && set.local()) {
      return "a local setting lasts only its own statement in autocommit mode, so PostgreSQL resolves the name through"
          + " the session's search_path";
    }
    String f = Identifiers.quote(n.schema());
    String who = n.role() == null ? "apply_role" : "role " + Identifiers.quote(n.role()) + ", which the artifact switches to,";
    if (n.role() != null) {
      role = CatalogObjects.roleOid(c, n.role()).orElse(null);
      if (role == null) {
        return "the role the artifact switches to, " + Identifiers.quote(n.role()) + ", does not exist";
      }
      applyRole = n.role();
    }
    if (!n.schemaCreated() && role != null) { // no apply_role: apply_role_privileges says so
      Boolean usable = usable(c, n.schema(), role);
      if (usable == null) {
        return "schema " + f + " does not exist, so PostgreSQL would look further along the path";
      }
      if (!usable) {
        return who + " may not use schema " + f + " (no USAGE), so PostgreSQL would skip it";
      }
    }
    // a CREATE goes to the first schema listed (pg_catalog only when listed before it, which the server refuses)
    if (set.catalogFirst() && n.action() != Touch.Action.CREATE && exists(c, n.kind(), "pg_catalog", n.name())) {
      return "pg_catalog holds a " + n.kind().sqlName() + " of that name, which PostgreSQL finds first";
    }
    if (n.action() == Touch.Action.CREATE && n.kind().isRelation() && temporaryBefore(set)) {
      return "that search_path lists pg_temp before " + f + ", so PostgreSQL creates it as a temporary relation";
    }
    if (family(n.kind()).equals("routine") && n.action() != Touch.Action.CREATE) {
      // a routine is found by its arguments along the whole path: one of that name elsewhere may be the one meant
      for (String other : set.elements()) {
        String schema = other.equals("$user") ? applyRole : other;
        if (!schema.equals(n.schema()) && !schema.isEmpty() && !schema.equals("pg_temp") && exists(c, n.kind(), schema, n.name())) {
          return "schema " + Identifiers.quote(schema) + ", also on that path, holds a routine of that name, which PostgreSQL"
              + " may find by its arguments instead";
        }
      }
      if (!set.catalogFirst() && exists(c, n.kind(), "pg_catalog", n.name())) {
        return "pg_catalog holds a routine of that name, which PostgreSQL may find by its arguments instead";
      }
    }
    if (n.afterCascade() != null && !n.created() && mayBeDroppedByACascade(c, n)) {
      return "the artifact drops with CASCADE or DROP OWNED at " + n.afterCascade() + ", which drops what depends on the"
          + " objects dropped, and " + f + "'s " + n.kind().sqlName() + " depends on other objects, so PostgreSQL may look"
          + " further along the path";
    }
    if (!n.created() && !exists(c, n.kind(), n.schema(), n.name())) {
      return "schema " + f + " holds no " + n.kind().sqlName() + " of that name (nor does the artifact create one there"
          + " before), so PostgreSQL would look further along the path";
    }
    return null;
  }

  /*
   * Whether the relation of that name in the schema, or its rewrite rule (a view's), depends on an object other
   * than its schema, its owner or the catalog's own (a view on a table, a child on its parent, a column of a type):
   * a DROP … CASCADE of that object drops it. A type or routine: always assumed so.
   */
  private static final String DEPENDS = """
      select 1 from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace
        join pg_catalog.pg_depend d on (d.classid operator(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               and d.objid operator(pg_catalog.=) c.oid)
            or (d.classid operator(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.objid in
               (select r.oid from pg_catalog.pg_rewrite r where r.ev_class operator(pg_catalog.=) c.oid))
       where n.nspname operator(pg_catalog.=) ?::pg_catalog.name and c.relname operator(pg_catalog.=) ?::pg_catalog.name
         and d.deptype in ('n', 'a')
         and d.refclassid operator(pg_catalog.<>) 'pg_catalog.pg_namespace'::pg_catalog.regclass
         and not (d.refclassid operator(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                  and d.refobjid operator(pg_catalog.=) c.oid)
         and d.refobjid operator(pg_catalog.>=) 16384
       limit 1""";

  private static boolean mayBeDroppedByACascade(Connection c, PathName n) throws SQLException {
    if (!n.kind().isRelation()) {
      return true;
    }
    try (PreparedStatement ps = c.prepareStatement(DEPENDS)) {
      ps.setString(1, n.schema());
      ps.setString(2, n.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Whether {@code set} lists pg_temp before its first schema: an unqualified CREATE of a relation goes there. */
  private static boolean temporaryBefore(ArtifactSearchPath.Set set) {
    int temp = set.elements().indexOf("pg_temp");
    return temp >= 0 && temp < set.elements().indexOf(set.first());
  }

  /** Whether apply_role may use {@code schema}; null when it does not exist. */
  private static Boolean usable(Connection c, String schema, long role) throws SQLException {
    Optional<Long> oid = CatalogObjects.schemaOid(c, schema);
    return oid.isEmpty() ? null : dev.cutter.core.catalog.Privileges.onSchema(c, role, oid.get(), "USAGE");
  }

  /** Whether {@code schema} holds an object named {@code name} in {@code kind}'s namespace. */
  private static boolean exists(Connection c, ObjectKind kind, String schema, String name) throws SQLException {
    String sql = switch (family(kind)) {
      case "relation" -> "select 1 from pg_catalog.pg_class o join pg_catalog.pg_namespace n on n.oid = o.relnamespace"
          + " where n.nspname = ?::name and o.relname = ?::name";
      case "type" -> "select 1 from pg_catalog.pg_type o join pg_catalog.pg_namespace n on n.oid = o.typnamespace"
          + " where n.nspname = ?::name and o.typname = ?::name";
      case "routine" -> "select 1 from pg_catalog.pg_proc o join pg_catalog.pg_namespace n on n.oid = o.pronamespace"
          + " where n.nspname = ?::name and o.proname = ?::name";
      default -> null;
    };
    if (sql == null) {
      return false;
    }
    try (PreparedStatement ps = c.prepareStatement(sql + " limit 1")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}

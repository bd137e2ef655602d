package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.Privileges;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code privilege: { role, schema, table?, has: [...], lacks: [...] }}: what {@code role} may
 * and may not do, as PostgreSQL decides it (inherited grants and PUBLIC count).
 *
 * <ul>
 *   <li>Without {@code table}, the privileges are on the schema: {@code USAGE}, {@code CREATE},
 *       {@code OWNER} (the role owns the schema or inherits its owner's rights).
 *   <li>With {@code table}, on that table, view or sequence in the schema: {@code SELECT},
 *       {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code TRUNCATE}, {@code REFERENCES},
 *       {@code TRIGGER}, {@code OWNER}.
 *   <li>{@code MEMBER OF other_role}, anywhere: the role is a member of {@code other_role},
 *       directly or through other roles. A check of memberships alone needs no schema.
 * </ul>
 * {@code has} lists what must hold, {@code lacks} what must not (to prove nothing was
 * over-granted); at least one of them. Keywords are written in capitals, as PostgreSQL's
 * documentation writes them.
 */
public final class PrivilegeCheck extends BuiltInCheck<PrivilegeCheck.Args> {

  public static final String NAME = "privilege";
  public static final List<String> SCHEMA_PRIVILEGES = List.of("USAGE", "CREATE", "OWNER");
  public static final List<String> TABLE_PRIVILEGES =
      List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "OWNER");
  public static final String MEMBER_OF = "MEMBER OF ";

  /** Valid arguments; privileges as written, {@code MEMBER OF x} included. */
  public record Args(String role, Optional<String> schema, Optional<String> table, List<String> has, List<String> lacks) {
    public Args {
      has = List.copyOf(has);
      lacks = List.copyOf(lacks);
    }
  }

  public PrivilegeCheck() {
    super(NAME, PrivilegeCheck::read);
  }

  /** The arguments, when they are valid. */
  public static Optional<Args> read(YamlValue args, Problems problems) {
    YamlFields f = new YamlFields(problems);
    return f.mapping(args, problems.context(), List.of("role"), List.of("schema", "table", "has", "lacks")).flatMap(m -> {
      int before = problems.count();
      Optional<String> role = m.get("role").flatMap(v -> f.identifier(v, problems.field("role")));
      Optional<String> schema = m.get("schema").flatMap(v -> f.identifier(v, problems.field("schema")));
      Optional<String> table = m.get("table").flatMap(v -> f.identifier(v, problems.field("table")));
      List<String> allowed = m.get("table").isPresent() ? TABLE_PRIVILEGES : SCHEMA_PRIVILEGES;
      List<String> has = m.get("has").map(v -> privileges(f, v, problems.field("has"), allowed)).orElse(List.of());
      List<String> lacks = m.get("lacks").map(v -> privileges(f, v, problems.field("lacks"), allowed)).orElse(List.of());
      if (m.get("has").isEmpty() && m.get("lacks").isEmpty()) {
        problems.add(m.position(), problems.context() + ": list what the role has, lacks, or both");
      }
      for (String p : has) {
        if (lacks.contains(p)) {
          problems.add(m.keyPosition("lacks"), problems.field("lacks") + ": " + p + " is also listed under has");
        }
      }
      boolean onObjects = m.get("table").isPresent() || has.stream().anyMatch(p -> !p.startsWith(MEMBER_OF))
          || lacks.stream().anyMatch(p -> !p.startsWith(MEMBER_OF));
      if (onObjects && m.get("schema").isEmpty()) {
        problems.add(m.position(), problems.context() + ": missing required field 'schema'");
      }
      return problems.count() == before && role.isPresent()
          ? Optional.of(new Args(role.get(), schema, table, has, lacks))
          : Optional.empty();
    });
  }

  private static List<String> privileges(YamlFields f, YamlValue v, String field, List<String> allowed) {
    f.strings(v, field); // reports anything that is not a non-empty list of strings
    List<YamlValue> items = v instanceof YamlValue.Sequence s ? s.items() : List.of();
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof YamlValue.Scalar s && s.isString() && !s.value().isBlank()) {
        String problem = privilegeProblem(s.value(), allowed);
        if (problem == null) {
          valid.add(s.value());
        } else {
          f.report(s, dev.cutter.core.model.YamlFields.item(field, i), problem);
        }
      }
    }
    return valid;
  }

  private static String privilegeProblem(String p, List<String> allowed) {
    if (p.equals(MEMBER_OF.strip())) {
      return "MEMBER OF needs a role name";
    }
    if (p.startsWith(MEMBER_OF)) {
      String role = p.substring(MEMBER_OF.length());
      String problem = role.isBlank() ? "MEMBER OF needs a role name" : YamlFields.identifierProblem(role);
      return problem;
    }
    if (allowed.contains(p)) {
      return null;
    }
    String where = allowed == TABLE_PRIVILEGES ? "a table" : "a schema (add table: for table privileges)";
    return "'" + p + "' is not a privilege on " + where + "; expected one of " + String.join(", ", allowed) + " or MEMBER OF role";
  }

  @Override
  protected CheckResult check(Args args, CheckContext ctx) throws SQLException {
    Connection c = ctx.connection();
    String on = args.table().map(t -> " on " + Identifiers.qualified(args.schema().orElseThrow(), t))
        .orElse(args.schema().map(s -> " on schema " + Identifiers.quote(s)).orElse(""));
    String expected = "role " + Identifiers.quote(args.role()) + (args.has().isEmpty() ? "" : " has " + String.join(", ", args.has()))
        + (args.has().isEmpty() || args.lacks().isEmpty() ? "" : " and") + (args.lacks().isEmpty() ? "" : " lacks "
        + String.join(", ", args.lacks())) + on;
    Optional<Long> role = CatalogObjects.roleOid(c, args.role());
    if (role.isEmpty()) {
      return ctx.fail(new Cause.ObjectsAbsent(List.of("role " + Identifiers.quote(args.role()))), expected, "no role " + Identifiers.quote(args.role()), "role " + args.role() + " does not exist");
    }
    Optional<Long> schema = Optional.empty();
    if (args.schema().isPresent()) {
      schema = CatalogObjects.schemaOid(c, args.schema().get());
      if (schema.isEmpty()) {
        return ctx.fail(new Cause.ObjectsAbsent(List.of("schema " + Identifiers.quote(args.schema().get()))), expected,
            "no schema " + Identifiers.quote(args.schema().get()), "schema " + args.schema().get() + " does not exist");
      }
    }
    Optional<Long> table = Optional.empty();
    if (args.table().isPresent()) {
      table = CatalogObjects.relationOid(c, args.schema().get(), args.table().get());
      if (table.isEmpty()) {
        return ctx.fail(new Cause.ObjectsAbsent(List.of("relation" + on.substring(3))), expected, "no relation" + on.substring(3), "relation" + on.substring(3) + " does not exist");
      }
    }
    List<String> held = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    List<Cause.Grant> lacking = new ArrayList<>();
    List<Cause.Grant> unwanted = new ArrayList<>();
    String objectKind = args.table().isPresent() ? "table" : args.schema().isPresent() ? "schema" : "database";
    String object = args.table().map(t -> Identifiers.qualified(args.schema().orElseThrow(), t))
        .orElse(args.schema().map(Identifiers::quote).orElse(ctx.pkg().target().database()));
    for (String p : args.has()) {
      boolean h = holds(c, role.get(), schema, table, p);
      (h ? held : wrong).add(h ? p : "lacks " + p);
      if (!h) {
        lacking.add(new Cause.Grant(p, objectKind, object));
      }
    }
    for (String p : args.lacks()) {
      if (holds(c, role.get(), schema, table, p)) {
        wrong.add("has " + p);
        unwanted.add(new Cause.Grant(p, objectKind, object));
      }
    }
    String actual = wrong.isEmpty() ? "as expected" : String.join(", ", wrong);
    return ctx.result(wrong.isEmpty(), () -> lacking.isEmpty() ? new Cause.UnwantedPrivilege(args.role(), unwanted)
        : new Cause.MissingPrivilege(Cause.RoleKind.PACKAGE_CHECK, args.role(), lacking), expected, actual, wrong.isEmpty() ? null
        : "role " + args.role() + " " + String.join(", ", wrong) + on);
  }

  private static boolean holds(Connection c, long role, Optional<Long> schema, Optional<Long> table, String p)
      throws SQLException {
    if (p.startsWith(MEMBER_OF)) {
      Optional<Long> other = CatalogObjects.roleOid(c, p.substring(MEMBER_OF.length()));
      return other.isPresent() && Privileges.isMember(c, role, other.get());
    }
    if (table.isPresent()) {
      return p.equals("OWNER") ? Privileges.ownsRelation(c, role, table.get()) : Privileges.onTable(c, role, table.get(), p);
    }
    return p.equals("OWNER") ? Privileges.ownsSchema(c, role, schema.orElseThrow())
        : Privileges.onSchema(c, role, schema.orElseThrow(), p);
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}

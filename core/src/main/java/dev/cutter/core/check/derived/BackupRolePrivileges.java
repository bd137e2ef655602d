package dev.cutter.core.check.derived;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.model.BackupPolicy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What pg_dump needs of backup_role over the backup scope: USAGE on every schema and SELECT on
 * every table (ordinary and partitioned) and sequence in it. The whole-database scope is every
 * schema but the system ones (pg_catalog, information_schema, pg_toast, temporary schemas).
 * Materialized views, views and foreign tables hold no data pg_dump reads, so they need nothing.
 */
public final class BackupRolePrivileges {

  public static final String ID = "backup_role_privileges";

  /** How many missing objects the message names before it counts the rest. */
  static final int SHOWN = 10;

  private static final String SCOPE = """
      n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
        and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'
        and (cardinality(?::name[]) = 0 or n.nspname = any (?::name[]))""";

  private BackupRolePrivileges() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    BackupPolicy policy = ctx.pkg().backup();
    if (!policy.required()) {
      return ctx.skipped("backup.required is false: no backup runs, so backup_role needs nothing");
    }
    String roleName = ctx.pkg().target().backupRole().orElse(ctx.target().login().user());
    String scope = policy.wholeDatabase() ? "the whole database" : "schemas " + String.join(", ", policy.schemas());
    String expected = "backup_role " + Identifiers.quote(roleName) + ": USAGE on every schema and SELECT on every table"
        + " and sequence of " + scope;
    Connection c = ctx.connection();
    Optional<Long> role = CatalogObjects.roleOid(c, roleName);
    if (role.isEmpty()) {
      return ctx.fail(new Cause.ObjectsAbsent(List.of("role " + Identifiers.quote(roleName))), expected, "no such role", "backup_role " + roleName + " does not exist on the target");
    }
    String[] schemas = policy.schemas().stream().map(Identifiers::truncate).toArray(String[]::new);
    List<String> problems = new ArrayList<>();
    List<Cause.Grant> grants = new ArrayList<>();
    List<String> noUsage = names(c, "select pg_catalog.quote_ident(n.nspname) from pg_catalog.pg_namespace n where " + SCOPE
        + " and not pg_catalog.has_schema_privilege(?::oid, n.oid, 'USAGE') order by 1", schemas, role.get());
    if (!noUsage.isEmpty()) {
      problems.add("USAGE on schema " + shown(noUsage));
      noUsage.forEach(n -> grants.add(new Cause.Grant("USAGE", "schema", n)));
    }
    List<String> absent = new ArrayList<>(policy.schemas().stream().map(Identifiers::truncate).toList());
    absent.removeAll(names(c, "select n.nspname from pg_catalog.pg_namespace n where " + SCOPE, schemas, null));
    if (!absent.isEmpty()) {
      problems.add("schema " + shown(absent.stream().map(Identifiers::quote).toList()) + " to exist");
    }
    List<String> noSelect = names(c, "select pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)"
        + " || case c.relkind when 'S' then ' sequence' else ' table' end from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        + " where c.relkind in ('r', 'p', 'S') and " + SCOPE
        + " and not pg_catalog.has_table_privilege(?::oid, c.oid, 'SELECT') order by 1", schemas, role.get());
    int sequences = 0;
    for (String n : noSelect) {
      int sp = n.lastIndexOf(' ');
      String kind = n.substring(sp + 1);
      sequences += kind.equals("sequence") ? 1 : 0;
      grants.add(new Cause.Grant("SELECT", kind, n.substring(0, sp)));
    }
    noSelect = noSelect.stream().map(n -> n.substring(0, n.lastIndexOf(' '))).toList();
    if (!noSelect.isEmpty()) {
      problems.add("SELECT on " + counted(noSelect.size() - sequences, "table") + (sequences > 0
          && sequences < noSelect.size() ? " and " : "") + counted(sequences, "sequence") + ": " + shown(noSelect));
    }
    if (problems.isEmpty()) {
      return ctx.pass(expected, "all held", null);
    }
    Cause cause = grants.isEmpty()
        ? new Cause.ObjectsAbsent(absent.stream().map(s -> "schema " + Identifiers.quote(s)).toList())
        : new Cause.MissingPrivilege(Cause.RoleKind.BACKUP_ROLE, roleName, grants);
    return ctx.fail(cause, expected, "missing: " + String.join("; ", problems),
        "backup_role " + roleName + " lacks " + String.join("; ", problems) + ": pg_dump would fail");
  }

  /** "1 table", "3 sequences", or nothing for none. */
  private static String counted(int n, String noun) {
    return n == 0 ? "" : n + " " + noun + (n == 1 ? "" : "s");
  }

  /** Names (already quoted) for a message, the first {@link #SHOWN} of them. */
  private static String shown(List<String> names) {
    return names.size() <= SHOWN ? String.join(", ", names)
        : String.join(", ", names.subList(0, SHOWN)) + " and " + (names.size() - SHOWN) + " more";
  }

  private static List<String> names(Connection c, String sql, String[] schemas, Long role) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array a = c.createArrayOf("text", schemas);
      ps.setArray(1, a);
      ps.setArray(2, a);
      if (role != null) {
        ps.setLong(3, role);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}

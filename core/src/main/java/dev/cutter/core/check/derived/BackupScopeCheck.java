package dev.cutter.core.check.derived;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.model.BackupPolicy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backup covers what the change touches (issue 19.8): with {@code backup.scope: {schemas: […]}},
 * every schema holding an object the artifact alters, drops, truncates, writes, indexes, references
 * or triggers on must be in the scope, or the backup would not hold what the change may destroy.
 * Objects the artifact creates need no backup. Unqualified names resolve through apply_role's
 * search_path: an existing relation in the first schema that holds it, anything else in the
 * creation schema.
 */
public final class BackupScopeCheck {

  public static final String ID = "backup_scope";

  private BackupScopeCheck() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    BackupPolicy policy = ctx.pkg().backup();
    if (!policy.required()) {
      return ctx.skipped("backup.required is false: no backup runs");
    }
    if (policy.wholeDatabase()) {
      return ctx.pass("the backup scope holds every schema the change touches", "scope: the whole database", null);
    }
    List<String> scope = policy.schemas().stream().map(Identifiers::truncate).toList();
    Connection c = ctx.connection();
    Optional<SearchPath> path = Optional.empty();
    boolean pathRead = false;
    Map<String, String> outside = new LinkedHashMap<>();
    StatementAnalysis analysis = StatementAnalysis.of(ctx.statements());
    for (int i = 0; i < ctx.statements().size(); i++) {
      for (Touch t : analysis.touchesAt(i)) {
        if (t.action() == Touch.Action.CREATE) {
          continue;
        }
        String schema;
        if (t.kind() == ObjectKind.SCHEMA) {
          schema = t.object().name();
        } else if (t.object().qualified()) {
          schema = t.object().schema();
        } else {
          if (!pathRead) {
            path = SearchPath.forApplyRole(c, ctx.applyRole(), ctx.target().login().user());
            pathRead = true;
          }
          schema = path.isEmpty() ? null : resolve(c, t, path.get());
        }
        if (schema != null && !scope.contains(schema)) {
          outside.putIfAbsent(schema, "statement " + t.statement() + ", line " + t.line() + ": "
              + t.action().name().replace('_', ' ') + " " + t.kind().sqlName() + " " + t.object());
        }
      }
    }
    String expected = "every schema the change alters, drops or writes is in the backup scope (schemas "
        + String.join(", ", scope.stream().map(Identifiers::quote).toList()) + ")";
    if (outside.isEmpty()) {
      return ctx.pass(expected, "all inside", null);
    }
    List<String> named = new ArrayList<>();
    outside.forEach((schema, first) -> named.add("schema " + Identifiers.quote(schema) + " (" + first + ")"));
    return ctx.fail(new Cause.OutsideBackupScope(outside.keySet().stream().map(Identifiers::quote).toList()),
        expected, "outside: " + String.join("; ", named), "the change touches " + String.join("; ", named)
        + ", outside the backup scope: the backup would not hold it. Add the schema to backup.scope, or use scope: database");
  }

  /** The schema an unqualified name resolves to: an existing relation's, else the creation schema. */
  private static String resolve(Connection c, Touch t, SearchPath path) throws SQLException {
    if (t.kind().isRelation()) {
      List<String> order = path.lookupOrder();
      try (PreparedStatement ps = c.prepareStatement("select n.nspname from pg_catalog.pg_class r"
          + " join pg_catalog.pg_namespace n on n.oid = r.relnamespace"
          + " where r.relname = ? and n.nspname = any (?::name[]) order by array_position(?::name[], n.nspname) limit 1")) {
        Array a = c.createArrayOf("text", order.toArray());
        ps.setString(1, t.object().name());
        ps.setArray(2, a);
        ps.setArray(3, a);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getString(1);
          }
        }
      }
    }
    return path.creationSchema().orElse(null);
  }
}

package dev.cutter.core.check.derived;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.BackupPolicy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    boolean whole = policy.wholeDatabase();
    List<String> scope = policy.schemas().stream().map(Identifiers::truncate).toList();
    Connection c = ctx.connection();
    Optional<SearchPath> path = Optional.empty();
    boolean pathRead = false;
    Map<String, String> outside = new LinkedHashMap<>();
    Map<Long, String> destroyed = new LinkedHashMap<>();
    Map<String, List<Reached>> reachedOf = new HashMap<>();
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
        String what = "statement " + t.statement() + ", line " + t.line() + ": "
            + t.action().name().replace('_', ' ') + " " + t.kind().sqlName() + " " + t.object();
        if (!whole && schema != null && !scope.contains(schema)) {
          outside.putIfAbsent(schema, what);
        }
        boolean droppedSchema = t.kind() == ObjectKind.SCHEMA && t.action() == Touch.Action.DROP;
        if (schema != null && (t.kind().isRelation() || droppedSchema)) {
          // a dropped schema: every table in it, whose partitions and children go with it
          String name = droppedSchema ? null : t.object().name();
          String key = schema + '\0' + (name == null ? "\0*" : name) + '\0' + mode(t.action());
          List<Reached> reached = reachedOf.get(key);
          if (reached == null) {
            reached = reached(c, schema, name, t.action());
            reachedOf.put(key, reached);
          }
          for (Reached r : reached) {
            if (!whole && r.how() != null && !scope.contains(r.schema())) {
              outside.putIfAbsent(r.schema(), what + " reaches " + Identifiers.qualified(r.schema(), r.name())
                  + " (" + r.how() + ")");
            }
            if (t.dropsData()) {
              destroyed.putIfAbsent(r.oid(), what);
            }
          }
        }
      }
    }
    if (!whole) {
      for (ExecStatement s : ctx.statements()) {
        Optional<String> call = largeObjectWrite(s.text());
        if (call.isPresent()) {
          outside.putIfAbsent(LARGE_OBJECTS, "statement " + s.index() + ", line " + s.line() + ": " + call.get()
              + "; pg_dump leaves every large object out of a backup scoped to schemas");
          break;
        }
      }
    }
    List<String> members = extensionMembers(c, destroyed);
    if (!members.isEmpty()) {
      return ctx.fail(new Cause.NotInAnyBackup(members.stream().map(m -> m.substring(0, m.indexOf(" ("))).toList()),
          "no table whose rows the change destroys is left out of every backup", "extension members: "
          + String.join("; ", members), "the change destroys rows of " + String.join("; ", members)
          + ": pg_dump dumps the extension, not its member tables' data, so no backup holds them");
    }
    if (whole) {
      return ctx.pass("the backup scope holds every schema the change touches", "scope: the whole database", null);
    }
    String expected = "every schema the change alters, drops or writes is in the backup scope (schemas "
        + String.join(", ", scope.stream().map(Identifiers::quote).toList()) + ")";
    if (outside.isEmpty()) {
      return ctx.pass(expected, "all inside", null);
    }
    List<String> named = new ArrayList<>();
    outside.forEach((schema, first) -> named.add(what(schema) + " (" + first + ")"));
    return ctx.fail(new Cause.OutsideBackupScope(outside.keySet().stream().map(BackupScopeCheck::what).toList()),
        expected, "outside: " + String.join("; ", named), "the change touches " + String.join("; ", named)
        + ", outside the backup scope: the backup would not hold it. Add the schema to backup.scope, or use scope: database");
  }

  /**
   * Of the relations whose rows the change destroys, the tables that belong to an extension and
   * whose data pg_dump does not dump (it dumps a member's data only when the extension marked it
   * with pg_extension_config_dump, and then all of it only without a condition): each as
   * {@code schema.table (member of extension e; statement …)}.
   */
  private static List<String> extensionMembers(Connection c, Map<Long, String> destroyed) throws SQLException {
    List<String> out = new ArrayList<>();
    if (destroyed.isEmpty()) {
      return out;
    }
    try (PreparedStatement ps = c.prepareStatement("""
        select c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), e.extname
          from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = c.oid
            and d.deptype = 'e' and d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          join pg_catalog.pg_extension e on e.oid = d.refobjid
         where c.oid = any (?::oid[]) and c.relkind in ('r', 'p')
           and not exists (select 1 from rows from (pg_catalog.unnest(e.extconfig), pg_catalog.unnest(e.extcondition)) u(o, w)
                            where u.o = c.oid and coalesce(u.w, '') = '')
         order by 2""")) {
      ps.setArray(1, c.createArrayOf("bigint", destroyed.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(2) + " (member of extension " + Identifiers.quote(rs.getString(3)) + "; "
              + destroyed.get(rs.getLong(1)) + ")");
        }
      }
    }
    return out;
  }

  /** The key of {@code outside} for large objects: no schema name (none is empty). */
  private static final String LARGE_OBJECTS = "";

  /** The server's functions that unlink, truncate or write a large object (lo_open is needed for lowrite). */
  private static final List<String> LARGE_OBJECT_WRITES = List.of("lo_unlink", "lo_put", "lowrite", "lo_truncate",
      "lo_truncate64");

  private static String what(String outsideKey) {
    return outsideKey.equals(LARGE_OBJECTS) ? "large objects" : "schema " + Identifiers.quote(outsideKey);
  }

  /**
   * The first call in {@code sql} of a function that unlinks, truncates or overwrites a large
   * object ({@code name(}, written as a word or a quoted name, schema-qualified or not), as
   * {@code "calls lo_unlink"}; a function whose body calls one is not seen.
   */
  static Optional<String> largeObjectWrite(String sql) {
    List<SqlTokens.Token> tokens = SqlTokens.of(sql);
    for (int i = 0; i + 1 < tokens.size(); i++) {
      SqlTokens.Token t = tokens.get(i);
      if (t.isName() && LARGE_OBJECT_WRITES.contains(t.text()) && tokens.get(i + 1).isPunct('(')) {
        return Optional.of("calls " + t.text());
      }
    }
    return Optional.empty();
  }

  private static int mode(Touch.Action action) {
    return switch (action) {
      case INSERT, UPDATE, DELETE -> 1;
      case TRUNCATE -> 2;
      default -> 0;
    };
  }

  /** A relation a statement on another one writes, drops or alters, and how it reaches it. */
  private record Reached(long oid, String schema, String name, String how) {}

  /**
   * Where a statement on an existing relation reaches beyond it: partitions and inheritance
   * children (any statement: a DROP of a partitioned table drops its partitions, DML and
   * TRUNCATE descend, ALTER recurses), tables a foreign key's action cascades into (a DELETE or
   * UPDATE: ON DELETE/UPDATE CASCADE, SET NULL, SET DEFAULT; a TRUNCATE: every referencing table,
   * which it must truncate too or fail), and the relations a view's or a table's rules read or
   * write (DML only). pg_dump {@code --schema} holds none of them when they live in another schema.
   * The named relation itself comes first, its {@code how} null; with {@code name} null, every
   * table of the schema (a dropped schema's).
   */
  private static List<Reached> reached(Connection c, String schema, String name, Touch.Action action)
      throws SQLException {
    boolean dml = action == Touch.Action.INSERT || action == Touch.Action.UPDATE || action == Touch.Action.DELETE;
    boolean truncate = action == Touch.Action.TRUNCATE;
    List<Reached> out = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    List<Long> frontier = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("select r.oid, r.relname from pg_catalog.pg_class r join pg_catalog.pg_namespace n"
        + " on n.oid = r.relnamespace where n.nspname = ? and (r.relname = ? or (?::text is null and r.relkind in ('r', 'p')))")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      ps.setString(3, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          frontier.add(rs.getLong(1));
          out.add(new Reached(rs.getLong(1), schema, rs.getString(2), null));
        }
      }
    }
    seen.addAll(frontier);
    String next = """
        select x.oid, n.nspname, c.relname, x.how from (
          select i.inhrelid as oid, 'a partition or child table of ' || i.inhparent::pg_catalog.regclass::text as how
            from pg_catalog.pg_inherits i where i.inhparent = any (?::oid[])
          union all
          select f.conrelid, 'its foreign key ' || pg_catalog.quote_ident(f.conname) || ' cascades from '
              || f.confrelid::pg_catalog.regclass::text
            from pg_catalog.pg_constraint f where f.contype = 'f' and f.confrelid = any (?::oid[])
              and (? or (? and (f.confdeltype in ('c', 'n', 'd') or f.confupdtype in ('c', 'n', 'd'))))
          union all
          select d.refobjid, 'a rule of ' || w.ev_class::pg_catalog.regclass::text || ' reads or writes it'
            from pg_catalog.pg_rewrite w join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              and d.objid = w.oid and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            where ? and w.ev_class = any (?::oid[]) and d.refobjid <> w.ev_class
        ) x join pg_catalog.pg_class c on c.oid = x.oid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'f', 'm')""";
    while (!frontier.isEmpty()) {
      Array a = c.createArrayOf("bigint", frontier.toArray());
      frontier = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(next)) {
        ps.setArray(1, a);
        ps.setArray(2, a);
        ps.setBoolean(3, truncate);
        ps.setBoolean(4, dml);
        ps.setBoolean(5, dml);
        ps.setArray(6, a);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (seen.add(rs.getLong(1))) {
              frontier.add(rs.getLong(1));
              out.add(new Reached(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
          }
        }
      }
    }
    return out;
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

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
    // every touch's schema first (in order), then what they reach, read for all of them at once: a query
    // per touched relation was a round trip each (thousands for a long artifact), nearly all finding nothing
    List<Pending> pending = new ArrayList<>();
    Map<String, Root> roots = new LinkedHashMap<>();
    List<Dropped> drops = new ArrayList<>();
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
        boolean droppedSchema = t.kind() == ObjectKind.SCHEMA && t.action() == Touch.Action.DROP;
        String key = null;
        if (schema != null && (t.kind().isRelation() || droppedSchema)) {
          // a dropped schema: every table in it, whose partitions and children go with it
          String name = droppedSchema ? null : t.object().name();
          key = schema + '\0' + (name == null ? "\0*" : name) + '\0' + mode(t.action());
          roots.putIfAbsent(key, new Root(schema, name, mode(t.action())));
        }
        pending.add(new Pending(schema, what, key, t.dropsData()));
        String family = dependedOn(t);
        if (schema != null && family != null) {
          drops.add(new Dropped(family, schema, t.kind() == ObjectKind.SCHEMA ? null : t.object().name(), what));
        }
      }
    }
    Map<String, List<Reached>> reachedOf = reached(c, roots);
    for (Pending t : pending) {
      if (!whole && t.schema() != null && !scope.contains(t.schema())) {
        outside.putIfAbsent(t.schema(), t.what());
      }
      if (t.key() == null) {
        continue;
      }
      for (Reached r : reachedOf.get(t.key())) {
        if (!whole && r.how() != null && !scope.contains(r.schema())) {
          outside.putIfAbsent(r.schema(), t.what() + " reaches " + Identifiers.qualified(r.schema(), r.name())
              + " (" + r.how() + ")");
        }
        if (t.dropsData()) {
          destroyed.putIfAbsent(r.oid(), t.what());
        }
      }
    }
    // what a DROP's CASCADE takes along through the catalog's dependencies (after the links above, which name it better)
    for (Map.Entry<Dropped, List<Reached>> e : droppedWith(c, drops).entrySet()) {
      for (Reached r : e.getValue()) {
        if (!whole && !scope.contains(r.schema())) {
          outside.putIfAbsent(r.schema(), e.getKey().what() + " drops " + r.how() + Identifiers.qualified(r.schema(), r.name()));
        }
        destroyed.putIfAbsent(r.oid(), e.getKey().what());
      }
    }
    // DROP OWNED BY names no table, yet drops every one its roles own, and their schemas with what is in them (B17)
    for (ExecStatement s : ctx.statements()) {
      List<String> owners = ArtifactSearchPath.containsIgnoringCase(s.text(), "owned")
          ? dropOwnedBy(s.text(), ctx.applyRole(), ctx.target().login().user()) : List.of();
      if (owners.isEmpty()) {
        continue;
      }
      String what = "statement " + s.index() + ", line " + s.line() + ": DROP OWNED BY "
          + String.join(", ", owners.stream().map(Identifiers::quote).toList());
      for (Reached r : ownedBy(c, owners)) {
        if (!whole && !scope.contains(r.schema())) {
          outside.putIfAbsent(r.schema(), what + " drops " + Identifiers.qualified(r.schema(), r.name()));
        }
        destroyed.putIfAbsent(r.oid(), what);
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
    List<Member> found = extensionMembers(c, destroyed);
    if (!found.isEmpty()) {
      List<String> members = found.stream().map(Member::said).toList();
      return ctx.fail(new Cause.NotInAnyBackup(found.stream().map(Member::relation).toList()),
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
   * with pg_extension_config_dump, and then all of it only without a condition).
   */
  private static List<Member> extensionMembers(Connection c, Map<Long, String> destroyed) throws SQLException {
    List<Member> out = new ArrayList<>();
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
          out.add(new Member(rs.getString(2), rs.getString(3), destroyed.get(rs.getLong(1))));
        }
      }
    }
    return out;
  }

  /** An extension's member table whose rows the change destroys: {@code relation} as {@code schema.table}. */
  private record Member(String relation, String extension, String statement) {
    /** As the report says it: {@code schema.table (member of extension e; statement …)}. */
    String said() {
      return relation + " (member of extension " + Identifiers.quote(extension) + "; " + statement + ")";
    }
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
    // most statements: no tokens read (a long artifact's every statement is asked)
    return mayNameALargeObjectWrite(sql) ? largeObjectWriteInTokens(sql) : Optional.empty();
  }

  /** {@link #largeObjectWrite} from {@code sql}'s tokens, whatever its text. */
  static Optional<String> largeObjectWriteInTokens(String sql) {
    List<SqlTokens.Token> tokens = SqlTokens.of(sql);
    boolean unicode = ArtifactSearchPath.containsIgnoringCase(sql, "u&\"");
    for (int i = 0; i + 1 < tokens.size(); i++) {
      SqlTokens.Token t = tokens.get(i);
      if (!t.isName()) {
        continue;
      }
      int next = i + 1;
      char escape = '\\';
      if (unicode && t.kind() == SqlTokens.Kind.QUOTED && next + 1 < tokens.size() && tokens.get(next).is("uescape")
          && tokens.get(next + 1).kind() == SqlTokens.Kind.STRING && tokens.get(next + 1).text().length() == 1) {
        escape = tokens.get(next + 1).text().charAt(0);
        next += 2;
      }
      // a quoted name may be written U&"lo\005funlink": the tokens keep its escapes, the server reads them
      String name = unicode && t.kind() == SqlTokens.Kind.QUOTED ? unescaped(t.text(), escape) : t.text();
      if (LARGE_OBJECT_WRITES.contains(name) && next < tokens.size() && tokens.get(next).isPunct('(')) {
        return Optional.of("calls " + name);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code text} of a {@code U&"…"} name as the server reads it: {@code escape} and four hex digits, or {@code
   * escape}, {@code +} and six, is that code point; {@code escape} twice is itself; else as written (which the server
   * refuses).
   */
  static String unescaped(String text, char escape) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != escape || i + 1 >= text.length()) {
        b.append(c);
      } else if (text.charAt(i + 1) == escape) {
        b.append(escape);
        i++;
      } else {
        int digits = text.charAt(i + 1) == '+' ? 6 : 4;
        int from = i + 1 + (digits == 6 ? 1 : 0);
        if (from + digits <= text.length() && text.substring(from, from + digits).chars().allMatch(d -> Character.digit(d, 16) >= 0)) {
          b.appendCodePoint(Integer.parseInt(text.substring(from, from + digits), 16));
          i = from + digits - 1;
        } else {
          b.append(c);
        }
      }
    }
    return b.toString();
  }

  /**
   * False only where {@code sql} cannot name one of {@link #LARGE_OBJECT_WRITES}: its text, in any case, holds
   * neither {@code lo_} nor {@code lowrite}, nor a {@code U&"…"} name, whose escapes may spell either.
   */
  static boolean mayNameALargeObjectWrite(String sql) {
    int n = sql.length();
    for (int i = 0; i + 2 < n; i++) {
      char ch = sql.charAt(i);
      if ((ch == 'l' || ch == 'L') && (sql.regionMatches(true, i, "lo_", 0, 3) || sql.regionMatches(true, i, "lowrite", 0, 7))
          || (ch == 'u' || ch == 'U') && sql.charAt(i + 1) == '&' && sql.charAt(i + 2) == '"') {
        return true;
      }
    }
    return false;
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

  /** What a touch names: a relation of {@code schema} ({@code name} null: every table of it), for a statement of {@code mode}. */
  private record Root(String schema, String name, int mode) {}

  /** A touch read, in order: its schema (null: unresolved), how the report names it, its key in {@link Root}s. */
  private record Pending(String schema, String what, String key, boolean dropsData) {}

  /**
   * Where a statement on an existing relation reaches beyond it: partitions and inheritance
   * children (any statement: a DROP of a partitioned table drops its partitions, DML and
   * TRUNCATE descend, ALTER recurses), tables a foreign key's action cascades into (a DELETE or
   * UPDATE: ON DELETE/UPDATE CASCADE, SET NULL, SET DEFAULT; a TRUNCATE: every referencing table,
   * which it must truncate too or fail), and the relations a view's or a table's rules read or
   * write (DML only). pg_dump {@code --schema} holds none of them when they live in another schema.
   * For each of {@code roots} by its key: the relations it names first, their {@code how} null (with
   * {@code name} null, every table of the schema: a dropped schema's), then what they reach.
   */
  private static Map<String, List<Reached>> reached(Connection c, Map<String, Root> roots) throws SQLException {
    Map<String, List<Reached>> out = new HashMap<>();
    if (roots.isEmpty()) {
      return out;
    }
    List<String> keys = new ArrayList<>(roots.keySet());
    Map<String, List<Reached>> named = new HashMap<>();
    String[] schemas = new String[keys.size()];
    String[] names = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      Root r = roots.get(keys.get(i));
      schemas[i] = r.schema();
      names[i] = r.name();
      named.put(keys.get(i), new ArrayList<>());
    }
    // the relations each names: one query for all
    try (PreparedStatement ps = c.prepareStatement("select k.i, r.oid, r.relname"
        + " from rows from (pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[]))"
        + " with ordinality k(s, n, i)"
        + " join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) k.s"
        + " join pg_catalog.pg_class r on r.relnamespace operator(pg_catalog.=) n.oid"
        + " and (r.relname operator(pg_catalog.=) k.n or (k.n is null and r.relkind in ('r', 'p')))")) {
      ps.setArray(1, c.createArrayOf("text", schemas));
      ps.setArray(2, c.createArrayOf("text", names));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = keys.get(rs.getInt(1) - 1);
          named.get(key).add(new Reached(rs.getLong(2), schemas[rs.getInt(1) - 1], rs.getString(3), null));
        }
      }
    }
    // what they reach, per kind of statement (which links it follows): the links of every relation found, a
    // query per step away for all of them; then each touch's own walk over those links, as it was read alone
    for (int mode = 0; mode <= 2; mode++) {
      Map<Long, List<Reached>> links = new HashMap<>();
      List<Long> frontier = new ArrayList<>();
      for (String key : keys) {
        if (roots.get(key).mode() == mode) {
          for (Reached r : named.get(key)) {
            if (!links.containsKey(r.oid())) {
              links.put(r.oid(), new ArrayList<>());
              frontier.add(r.oid());
            }
          }
        }
      }
      while (!frontier.isEmpty()) {
        List<Long> next = new ArrayList<>();
        for (Link r : linksOf(c, frontier, mode)) {
          links.get(r.from()).add(r.reached());
          if (!links.containsKey(r.reached().oid())) {
            links.put(r.reached().oid(), new ArrayList<>());
            next.add(r.reached().oid());
          }
        }
        frontier = next;
      }
      for (String key : keys) {
        if (roots.get(key).mode() != mode) {
          continue;
        }
        List<Reached> walk = new ArrayList<>(named.get(key));
        Set<Long> seen = new HashSet<>();
        walk.forEach(r -> seen.add(r.oid()));
        for (int k = 0; k < walk.size(); k++) {
          for (Reached r : links.get(walk.get(k).oid())) {
            if (seen.add(r.oid())) {
              walk.add(r);
            }
          }
        }
        out.put(key, walk);
      }
    }
    return out;
  }

  /**
   * The roles {@code DROP OWNED BY …} of {@code sql} names, as the server reads them ({@code CURRENT_USER} and {@code
   * CURRENT_ROLE}: {@code applyRole}; {@code SESSION_USER}: {@code login}); empty for any other statement.
   */
  static List<String> dropOwnedBy(String sql, String applyRole, String login) {
    List<SqlTokens.Token> t = SqlTokens.of(sql);
    if (t.size() < 4 || !t.get(0).is("drop") || !t.get(1).is("owned") || !t.get(2).is("by")) {
      return List.of();
    }
    boolean unicode = ArtifactSearchPath.containsIgnoringCase(sql, "u&\"");
    List<String> out = new ArrayList<>();
    for (int i = 3; i < t.size(); i++) {
      SqlTokens.Token k = t.get(i);
      if (k.isPunct(',') || k.isPunct(';')) {
        continue;
      }
      if (k.kind() == SqlTokens.Kind.WORD && (k.is("cascade") || k.is("restrict"))) {
        break;
      }
      if (k.kind() == SqlTokens.Kind.WORD && (k.is("current_user") || k.is("current_role"))) {
        out.add(applyRole);
      } else if (k.kind() == SqlTokens.Kind.WORD && k.is("session_user")) {
        out.add(login);
      } else if (k.isName()) {
        out.add(Identifiers.truncate(unicode && k.kind() == SqlTokens.Kind.QUOTED ? unescaped(k.text(), '\\') : k.text()));
      }
    }
    return out;
  }

  /** The tables and materialized views {@code owners} own, or that lie in a schema one of them owns. */
  private static List<Reached> ownedBy(Connection c, List<String> owners) throws SQLException {
    List<Reached> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("""
        select r.oid, n.nspname, r.relname from pg_catalog.pg_class r
          join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) r.relnamespace
         where r.relkind in ('r', 'p', 'm')
           and (r.relowner in (select o.oid from pg_catalog.pg_roles o where o.rolname operator(pg_catalog.=) any (?::pg_catalog.text[]))
             or n.nspowner in (select o.oid from pg_catalog.pg_roles o where o.rolname operator(pg_catalog.=) any (?::pg_catalog.text[])))
           and n.nspname operator(pg_catalog.!~) '^pg_' and n.nspname operator(pg_catalog.<>) 'information_schema'
         order by 2, 3""")) {
      Array a = c.createArrayOf("text", owners.toArray());
      ps.setArray(1, a);
      ps.setArray(2, a);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Reached(rs.getLong(1), rs.getString(2), rs.getString(3), null));
        }
      }
    }
    return out;
  }

  /**
   * B16: in the apply transaction, SHARE UPDATE EXCLUSIVE on each existing relation a statement of {@code statements}
   * updates, deletes from or truncates. The ROW EXCLUSIVE lock BEGIN takes for such a statement lets another session
   * ATTACH PARTITION or INHERIT (SHARE UPDATE EXCLUSIVE on the parent) a table of a schema outside the backup scope
   * after the reach was read, and the statement would destroy its rows; this lock makes that wait until the change
   * ends. Names resolve as the statements' do (the artifact's own path read into them, else the session's).
   */
  public static void holdAgainstAttach(Connection c, List<ExecStatement> statements) throws SQLException {
    StatementAnalysis analysis = StatementAnalysis.of(statements);
    Set<String> labels = new java.util.LinkedHashSet<>();
    for (int i = 0; i < statements.size(); i++) {
      for (Touch t : analysis.touchesAt(i)) {
        if (t.kind().isRelation() && (t.action() == Touch.Action.UPDATE || t.action() == Touch.Action.DELETE
            || t.action() == Touch.Action.TRUNCATE)) {
          labels.add(t.object().qualified() ? Identifiers.qualified(t.object().schema(), t.object().name())
              : Identifiers.quote(t.object().name()));
        }
      }
    }
    if (labels.isEmpty()) {
      return;
    }
    List<String> existing = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("select x from pg_catalog.unnest(?::pg_catalog.text[]) x"
        + " join pg_catalog.pg_class r on r.oid operator(pg_catalog.=) pg_catalog.to_regclass(x)"
        + " where r.relkind in ('r', 'p', 'v')")) { // what LOCK TABLE locks
      ps.setArray(1, c.createArrayOf("text", labels.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          existing.add(rs.getString(1));
        }
      }
    }
    if (!existing.isEmpty()) {
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("lock table " + String.join(", ", existing) + " in share update exclusive mode");
      }
    }
  }

  /**
   * A DROP of an object other objects may depend on: {@code family} {@code relation}, {@code type} or {@code
   * schema}; {@code name} null for a schema.
   */
  private record Dropped(String family, String schema, String name, String what) {}

  /** The catalog family of what touch {@code t} drops when others may depend on it (a column of its type), else null. */
  private static String dependedOn(Touch t) {
    if (t.action() != Touch.Action.DROP) {
      return null;
    }
    return switch (t.kind()) {
      case TABLE, VIEW, MATERIALIZED_VIEW, SEQUENCE -> "relation";
      case TYPE, DOMAIN -> "type";
      case SCHEMA -> "schema";
      default -> null;
    };
  }

  /**
   * For each of {@code drops}, the tables (and materialized views) outside what it names whose columns, or themselves,
   * its CASCADE drops as the server's dependencies say (a column of its type, of an array or domain over it, of a
   * table's row type; a table of its type; a materialized view over it), in one query: a RESTRICT drop of such an object fails instead. {@code how}
   * is {@code "column c of "} or empty for the whole table.
   */
  private static Map<Dropped, List<Reached>> droppedWith(Connection c, List<Dropped> drops) throws SQLException {
    Map<Dropped, List<Reached>> out = new LinkedHashMap<>();
    if (drops.isEmpty()) {
      return out;
    }
    String[] families = new String[drops.size()];
    String[] schemas = new String[drops.size()];
    String[] names = new String[drops.size()];
    for (int i = 0; i < drops.size(); i++) {
      families[i] = drops.get(i).family();
      schemas[i] = drops.get(i).schema();
      names[i] = drops.get(i).name();
      out.put(drops.get(i), new ArrayList<>());
    }
    String sql = """
        with recursive k(family, s, n, i) as (
          select * from rows from (pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[]),
              pg_catalog.unnest(?::pg_catalog.text[])) with ordinality
        ), root(i, classid, objid) as (
          select k.i, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, r.oid from k
            join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) k.s
            join pg_catalog.pg_class r on r.relnamespace operator(pg_catalog.=) n.oid and r.relname operator(pg_catalog.=) k.n
           where k.family operator(pg_catalog.=) 'relation'
          union all
          select k.i, 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t.oid from k
            join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) k.s
            join pg_catalog.pg_type t on t.typnamespace operator(pg_catalog.=) n.oid and t.typname operator(pg_catalog.=) k.n
           where k.family operator(pg_catalog.=) 'type'
          union all
          select k.i, 'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, n.oid from k
            join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) k.s
           where k.family operator(pg_catalog.=) 'schema'
        ), walk(i, classid, objid, objsubid) as (
          select i, classid, objid, 0 from root
          union
          -- what depends on it, and the owner of what it is a part of (a view's or materialized view's rule)
          select w.i, case when x.down then d.classid else d.refclassid end, case when x.down then d.objid else d.refobjid end,
                 case when x.down then d.objsubid else 0 end
            from walk w join pg_catalog.pg_depend d
              on d.refclassid operator(pg_catalog.=) w.classid and d.refobjid operator(pg_catalog.=) w.objid
             and (w.objsubid operator(pg_catalog.=) 0 or d.refobjsubid operator(pg_catalog.=) w.objsubid)
             and d.deptype in ('n', 'a', 'i')
              or d.classid operator(pg_catalog.=) w.classid and d.objid operator(pg_catalog.=) w.objid and d.deptype operator(pg_catalog.=) 'i'
            cross join lateral (select d.refclassid operator(pg_catalog.=) w.classid and d.refobjid operator(pg_catalog.=) w.objid
                and d.deptype in ('n', 'a', 'i') as down) x
        )
        select distinct w.i, r.oid, n.nspname, r.relname, a.attname
          from walk w join pg_catalog.pg_class r on w.classid operator(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               and r.oid operator(pg_catalog.=) w.objid
          join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) r.relnamespace
          left join pg_catalog.pg_attribute a on a.attrelid operator(pg_catalog.=) r.oid
               and a.attnum operator(pg_catalog.=) w.objsubid and w.objsubid operator(pg_catalog.>) 0
         where r.relkind in ('r', 'p', 'm', 'f')
           and not exists (select from root x where x.i operator(pg_catalog.=) w.i and x.objid operator(pg_catalog.=) r.oid
               and x.classid operator(pg_catalog.=) w.classid)
         order by 1, 3, 4, 5""";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("text", families));
      ps.setArray(2, c.createArrayOf("text", schemas));
      ps.setArray(3, c.createArrayOf("text", names));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String column = rs.getString(5);
          out.get(drops.get(rs.getInt(1) - 1)).add(new Reached(rs.getLong(2), rs.getString(3), rs.getString(4),
              column == null ? "" : "column " + Identifiers.quote(column) + " of "));
        }
      }
    }
    return out;
  }

  /** A link from relation {@code from} to the relation it reaches. */
  private record Link(long from, Reached reached) {}

  /** The links from each of {@code frontier}, for a statement of {@code mode} ({@link #mode}). */
  private static List<Link> linksOf(Connection c, List<Long> frontier, int mode) throws SQLException {
    boolean dml = mode == 1;
    boolean truncate = mode == 2;
    String next = """
        select x.src, x.oid, n.nspname, c.relname, x.how from (
          select i.inhparent as src, i.inhrelid as oid,
              'a partition or child table of ' || i.inhparent::pg_catalog.regclass::text as how
            from pg_catalog.pg_inherits i where i.inhparent = any (?::oid[])
          union all
          select f.confrelid, f.conrelid, 'its foreign key ' || pg_catalog.quote_ident(f.conname) || ' cascades from '
              || f.confrelid::pg_catalog.regclass::text
            from pg_catalog.pg_constraint f where f.contype = 'f' and f.confrelid = any (?::oid[])
              and (? or (? and (f.confdeltype in ('c', 'n', 'd') or f.confupdtype in ('c', 'n', 'd'))))
          union all
          select w.ev_class, d.refobjid, 'a rule of ' || w.ev_class::pg_catalog.regclass::text || ' reads or writes it'
            from pg_catalog.pg_rewrite w join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              and d.objid = w.oid and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            where ? and w.ev_class = any (?::oid[]) and d.refobjid <> w.ev_class
        ) x join pg_catalog.pg_class c on c.oid = x.oid join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'f', 'm')""";
    List<Link> out = new ArrayList<>();
    Array a = c.createArrayOf("bigint", frontier.toArray());
    try (PreparedStatement ps = c.prepareStatement(next)) {
      ps.setArray(1, a);
      ps.setArray(2, a);
      ps.setBoolean(3, truncate);
      ps.setBoolean(4, dml);
      ps.setBoolean(5, dml);
      ps.setArray(6, a);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Link(rs.getLong(1), new Reached(rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5))));
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

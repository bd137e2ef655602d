package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogFingerprint;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.derived.Touch;
import dev.cutter.core.lock.LockMode;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.CreatedElsewhere;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The facts P1 proved, proved again inside the apply's transaction right before the first
 * statement (issue 19.6): the session is on the server P1 checked, the locks the change needs on
 * pre-existing relations are taken (under the package's lock_timeout), the identity check and
 * the package's P1 {@code sql} and object checks still hold, and the catalog fingerprint of the relations the
 * change touches is the one read right after P1. Any difference refuses the apply: the
 * transaction is rolled back before anything ran.
 *
 * <p>Lock modes, per statement kind, as PostgreSQL's own statement would take them: ACCESS
 * EXCLUSIVE for ALTER, DROP, DROP COLUMN and TRUNCATE; SHARE for CREATE INDEX; SHARE ROW
 * EXCLUSIVE for a foreign-key target and CREATE TRIGGER; ROW EXCLUSIVE for INSERT, UPDATE,
 * DELETE and MERGE. A relation touched several times is locked once, in the strongest mode. A
 * relation apply_role may not lock in that mode (it holds only REFERENCES on a foreign-key
 * target, say) is left to the statement itself.
 */
public final class BeginRecheck implements ApplyEngine.BeforeFirstStatement {

  /** The package's own P1 checks, run again on the apply session (read-only). */
  @FunctionalInterface
  public interface PackageChecks {
    List<CheckResult> run(Connection c);
  }

  /** Work on the apply session inside a read-only savepoint. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  public static final String SAME_SERVER = "begin:same_server";
  public static final String LOCKS = "begin:locks";
  public static final String CATALOG = "begin:catalog";

  /*
   * Read on the apply session, which keeps apply_role's search_path (it may name a schema of
   * apply_role's before pg_catalog): every operator and type is the catalog's by name, or a
   * look-alike = could resolve no relation and leave every one unlocked ("none needed").
   */
  private static final String RESOLVE_LOCKS = """
      select c.oid, c.oid::pg_catalog.regclass::pg_catalog.text, x.mode,
             case when x.mode operator(pg_catalog.=) 'ROW EXCLUSIVE'
                  then pg_catalog.has_table_privilege(c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE')
                  else pg_catalog.has_table_privilege(c.oid, 'UPDATE,DELETE,TRUNCATE') end
        from rows from (pg_catalog.unnest(?::pg_catalog.text[]), pg_catalog.unnest(?::pg_catalog.text[])) as x(label, mode)
        join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) pg_catalog.to_regclass(x.label)::pg_catalog.oid
       where c.relkind operator(pg_catalog.=) any ('{r,p,v,m}'::pg_catalog."char"[])""";

  private final Map<String, LockMode> locks;
  /** Relations the change creates before it references, indexes or alters them: their absence is compared. */
  private final List<String> createdFirst;
  /**
   * Of {@link #createdFirst}, by the statement that creates them, those whose CREATE may create
   * nothing and leave another session's relation in place ({@link Touch#mayCreateNothing()}); and, by the
   * statement right before their first touch, the relations the change writes that P1 found absent (R59).
   */
  private final Map<Integer, List<String>> mayCreateNothing;
  /** Of {@link #createdFirst}, those named unqualified (R42: where an unqualified CREATE goes is compared). */
  private final List<String> unqualifiedCreatedFirst;
  /**
   * The schemas the analysis named objects in under a search_path the artifact set itself (R47),
   * sorted, and apply_role's name: whether apply_role may use each is compared at BEGIN and proved
   * again before COMMIT.
   */
  private final List<SchemaUse> artifactSchemas;
  /** The types and routines the analysis named in those schemas (R53): their state is compared at BEGIN. */
  private final List<dev.cutter.core.check.derived.ArtifactSearchPath.PathName> artifactObjects;
  private final String applyRole;
  /** The search_path the artifact's statements leave in effect, as their text tells (R48). */
  private final dev.cutter.core.check.derived.ArtifactSearchPath.Setting finalSearchPath;
  /** The statements followed by one that may change the search_path, with the setting their text leaves (R58). */
  private final Map<Integer, dev.cutter.core.check.derived.ArtifactSearchPath.Setting> beforePathChanges;
  /** The statements followed by one that switches the role or sets the path, with the role the text leaves (R60). */
  private final Map<Integer, dev.cutter.core.check.derived.ExpectedRole> rolesBefore;
  /** The role the text leaves. */
  private final dev.cutter.core.check.derived.ExpectedRole finalRole;
  /** The apply session's current_user at BEGIN, null before. */
  private volatile String roleAtBegin;
  /** The apply session's search_path setting as BEGIN read it, null before. */
  private volatile String searchPathAtBegin;
  /** The apply session's search_path setting and where an unqualified CREATE went by it at BEGIN (R42), null before. */
  private volatile String[] creationAtBegin;
  private final CatalogFingerprint atP1;
  private final LockSession lockSession;
  /** The session that holds the run lock (the login's), asked again after the package's checks. */
  private final Connection lockConn;
  private final PackageChecks packageChecks;
  private final List<CheckResult> results = new ArrayList<>();
  private final Set<String> touchedSchemas;
  /** The SQLSTATE of the last LOCK TABLE refused at BEGIN (55P03 after lock_timeout), null when none was. */
  private volatile String lockFailureSqlstate;

  /** The session holding the run lock: its pid and the advisory lock it holds, as pg_locks shows them. */
  record LockSession(int pid, long classid, long objid) {}

  private BeginRecheck(Map<String, LockMode> locks, List<String> createdFirst, Map<Integer, List<String>> mayCreateNothing,
      List<String> unqualifiedCreatedFirst, CatalogFingerprint atP1, LockSession lockSession, Connection lockConn, PackageChecks packageChecks,
      Set<String> touchedSchemas, List<SchemaUse> artifactSchemas,
      List<dev.cutter.core.check.derived.ArtifactSearchPath.PathName> artifactObjects, String applyRole,
      dev.cutter.core.check.derived.ArtifactSearchPath.Setting finalSearchPath,
      Map<Integer, dev.cutter.core.check.derived.ArtifactSearchPath.Setting> beforePathChanges,
      Map<Integer, dev.cutter.core.check.derived.ExpectedRole> rolesBefore,
      dev.cutter.core.check.derived.ExpectedRole finalRole) {
    this.beforePathChanges = beforePathChanges;
    this.rolesBefore = rolesBefore;
    this.finalRole = finalRole;
    this.artifactSchemas = artifactSchemas;
    this.artifactObjects = artifactObjects;
    this.finalSearchPath = finalSearchPath;
    this.applyRole = applyRole;
    this.createdFirst = createdFirst;
    this.mayCreateNothing = mayCreateNothing;
    this.unqualifiedCreatedFirst = unqualifiedCreatedFirst;
    this.lockConn = lockConn;
    this.touchedSchemas = Set.copyOf(touchedSchemas);
    this.locks = locks;
    this.atP1 = atP1;
    this.lockSession = lockSession;
    this.packageChecks = packageChecks;
  }

  /**
   * Right after P1, on the session that holds the run lock: the fingerprint of the relations
   * the change touches (names resolved through apply_role's search_path) and that session's lock.
   */
  public static BeginRecheck prepare(Connection lockConn, ApplyPackage pkg, List<ExecStatement> statements,
      String loginRole, PackageChecks packageChecks) throws SQLException {
    Map<String, LockMode> locks = new LinkedHashMap<>();
    List<Touch> touches = touches(statements);
    // a relation the script creates before anything else touches it (its first touch a CREATE, the name as
    // written) did not exist before the change: nothing to lock at BEGIN, and only its absence to compare
    Set<String> seen = new java.util.HashSet<>();
    Set<String> created = new java.util.HashSet<>();
    Map<String, LockMode> createdFirst = new LinkedHashMap<>();
    Map<String, Integer> createdBy = new java.util.HashMap<>();
    Set<String> mayNothing = new java.util.HashSet<>(); // created first by a CREATE that may create nothing
    Set<String> unqualified = new java.util.HashSet<>();
    Set<String> createdUnqualified = new java.util.HashSet<>();
    Map<String, Integer> firstTouch = new java.util.HashMap<>(); // of those not created first: the statement that first touches it
    for (Touch t : touches) {
      if (t.kind().isRelation() && t.kind() != ObjectKind.INDEX && t.kind() != ObjectKind.SEQUENCE) {
        LockMode m = t.action().lock().orElse(null);
        String relation = t.object().toString(); // quoted once per touch: 10,000 statements touch thousands
        if (seen.add(relation) && t.action() == Touch.Action.CREATE) {
          created.add(relation);
          createdBy.put(relation, t.statement());
          if (t.mayCreateNothing()) {
            mayNothing.add(relation);
          }
          if (!t.object().qualified()) {
            createdUnqualified.add(relation);
          }
        }
        if (!created.contains(relation)) {
          firstTouch.putIfAbsent(relation, t.statement());
          locks.put(relation, LockMode.stronger(locks.get(relation), m));
        } else if (m != null) {
          createdFirst.put(relation, LockMode.stronger(createdFirst.get(relation), m));
          if (!t.object().qualified()) {
            unqualified.add(relation);
          }
        }
      }
    }
    // one created and not touched again under the name it was created with, by a CREATE that may create
    // nothing (IF NOT EXISTS): a later statement may still write it under another name (t, then public.t)
    for (Map.Entry<String, Integer> c : createdBy.entrySet()) {
      if (!createdFirst.containsKey(c.getKey()) && mayNothing.contains(c.getKey())) {
        createdFirst.put(c.getKey(), null);
        if (createdUnqualified.contains(c.getKey())) {
          unqualified.add(c.getKey());
        }
      }
    }
    CatalogFingerprint fp;
    Set<String> schemas = new LinkedHashSet<>();
    List<SchemaUse> artifactSchemas = artifactSchemas(statements);
    List<dev.cutter.core.check.derived.ArtifactSearchPath.PathName> artifactObjects = artifactObjects(statements);
    boolean auto = lockConn.getAutoCommit();
    lockConn.setAutoCommit(false);
    try {
      Optional<SearchPath> path = applySearchPath(lockConn, pkg.target().applyRole(), loginRole);
      fp = CatalogFingerprint.ofRelations(lockConn, fingerprinted(locks), createdFirst.keySet());
      // IF NOT EXISTS or OR REPLACE may create nothing: one that exists now was not created first, and is
      // locked and fingerprinted whole as any other the change writes (a trigger put on it meanwhile is refused)
      List<String> existed = new ArrayList<>();
      for (String relation : createdFirst.keySet()) {
        if (!fp.absent(relation)) {
          existed.add(relation);
        }
      }
      if (!existed.isEmpty()) {
        existed.forEach(relation -> locks.put(relation, createdFirst.remove(relation)));
        fp = CatalogFingerprint.ofRelations(lockConn, fingerprinted(locks), createdFirst.keySet());
      }
      if (createdFirst.keySet().stream().anyMatch(unqualified::contains)) {
        // where an unqualified CREATE of them goes: a schema made earlier on the path would take them
        fp = withCreationSchema(fp, path.flatMap(SearchPath::creationSchema).orElse(NO_SCHEMA));
      }
      if (!artifactSchemas.isEmpty()) {
        // the artifact's own search_path finds its names there only while apply_role may use them (R47)
        fp = withArtifactSchemas(fp, artifactSchemas(lockConn, artifactSchemas, pkg.target().applyRole()));
      }
      if (!artifactObjects.isEmpty()) {
        fp = withArtifactObjects(fp, artifactObjects(lockConn, artifactObjects, pkg.target().applyRole()));
      }
      for (Touch t : touches) {
        if (t.kind() == ObjectKind.SCHEMA) {
          schemas.add(t.object().name());
        } else if (t.object().qualified()) {
          schemas.add(t.object().schema());
        } else {
          path.ifPresent(p -> schemas.addAll(p.schemas()));
        }
      }
    } finally {
      lockConn.rollback();
      lockConn.setAutoCommit(auto);
    }
    LockSession session = null;
    try (Statement st = lockConn.createStatement();
        ResultSet rs = st.executeQuery("select pid, classid::bigint, objid::bigint from pg_catalog.pg_locks"
            + " where pid = pg_catalog.pg_backend_pid() and locktype = 'advisory' and granted limit 1")) {
      if (rs.next()) {
        session = new LockSession(rs.getInt(1), rs.getLong(2), rs.getLong(3));
      }
    }
    Map<Integer, List<String>> observed = mayCreateNothing(mayNothing, createdFirst.keySet(), createdBy);
    CatalogFingerprint atP1 = fp;
    beforeFirstTouch(observed, statements, firstTouch, fingerprinted(locks).stream().filter(atP1::absent).toList());
    BeginRecheck recheck = new BeginRecheck(locks, List.copyOf(createdFirst.keySet()), observed, createdFirst.keySet().stream().filter(unqualified::contains).toList(), fp,
        session, lockConn, packageChecks, schemas, artifactSchemas, artifactObjects, pkg.target().applyRole(),
        dev.cutter.core.check.derived.StatementAnalysis.finalSearchPath(statements),
        dev.cutter.core.check.derived.StatementAnalysis.beforePathChanges(statements),
        dev.cutter.core.check.derived.StatementAnalysis.rolesBefore(statements),
        dev.cutter.core.check.derived.StatementAnalysis.finalRole(statements));
    recheck.namedUnqualified = namedUnqualified(statements);
    return recheck;
  }

  /**
   * The relations the artifact names without a schema (also those its own search_path qualifies), less those its
   * text creates temporary: a temporary relation of such a name that something the change ran created would take
   * the name (the server searches the temporary schema first).
   */
  static List<String> namedUnqualified(List<ExecStatement> statements) {
    Set<String> names = new java.util.TreeSet<>();
    for (Touch t : dev.cutter.core.check.derived.StatementAnalysis.touches(statements)) {
      if (t.kind().isRelation() && !t.object().qualified()) {
        names.add(t.object().name());
      }
    }
    for (dev.cutter.core.check.derived.ArtifactSearchPath.PathName n
        : dev.cutter.core.check.derived.StatementAnalysis.pathNames(statements)) {
      if (n.kind().isRelation()) {
        names.add(n.name());
      }
    }
    if (names.isEmpty()) {
      return List.of();
    }
    for (dev.cutter.core.check.derived.Requirement r : dev.cutter.core.check.derived.StatementAnalysis.requirements(statements)) {
      if (r instanceof dev.cutter.core.check.derived.Requirement.CreateTemporary ct) {
        names.remove(ct.object().name());
      }
    }
    for (Touch t : dev.cutter.core.check.derived.StatementAnalysis.touches(statements)) {
      if (t.object().qualified() && "pg_temp".equals(t.object().schema())) {
        names.remove(t.object().name()); // the text's own temporary relation, named in its schema
      }
    }
    return List.copyOf(names);
  }

  /** See {@link #namedUnqualified}; empty: nothing to compare before COMMIT. */
  private List<String> namedUnqualified = List.of();

  /**
   * The types, domains and routines the analysis named unqualified under a search_path the artifact set itself,
   * that the artifact neither creates nor took away first: none can be locked as a relation is, so what P1 proved
   * of them is compared at BEGIN (R53).
   */
  private static List<dev.cutter.core.check.derived.ArtifactSearchPath.PathName> artifactObjects(List<ExecStatement> statements) {
    if (!dev.cutter.core.check.derived.ArtifactNames.applies(statements)) {
      return List.of();
    }
    return dev.cutter.core.check.derived.StatementAnalysis.pathNames(statements).stream()
        .filter(n -> n.schema() != null && !n.created() && n.takenAway() == null && !n.kind().isRelation()
            && n.setting() instanceof dev.cutter.core.check.derived.ArtifactSearchPath.Set)
        .toList();
  }

  /** The fingerprint's line for each of {@link #artifactObjects} (a key no relation's label can be). */
  private static final String ARTIFACT_OBJECT = "(artifact's search_path object) ";

  /*
   * A type or domain: present or absent in its schema. A routine: every signature of that name in each schema the
   * path lists and the catalog (the server finds one by its arguments along the whole path). The catalog's
   * functions and operators by name (the apply session keeps apply_role's search_path).
   */
  private static final String TYPE_STATE = "select count(*) from pg_catalog.pg_type t join pg_catalog.pg_namespace n"
      + " on n.oid operator(pg_catalog.=) t.typnamespace where n.nspname operator(pg_catalog.=) ?::pg_catalog.name"
      + " and t.typname operator(pg_catalog.=) ?::pg_catalog.name";
  private static final String ROUTINE_STATE = "select pg_catalog.string_agg(n.nspname::pg_catalog.text"
      + " operator(pg_catalog.||) '(' operator(pg_catalog.||) pg_catalog.pg_get_function_identity_arguments(p.oid)"
      + " operator(pg_catalog.||) ')', '; ' order by n.nspname, pg_catalog.pg_get_function_identity_arguments(p.oid))"
      + " from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) p.pronamespace"
      + " where p.proname operator(pg_catalog.=) ?::pg_catalog.name"
      + " and n.nspname::pg_catalog.text operator(pg_catalog.=) any (?::pg_catalog.text[])";

  private static Map<String, String> artifactObjects(Connection c,
      List<dev.cutter.core.check.derived.ArtifactSearchPath.PathName> objects, String applyRole) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    for (dev.cutter.core.check.derived.ArtifactSearchPath.PathName n : objects) {
      String label = n.kind().sqlName() + " " + dev.cutter.core.catalog.Identifiers.quote(n.schema()) + "."
          + dev.cutter.core.catalog.Identifiers.quote(n.name());
      boolean routine = n.kind() == ObjectKind.FUNCTION || n.kind() == ObjectKind.PROCEDURE;
      try (PreparedStatement ps = c.prepareStatement(routine ? ROUTINE_STATE : TYPE_STATE)) {
        if (routine) {
          List<String> path = new ArrayList<>(List.of("pg_catalog"));
          for (String e : ((dev.cutter.core.check.derived.ArtifactSearchPath.Set) n.setting()).elements()) {
            path.add(e.equals("$user") ? (n.role() == null ? applyRole : n.role()) : e);
          }
          ps.setString(1, n.name());
          ps.setArray(2, c.createArrayOf("text", path.toArray()));
        } else {
          ps.setString(1, n.schema());
          ps.setString(2, n.name());
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          String state = rs.getString(1);
          out.put(label, routine ? (state == null ? "none" : state) : (state.equals("0") ? "absent" : "present"));
        }
      }
    }
    return out;
  }

  private static CatalogFingerprint withArtifactObjects(CatalogFingerprint fp, Map<String, String> states) {
    Map<String, String> objects = new TreeMap<>(fp.objects());
    states.forEach((label, state) -> objects.put(ARTIFACT_OBJECT + label, state));
    return CatalogFingerprint.of(objects);
  }

  /** A schema the artifact's own search_path lists first, and the role that searches it (null: apply_role). */
  record SchemaUse(String schema, String role) {
    String label() {
      return dev.cutter.core.catalog.Identifiers.quote(schema) + (role == null ? ""
          : " for role " + dev.cutter.core.catalog.Identifiers.quote(role));
    }
  }

  /**
   * The schemas the analysis named objects in under a search_path the artifact set itself, with the role the
   * artifact runs as there; those the artifact creates before naming them in it are compared only before COMMIT
   * (P1 saw them absent).
   */
  private static List<SchemaUse> artifactSchemas(List<ExecStatement> statements) {
    if (!dev.cutter.core.check.derived.ArtifactNames.applies(statements)) {
      return List.of();
    }
    return dev.cutter.core.check.derived.StatementAnalysis.pathNames(statements).stream()
        .filter(n -> n.schema() != null).map(n -> new SchemaUse(n.schema(), n.role())).distinct()
        .sorted(java.util.Comparator.comparing(SchemaUse::label)).toList();
  }

  /** The fingerprint's line for each schema of {@link #artifactSchemas} (a key no relation's label can be). */
  private static final String ARTIFACT_SCHEMA = "(artifact's search_path schema) ";

  /*
   * Whether apply_role may use each schema: usable, not usable, absent. On the apply session (apply_role's
   * search_path) too: the catalog's functions and operators by name.
   */
  private static final String SCHEMAS_USABLE = """
      select x.s, case when n.oid is null then 'absent'
                       when pg_catalog.has_schema_privilege(?::pg_catalog.name, n.oid, 'USAGE') then 'usable'
                       else 'not usable' end
        from pg_catalog.unnest(?::pg_catalog.text[]) as x(s)
        left join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) x.s::pg_catalog.name""";

  /** Whether each role may use each schema, by {@link SchemaUse#label}. */
  private static Map<String, String> artifactSchemas(Connection c, List<SchemaUse> uses, String applyRole) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    Map<String, List<SchemaUse>> byRole = new TreeMap<>();
    uses.forEach(u -> byRole.computeIfAbsent(u.role() == null ? applyRole : u.role(), r -> new ArrayList<>()).add(u));
    try (PreparedStatement ps = c.prepareStatement(SCHEMAS_USABLE)) {
      for (Map.Entry<String, List<SchemaUse>> e : byRole.entrySet()) {
        ps.setString(1, e.getKey());
        ps.setArray(2, c.createArrayOf("text", e.getValue().stream().map(SchemaUse::schema).toArray()));
        Map<String, String> state = new TreeMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            state.put(rs.getString(1), rs.getString(2));
          }
        }
        e.getValue().forEach(u -> out.put(u.label(), state.get(u.schema())));
      }
    }
    return out;
  }

  private static CatalogFingerprint withArtifactSchemas(CatalogFingerprint fp, Map<String, String> usable) {
    Map<String, String> objects = new TreeMap<>(fp.objects());
    usable.forEach((label, state) -> objects.put(ARTIFACT_SCHEMA + label, state));
    return CatalogFingerprint.of(objects);
  }

  /** Of {@code createdFirst}, by the statement that creates them, those whose CREATE may create nothing. */
  private static Map<Integer, List<String>> mayCreateNothing(Set<String> mayNothing, Set<String> createdFirst,
      Map<String, Integer> createdBy) {
    Map<Integer, List<String>> out = new java.util.HashMap<>();
    for (String relation : createdFirst) {
      Integer statement = createdBy.get(relation);
      if (statement != null && mayNothing.contains(relation)) {
        out.computeIfAbsent(statement, k -> new ArrayList<>()).add(relation);
      }
    }
    return out;
  }

  /**
   * Adds to {@code out}, for each relation of {@code absent} (written, altered or indexed, absent at P1, created by
   * nothing the analysis reads: a DO block, a function), the statement right before the one that first touches it:
   * there it must be the change's own if it exists (R59). Before COMMIT is too late where a later TRUNCATE or ALTER
   * rewrote its catalog row, which then reads as the change's own.
   */
  private static void beforeFirstTouch(Map<Integer, List<String>> out, List<ExecStatement> statements,
      Map<String, Integer> firstTouch, List<String> absent) {
    if (absent.isEmpty()) {
      return;
    }
    Map<Integer, Integer> previous = new java.util.HashMap<>();
    for (int i = 1; i < statements.size(); i++) {
      previous.put(statements.get(i).index(), statements.get(i - 1).index());
    }
    for (String relation : absent) {
      Integer before = previous.get(firstTouch.get(relation));
      if (before != null) {
        out.computeIfAbsent(before, k -> new ArrayList<>()).add(relation);
      }
    }
  }

  /**
   * The relations whose fingerprint is compared: those the change alters, drops, writes,
   * indexes, references or triggers on. A relation it creates first is left out, also where a
   * later statement references, indexes or alters it — if another session creates it first, the
   * artifact's own CREATE fails and the apply is rolled back.
   */
  private static List<String> fingerprinted(Map<String, LockMode> locks) {
    return locks.entrySet().stream().filter(e -> e.getValue() != null).map(Map.Entry::getKey).toList();
  }

  /**
   * The schemas {@code statements} touch (as {@link #touchedSchemas()}), resolving unqualified
   * names through apply_role's search_path read on {@code c}.
   */
  public static Set<String> touchedSchemas(Connection c, ApplyPackage pkg, List<ExecStatement> statements,
      String loginRole) throws SQLException {
    Set<String> schemas = new LinkedHashSet<>();
    Optional<SearchPath> path = null;
    for (Touch t : touches(statements)) {
      if (t.kind() == ObjectKind.SCHEMA) {
        schemas.add(t.object().name());
      } else if (t.object().qualified()) {
        schemas.add(t.object().schema());
      } else {
        if (path == null) {
          path = SearchPath.forApplyRole(c, pkg.target().applyRole(), loginRole);
        }
        path.ifPresent(p -> schemas.addAll(p.schemas()));
      }
    }
    return schemas;
  }

  /** Every object the artifact's statements touch, in order (unmodifiable: one list per reading of the statements). */
  public static List<Touch> touches(List<ExecStatement> statements) {
    return dev.cutter.core.check.derived.StatementAnalysis.touches(statements);
  }

  /**
   * Sets (locally) the search_path the apply session will have, so names resolve as the artifact's
   * will; but with {@code pg_catalog} first and {@code pg_temp} last, whatever apply_role's setting
   * says: {@code c} is the login's session, and the fingerprint read on it calls operators and
   * functions unqualified ({@code ||}), which a schema of apply_role's placed before
   * {@code pg_catalog} would otherwise answer with its own, run as the login.
   */
  private static Optional<SearchPath> applySearchPath(Connection c, String applyRole, String loginRole) throws SQLException {
    Optional<SearchPath> path = SearchPath.forApplyRole(c, applyRole, loginRole);
    if (path.isPresent()) {
      List<String> order = new java.util.ArrayList<>(List.of("pg_catalog"));
      path.get().schemas().stream().filter(s -> !s.equals("pg_catalog") && !s.equals("pg_temp"))
          .map(dev.cutter.core.catalog.Identifiers::quote).forEach(order::add);
      order.add("pg_temp");
      try (PreparedStatement ps = c.prepareStatement("select pg_catalog.set_config('search_path', ?, true)")) {
        ps.setString(1, String.join(", ", order));
        ps.execute();
      }
    }
    return path;
  }

  /**
   * The schemas the change touches (those it names, and apply_role's search_path when it names
   * an object unqualified): the baseline fingerprints these.
   */
  public Set<String> touchedSchemas() {
    return touchedSchemas;
  }

  /** The SQLSTATE with which the last re-check's LOCK TABLE was refused (55P03: lock_timeout), or null. */
  public String lockFailureSqlstate() {
    return lockFailureSqlstate;
  }

  /**
   * The apply session's search_path setting at BEGIN, before the first statement (null before): the
   * path P1 and BEGIN read unqualified names through. The online step's session, a new one, starts
   * with apply_role's default, which the change or another session may have altered since.
   */
  public String searchPathAtBegin() {
    return searchPathAtBegin;
  }

  /** What the re-check found, for the report (empty before it ran). */
  public List<CheckResult> results() {
    return List.copyOf(results);
  }

  @Override
  public Optional<ApplyEngine.Refusal> check(Connection c) throws SQLException {
    results.clear();
    searchPathAtBegin = null;
    roleAtBegin = null;
    lockFailureSqlstate = null;
    CheckResult identity = readOnly(c, this::sameServer);
    results.add(identity);
    if (identity.status().blocks()) {
      return refuse(identity);
    }
    CheckResult locked = lock(c);
    results.add(locked);
    if (locked.status().blocks()) {
      return refuse(locked);
    }
    List<CheckResult> again = packageChecks.run(c);
    results.addAll(again);
    Optional<CheckResult> failed = again.stream().filter(r -> r.status().blocks()).findFirst();
    if (failed.isPresent()) {
      return refuse(failed.get());
    }
    // a check run again here may have ended the run lock's session after the look above (login = apply_role)
    CheckResult still = lockSessionStill(c);
    if (still.status().blocks()) {
      results.add(still);
      return refuse(still);
    }
    CatalogFingerprint now = readOnly(c, conn -> {
      CatalogFingerprint read = CatalogFingerprint.ofRelations(conn, fingerprinted(locks), createdFirst);
      read = atP1.objects().containsKey(CREATION_SCHEMA) ? withCreationSchema(read, creationSchema(conn)) : read;
      read = artifactSchemas.isEmpty() ? read : withArtifactSchemas(read, artifactSchemas(conn, artifactSchemas, applyRole));
      return artifactObjects.isEmpty() ? read : withArtifactObjects(read, artifactObjects(conn, artifactObjects, applyRole));
    });
    List<String> diff = atP1.differences(now);
    CheckResult catalog = diff.isEmpty()
        ? CheckResult.pass(CATALOG, "fingerprint " + atP1.sha256(), "fingerprint " + now.sha256(),
            (fingerprinted(locks).size() + createdFirst.size()) + " touched relation(s) as in P1")
        : CheckResult.fail(CATALOG, new Cause.TargetChangedSinceP1(Cause.Recheck.CATALOG), "fingerprint " + atP1.sha256(), "fingerprint " + now.sha256(),
            "the relations the change touches changed since P1: " + String.join("; ", diff));
    results.add(catalog);
    return catalog.status().blocks() ? refuse(catalog) : Optional.empty();
  }

  /** The fingerprint's line for where an unqualified CREATE goes (a key no relation's label can be). */
  private static final String CREATION_SCHEMA = "(unqualified CREATE goes to schema)";
  private static final String NO_SCHEMA = "(none)";

  private static CatalogFingerprint withCreationSchema(CatalogFingerprint fp, String schema) {
    Map<String, String> objects = new TreeMap<>(fp.objects());
    objects.put(CREATION_SCHEMA, schema);
    return CatalogFingerprint.of(objects);
  }

  /**
   * Where an unqualified CREATE goes on the apply session: the first schema of its search_path that
   * exists and that it may use, not the catalog nor a temporary schema ({@link SearchPath#creationSchema}).
   */
  private String creationSchema(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('search_path'), (select u.s::pg_catalog.text"
            + " from pg_catalog.unnest(pg_catalog.current_schemas(false))"
            + " with ordinality as u(s, i) where u.s operator(pg_catalog.<>) 'pg_catalog'"
            + " and not pg_catalog.starts_with(u.s::pg_catalog.text, 'pg_temp_') order by u.i limit 1)")) {
      rs.next();
      String schema = rs.getString(2) == null ? NO_SCHEMA : rs.getString(2);
      creationAtBegin = new String[] {rs.getString(1), schema};
      return schema;
    }
  }

  /*
   * On the apply session, before COMMIT: of the relations the change creates first, the first that exists
   * now and was not written by this transaction or one of its subtransactions. A catalog row the session
   * sees whose writer is still in progress is its own; pg_class.xmin is 32 bits, so it is widened with the
   * epoch of the transaction's own id for txid_status. The catalog's operators by name.
   */
  private static final String MADE_ELSEWHERE = madeElsewhere("""
        select x.label, c.xmin::pg_catalog.text::pg_catalog.int8 as x, pg_catalog.txid_current() as t
          from pg_catalog.unnest(?::pg_catalog.text[]) as x(label)
          join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) pg_catalog.to_regclass(x.label)::pg_catalog.oid""");

  /** As {@link #MADE_ELSEWHERE}, of schemas by name (a schema cannot be locked either). */
  private static final String SCHEMA_MADE_ELSEWHERE = madeElsewhere("""
        select x.label, n.xmin::pg_catalog.text::pg_catalog.int8 as x, pg_catalog.txid_current() as t
          from pg_catalog.unnest(?::pg_catalog.text[]) as x(label)
          join pg_catalog.pg_namespace n on n.nspname operator(pg_catalog.=) x.label::pg_catalog.name""");

  /** Of the catalog rows {@code rows} reads (label, 32-bit xmin, the transaction's own id), the first this transaction did not write. */
  private static String madeElsewhere(String rows) {
    return """
      select r.label from (
      """ + rows + """
      ) r
       cross join lateral (select (r.t operator(pg_catalog.-) (r.t operator(pg_catalog.%) 4294967296))
                                  operator(pg_catalog.+) r.x as c) k
       where r.x operator(pg_catalog.<) 3 or coalesce(pg_catalog.txid_status(case
               when k.c operator(pg_catalog.>) (r.t operator(pg_catalog.+) 2147483648) then k.c operator(pg_catalog.-) 4294967296
               when k.c operator(pg_catalog.<) (r.t operator(pg_catalog.-) 2147483648) then k.c operator(pg_catalog.+) 4294967296
               else k.c end), '') operator(pg_catalog.<>) 'in progress'
       limit 1""";
  }

  /**
   * Before COMMIT, on the apply session inside its transaction: every relation the change creates first
   * (absent at P1 and at BEGIN) that exists now is the change's own. A name cannot be locked, so another
   * session can create one after BEGIN compared its absence and before the change's {@code CREATE … IF
   * NOT EXISTS}, which then creates nothing, and the change's later statements act on the other
   * session's relation (its triggers run). A {@link CreatedElsewhere} then, which rolls the change back.
   */
  public void createdFirstAreTheChanges(Connection c) throws SQLException {
    // with them, every relation the change writes, alters or indexes that P1 and BEGIN found absent: a statement
    // the analysis does not read into (a DO block, a function) may create it IF NOT EXISTS, and another session
    // that made it after BEGIN would have its triggers run in the change (R57)
    List<String> absent = fingerprinted(locks).stream().filter(atP1::absent).toList();
    if (!createdFirst.isEmpty() || !absent.isEmpty()) {
      List<String> all = new ArrayList<>(createdFirst);
      all.addAll(absent);
      theChangesOwn(c, all);
    }
    String[] atBegin = creationAtBegin;
    if (atBegin != null && !unqualifiedCreatedFirst.isEmpty()) {
      createdWhereBeginSaw(c, atBegin[0], atBegin[1]);
    }
    if (!artifactSchemas.isEmpty()) {
      artifactSchemasStillUsable(c);
    }
    String pathAtBegin = searchPathAtBegin;
    if (pathAtBegin != null) {
      searchPathAsTheTextLeavesIt(c, finalSearchPath, finalRole, pathAtBegin, roleAtBegin);
    }
    if (!namedUnqualified.isEmpty()) {
      // a function the change ran may have created a temporary table of a name the artifact writes unqualified:
      // the statements after it wrote the session's temporary table, which goes with it (R64)
      try (java.sql.PreparedStatement ps = c.prepareStatement(dev.cutter.core.exec.AdvisoryLock.TEMPORARY_NAMED)) {
        ps.setArray(1, c.createArrayOf("text", namedUnqualified.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          String found = rs.next() ? rs.getString(1) : null;
          if (found != null) {
            throw CreatedElsewhere.temporaryTakesName(found);
          }
        }
      }
    }
  }

  /**
   * A function the change runs may change the session's search_path ({@code set_config}) without the
   * artifact's text naming it, and the names after it then resolve elsewhere than P1 proved and BEGIN
   * locked (R48). Such a setting lasts to the end of the transaction: before COMMIT it must be the one the
   * text leaves (the session's own as BEGIN read it, or the one the artifact set).
   */
  private static void searchPathAsTheTextLeavesIt(Connection c,
      dev.cutter.core.check.derived.ArtifactSearchPath.Setting expected, dev.cutter.core.check.derived.ExpectedRole role,
      String atBegin, String roleAtBegin) throws SQLException {
    String current;
    String currentRole;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('search_path'), current_user")) {
      rs.next();
      current = rs.getString(1);
      currentRole = rs.getString(2);
    }
    String[] differs = differs(expected, role, atBegin, roleAtBegin, current, currentRole);
    if (differs != null) {
      throw CreatedElsewhere.searchPathChangedUnseen(differs[0], differs[1]);
    }
  }

  /**
   * Null when the session's {@code current} search_path setting and {@code currentRole} are the ones the text leaves
   * ({@code expected}, null: not compared; {@code role}: {@link dev.cutter.core.check.derived.ExpectedRole.Unknown}
   * not compared); else what was found and what was expected, in words ({@code s1, public as role x}).
   */
  private static String[] differs(dev.cutter.core.check.derived.ArtifactSearchPath.Setting expected,
      dev.cutter.core.check.derived.ExpectedRole role,
      String atBegin, String roleAtBegin, String current, String currentRole) {
    // a role a function switched to unseen changes what "$user" names and which schemas the server searches (R60)
    String asRole = role instanceof dev.cutter.core.check.derived.ExpectedRole.Named n ? n.name()
        : role instanceof dev.cutter.core.check.derived.ExpectedRole.AtBegin ? roleAtBegin : null; // null: not compared
    boolean sameRole = asRole == null || asRole.equals(currentRole);
    if (expected != null && !dev.cutter.core.check.derived.ArtifactSearchPath.holds(expected, atBegin, current) || !sameRole) {
      String written = expected instanceof dev.cutter.core.check.derived.ArtifactSearchPath.Set set ? set.written() : atBegin;
      return new String[] {current + (sameRole ? "" : " as role " + currentRole), sameRole ? written : written + " as role " + asRole};
    }
    return null;
  }

  /**
   * Autocommit mode (R61): before each statement after the first, the session's search_path setting and role must be
   * the ones the text leaves after the statement before it ({@link
   * dev.cutter.core.check.derived.StatementAnalysis#autocommitSessions}): each statement commits on its own, so a
   * function one of them calls may set either for the session ({@code set_config('search_path', …, false)}), and the
   * next statement's unqualified names would resolve where P1 proved nothing, its triggers run and commit. Read with
   * the change key (O17); a difference keeps the statement back. Not compared: a path the text cannot follow, a role
   * it cannot tell, the path before a statement that only sets it again and the role before one that only switches it
   * (neither resolves a name), and nothing before BEGIN read the session's own.
   */
  public ApplyEngine.BetweenStatements betweenAutocommitStatements(List<ExecStatement> statements) {
    List<dev.cutter.core.check.derived.StatementAnalysis.SessionAfter> after =
        dev.cutter.core.check.derived.StatementAnalysis.autocommitSessions(statements);
    Map<Integer, dev.cutter.core.check.derived.StatementAnalysis.SessionAfter> byIndex = new java.util.HashMap<>();
    for (int i = 0; i < statements.size(); i++) {
      byIndex.put(statements.get(i).index(), after.get(i));
    }
    return new ApplyEngine.BetweenStatements() {
      @Override
      public boolean compares(ExecStatement next, int last) {
        return !namedUnqualified.isEmpty() || searchPathAtBegin != null
            && (path(next, last) != null || !(role(next, last) instanceof dev.cutter.core.check.derived.ExpectedRole.Unknown));
      }

      @Override
      public void check(ExecStatement next, int last, String searchPath, String user) throws SQLException {
        String atBegin = searchPathAtBegin;
        if (atBegin == null) {
          return;
        }
        String[] d = differs(path(next, last), role(next, last), atBegin, roleAtBegin, searchPath, user);
        if (d != null) {
          throw CreatedElsewhere.searchPathChangedUnseenBefore(last, d[0], d[1]);
        }
      }

      @Override
      public List<String> temporaryNames() {
        return namedUnqualified;
      }

      @Override
      public void checkTemporary(ExecStatement next, int last, String found) throws SQLException {
        if (found != null) {
          throw CreatedElsewhere.temporaryTakesNameBefore(last, found);
        }
      }

      /** The path the text leaves after {@code last}, null where it is not compared before {@code next}. */
      private dev.cutter.core.check.derived.ArtifactSearchPath.Setting path(ExecStatement next, int last) {
        var s = byIndex.get(last);
        return s == null || s.path() instanceof dev.cutter.core.check.derived.ArtifactSearchPath.Unfollowed
            || dev.cutter.core.check.derived.ArtifactSearchPath.setsPathOnly(next.text()) ? null : s.path();
      }

      /** The role the text leaves after {@code last}, {@code UNKNOWN} where it is not compared before {@code next}. */
      private dev.cutter.core.check.derived.ExpectedRole role(ExecStatement next, int last) {
        var s = byIndex.get(last);
        return s == null || dev.cutter.core.check.derived.ArtifactSearchPath.setsRoleOnly(next.text())
            ? dev.cutter.core.check.derived.ExpectedRole.UNKNOWN : s.role();
      }
    };
  }


  /**
   * A schema cannot be locked: another session that revokes apply_role's USAGE on a schema the artifact's own
   * search_path lists first (or drops it) after BEGIN makes the server look further along that path, where
   * nothing was locked or proved (R47). Every such schema, also one the change created, must be usable now.
   */
  private void artifactSchemasStillUsable(Connection c) throws SQLException {
    for (Map.Entry<String, String> e : artifactSchemas(c, artifactSchemas, applyRole).entrySet()) {
      if (!e.getValue().equals("usable")) {
        throw CreatedElsewhere.schemaNoLongerUsable(e.getKey(), e.getValue());
      }
    }
    // absent at P1 and at BEGIN, so the artifact creates it (CREATE SCHEMA IF NOT EXISTS may create nothing): one another
    // session made after BEGIN, which its owner rules over, would hold the change's objects
    List<String> absent = artifactSchemas.stream().filter(u -> "absent".equals(atP1.objects().get(ARTIFACT_SCHEMA
        + u.label()))).map(SchemaUse::schema).distinct().toList();
    if (!absent.isEmpty()) {
      theChangesOwn(c, SCHEMA_MADE_ELSEWHERE, true, absent);
    }
  }

  /*
   * On the apply session, before COMMIT, while its search_path is the one BEGIN read: of the relations the
   * change creates first under an unqualified name, the first that exists by that path in a schema other than
   * the one BEGIN (and P1) saw an unqualified CREATE go to. An artifact that set another search_path is not
   * looked at here (its names resolve otherwise than P1 read them in every check).
   */
  private static final String CREATED_ELSEWHERE = """
      select x.label, n.nspname::pg_catalog.text from pg_catalog.unnest(?::pg_catalog.text[]) as x(label)
        join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) pg_catalog.to_regclass(x.label)::pg_catalog.oid
        join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace
       where pg_catalog.current_setting('search_path') operator(pg_catalog.=) ?
         and n.nspname::pg_catalog.text operator(pg_catalog.<>) ?
       limit 1""";

  /**
   * A schema cannot be locked either: another session that makes one earlier on apply_role's search_path
   * after BEGIN compared where an unqualified CREATE goes (R42) takes the change's new relation. A
   * {@link CreatedElsewhere} then, which rolls the change back.
   */
  private void createdWhereBeginSaw(Connection c, String searchPath, String schema) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(CREATED_ELSEWHERE)) {
      ps.setArray(1, c.createArrayOf("text", unqualifiedCreatedFirst.toArray()));
      ps.setString(2, searchPath);
      ps.setString(3, schema);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw CreatedElsewhere.inAnotherSchema(rs.getString(1), rs.getString(2), schema);
        }
      }
    }
  }

  private static void theChangesOwn(Connection c, List<String> relations) throws SQLException {
    theChangesOwn(c, MADE_ELSEWHERE, false, relations);
  }

  /** {@code schemas}: {@code names} are schemas ({@code sql} is {@link #SCHEMA_MADE_ELSEWHERE}), else relations. */
  private static void theChangesOwn(Connection c, String sql, boolean schemas, List<String> names) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("text", names.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw schemas ? CreatedElsewhere.schemaByAnotherSession(rs.getString(1))
              : CreatedElsewhere.byAnotherSession(rs.getString(1));
        }
      }
    }
  }

  /**
   * Sees each statement whose CREATE of a relation the change creates first may
   * create nothing ({@code IF NOT EXISTS}) right after it ran and before any later statement is sent:
   * the relation must be the change's own there. Before COMMIT is too late: a later statement has run
   * on another session's relation (its trigger), and one that rewrites the relation's catalog row
   * (TRUNCATE, ALTER) or drops it leaves nothing to tell whose it was. In {@code transaction} mode also each statement
   * followed by one that may change the search_path: the session's setting must be the one the text leaves there,
   * else a function changed it unseen and the artifact's own SET or RESET after would hide it before COMMIT (R58).
   */
  public ApplyEngine.WindowedObserver createdFirstObserver(ApplyEngine.AfterStatement also, boolean transaction) {
    Map<Integer, dev.cutter.core.check.derived.ArtifactSearchPath.Setting> paths = transaction ? beforePathChanges : Map.of();
    Map<Integer, dev.cutter.core.check.derived.ExpectedRole> roles = transaction ? rolesBefore : Map.of();
    return new ApplyEngine.WindowedObserver() {
      @Override
      public boolean observes(ExecStatement s) {
        return mayCreateNothing.containsKey(s.index()) || paths.containsKey(s.index()) || roles.containsKey(s.index())
            || (also instanceof ApplyEngine.WindowedObserver w && w.observes(s));
      }

      @Override
      public void after(Connection c, ExecStatement s, long nanos) throws SQLException {
        also.after(c, s, nanos);
        List<String> made = mayCreateNothing.get(s.index());
        if (made != null) {
          theChangesOwn(c, made);
        }
        dev.cutter.core.check.derived.ArtifactSearchPath.Setting expected = paths.get(s.index());
        dev.cutter.core.check.derived.ExpectedRole role =
            roles.getOrDefault(s.index(), dev.cutter.core.check.derived.ExpectedRole.UNKNOWN);
        String atBegin = searchPathAtBegin;
        if ((expected != null || !(role instanceof dev.cutter.core.check.derived.ExpectedRole.Unknown)) && atBegin != null) {
          searchPathAsTheTextLeavesIt(c, expected, role, atBegin, roleAtBegin);
        }
      }
    };
  }

  /** True when some statement's CREATE of a relation the change creates first may create nothing. */
  public boolean observesCreates() {
    return !mayCreateNothing.isEmpty();
  }

  /** As {@link #observesCreates()}, or (in {@code transaction} mode) some statement may change the search_path after another (R58). */
  public boolean observes(boolean transaction) {
    return observesCreates() || transaction && (!beforePathChanges.isEmpty() || !rolesBefore.isEmpty());
  }

  private static Optional<ApplyEngine.Refusal> refuse(CheckResult r) {
    return Optional.of(new ApplyEngine.Refusal("what P1 proved no longer holds at BEGIN: " + r.id() + ": "
        + (r.message() != null ? r.message() : "expected " + r.expected() + ", found " + r.actual())));
  }

  /**
   * The apply session is on the server P1 checked: it sees the session that holds this run's
   * advisory lock (pg_locks shows every session's locks to every role). The identity check proper
   * runs with the package's checks, where apply_role may read the system identifier.
   */
  private CheckResult sameServer(Connection c) throws SQLException {
    boolean seen;
    // on the apply session (apply_role's search_path): the catalog's operators and types by name,
    // the numbers as literals (the driver sends a long or an int parameter as '…'::int8 or ::int4)
    try (Statement ps = c.createStatement()) {
      try (ResultSet rs = ps.executeQuery("select exists (select 1 from pg_catalog.pg_locks l"
          + " where l.locktype operator(pg_catalog.=) 'advisory' and l.granted"
          + " and l.pid operator(pg_catalog.=) " + (lockSession == null ? -1 : lockSession.pid())
          + " and l.classid::pg_catalog.int8 operator(pg_catalog.=) " + (lockSession == null ? -1 : lockSession.classid())
          + " and l.objid::pg_catalog.int8 operator(pg_catalog.=) " + (lockSession == null ? -1 : lockSession.objid()) + "),"
          + " pg_catalog.current_setting('search_path'), current_user")) {
        rs.next();
        seen = rs.getBoolean(1);
        if (searchPathAtBegin == null) {
          searchPathAtBegin = rs.getString(2); // before the first statement: what the session's own is (R48)
          roleAtBegin = rs.getString(3); // and the role it searches as (R60)
        }
      }
    }
    String expected = "the run lock's session" + (lockSession == null ? "" : " (pid " + lockSession.pid() + ")")
        + " visible from the apply session";
    return seen ? CheckResult.pass(SAME_SERVER, expected, "seen", null)
        : CheckResult.fail(SAME_SERVER, new Cause.TargetChangedSinceP1(Cause.Recheck.SERVER), expected, "not seen",
            "the apply session does not see this run's lock session: it is connected to another server than P1 checked");
  }

  /**
   * {@link #sameServer} again after the package's checks, which run as apply_role on the apply
   * session and, where the login is apply_role, may end the run lock's session
   * ({@code pg_terminate_backend}): that session answers a query of its own first (a session
   * signalled to end does not, even before pg_locks stops showing its lock), then the apply
   * session sees its lock.
   */
  private CheckResult lockSessionStill(Connection c) throws SQLException {
    try (Statement st = lockConn.createStatement()) {
      st.executeQuery("select 1").close();
    } catch (SQLException e) {
      return CheckResult.fail(SAME_SERVER, new Cause.TargetChangedSinceP1(Cause.Recheck.SERVER),
          "the run lock's session answers after the checks at BEGIN", "gone: " + e.getSQLState(),
          "the run lock's session ended during the checks at BEGIN (a check may end sessions of apply_role's):"
              + " another run may take the lock");
    }
    return readOnly(c, this::sameServer);
  }

  /** LOCK TABLE … IN <mode> MODE for every pre-existing relation the change touches, strongest mode first. */
  private CheckResult lock(Connection c) throws SQLException {
    List<String> labels = new ArrayList<>();
    List<String> modes = new ArrayList<>();
    locks.forEach((label, mode) -> {
      if (mode != null) {
        labels.add(label);
        modes.add(mode.sql());
      }
    });
    if (labels.isEmpty()) {
      return CheckResult.pass(LOCKS, "locks on pre-existing relations the change touches", "none needed", null);
    }
    Map<Long, String> names = new LinkedHashMap<>();
    Map<Long, LockMode> strongest = new LinkedHashMap<>();
    List<String> leftToStatement = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(RESOLVE_LOCKS)) {
      Array l = c.createArrayOf("text", labels.toArray());
      Array m = c.createArrayOf("text", modes.toArray());
      ps.setArray(1, l);
      ps.setArray(2, m);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long oid = rs.getLong(1);
          LockMode mode = LockMode.valueOf(rs.getString(3).replace(' ', '_'));
          if (!rs.getBoolean(4)) {
            leftToStatement.add(rs.getString(2));
            continue;
          }
          names.put(oid, rs.getString(2));
          strongest.merge(oid, mode, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
      }
    }
    Map<LockMode, List<String>> byMode = new TreeMap<>(Comparator.reverseOrder());
    strongest.forEach((oid, mode) -> byMode.computeIfAbsent(mode, k -> new ArrayList<>()).add(names.get(oid)));
    List<String> taken = new ArrayList<>();
    for (Map.Entry<LockMode, List<String>> e : byMode.entrySet()) {
      String list = String.join(", ", e.getValue());
      try (Statement st = c.createStatement()) {
        st.execute("lock table " + list + " in " + e.getKey().sql() + " mode");
      } catch (SQLException ex) {
        lockFailureSqlstate = ex.getSQLState();
        return CheckResult.fail(LOCKS, new Cause.TargetChangedSinceP1(Cause.Recheck.LOCKS_NOT_GRANTED), e.getKey().sql() + " on " + list, "not granted",
            "could not lock " + list + " in " + e.getKey().sql() + " mode within lock_timeout: " + DbErrors.oneLine(ex));
      }
      taken.add(e.getKey().sql() + " on " + list);
    }
    return CheckResult.pass(LOCKS, "locks on pre-existing relations the change touches",
        taken.isEmpty() ? "none needed" : String.join("; ", taken),
        leftToStatement.isEmpty() ? null : "left to the statements (apply_role may not LOCK them): " + String.join(", ", leftToStatement));
  }

  /**
   * Runs {@code work} in a savepoint made read-only ({@code SET LOCAL transaction_read_only}
   * may always be turned on) and rolled back afterwards: whatever a check tries to write is
   * refused, and an error leaves the apply's transaction usable. Locks taken before the savepoint stay.
   */
  public static <T> T readOnly(Connection c, Work<T> work) throws SQLException {
    Savepoint sp = c.setSavepoint();
    try {
      try (Statement st = c.createStatement()) {
        st.execute("set local transaction_read_only = on");
      }
      return work.run(c);
    } finally {
      c.rollback(sp);
    }
  }
}

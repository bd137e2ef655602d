package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The DDL analysis of an artifact's statements, read once per run: the P1 privilege check, the
 * backup-scope check, the re-check at BEGIN, the blockers gate's planned locks and the derived
 * verify checks all ask for the same statements' requirements or touches. The last list read is
 * kept; it is reused only for a list of equal statements (the same index, line and text: what the
 * analysis reads), else read afresh. The lists the run hands out are made anew each time from the
 * same texts, so comparing them costs a pointer comparison per statement.
 */
public final class StatementAnalysis {

  private final ExecStatement[] keys;
  private final List<List<Requirement>> requirements;
  private final List<List<Touch>> touches;
  /** Every statement's touches and requirements in one list each, in order: flattened once per reading. */
  private final List<Touch> allTouches;
  private final List<Requirement> allRequirements;
  /** The objects named unqualified under a search_path the artifact set itself, in order. */
  private final List<ArtifactSearchPath.PathName> pathNames;
  /** The search_path the statements leave in effect after the last of them, as their text tells. */
  private final ArtifactSearchPath.Setting finalSearchPath;
  /** Each statement followed by one that may change the search_path, by index, with the setting after it. */
  private final java.util.Map<Integer, ArtifactSearchPath.Setting> beforePathChanges;
  /** Each statement followed by one that switches the role or gives the path a setting, with the role the text leaves after it. */
  private final java.util.Map<Integer, String> rolesBefore;
  private final String finalRole;
  /** By position, the search_path setting and the role each statement leaves as the text tells (transaction mode's reading). */
  private final ArtifactSearchPath.Setting[] pathsAfter;
  private final String[] rolesAfter;

  private static StatementAnalysis last;
  /** How many readings {@link #of} has made: a reading ahead started before the latest one is moot. */
  private static long readings;

  private StatementAnalysis(ExecStatement[] keys, List<List<Requirement>> requirements, List<List<Touch>> touches,
      List<ArtifactSearchPath.PathName> pathNames, ArtifactSearchPath.Setting finalSearchPath,
      java.util.Map<Integer, ArtifactSearchPath.Setting> beforePathChanges, java.util.Map<Integer, String> rolesBefore,
      String finalRole, ArtifactSearchPath.Setting[] pathsAfter, String[] rolesAfter) {
    this.pathsAfter = pathsAfter;
    this.rolesAfter = rolesAfter;
    this.beforePathChanges = java.util.Map.copyOf(beforePathChanges);
    this.rolesBefore = java.util.Map.copyOf(rolesBefore);
    this.finalRole = finalRole;
    this.keys = keys;
    this.pathNames = List.copyOf(pathNames);
    this.finalSearchPath = finalSearchPath;
    this.requirements = requirements;
    this.touches = touches;
    List<Touch> t = new ArrayList<>();
    touches.forEach(t::addAll);
    this.allTouches = Collections.unmodifiableList(t);
    List<Requirement> r = new ArrayList<>();
    requirements.forEach(r::addAll);
    this.allRequirements = Collections.unmodifiableList(r);
  }

  /** The analysis of {@code statements}, reading each statement's text at most once per run. */
  public static synchronized StatementAnalysis of(List<ExecStatement> statements) {
    StatementAnalysis a = last;
    if (a != null && a.holds(statements)) {
      return a;
    }
    ExecStatement[] keys = statements.toArray(new ExecStatement[0]);
    List<List<Requirement>> reqs = new ArrayList<>(keys.length);
    List<List<Touch>> tch = new ArrayList<>(keys.length);
    // only a statement that may change the search_path leaves the session's: where none may, nothing is followed
    Qualifier q = null;
    for (ExecStatement s : keys) {
      if (ArtifactSearchPath.mayChange(s.text())) {
        q = new Qualifier();
        break;
      }
    }
    java.util.Map<Integer, ArtifactSearchPath.Setting> beforeChanges = new java.util.HashMap<>();
    java.util.Map<Integer, String> roles = new java.util.HashMap<>();
    String role = ""; // the role the statements run as, as the text tells: "" the session's at BEGIN, null unknown
    ArtifactSearchPath.Setting[] pathsAfter = q == null ? null : new ArtifactSearchPath.Setting[keys.length];
    String[] rolesAfter = q == null ? null : new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      ExecStatement s = keys[i];
      DdlAnalyzer.Reading r = DdlAnalyzer.both(s.index(), s.line(), s.text());
      if (q != null) {
        r = q.qualify(r);
        q.after(s);
        role = ArtifactSearchPath.roleAfter(role, s.text());
        boolean assigns = i + 1 < keys.length && ArtifactSearchPath.assigns(keys[i + 1].text());
        if (assigns && !(q.setting instanceof ArtifactSearchPath.Unfollowed)) {
          beforeChanges.put(s.index(), q.setting);
        }
        if (role != null && i + 1 < keys.length && (assigns || ArtifactSearchPath.mayChange(keys[i + 1].text())
            && ArtifactSearchPath.switchesRole(keys[i + 1].text()) != null)) {
          roles.put(s.index(), role);
        }
        pathsAfter[i] = q.setting;
        rolesAfter[i] = role;
      }
      reqs.add(r.requirements());
      tch.add(Collections.unmodifiableList(r.touches()));
    }
    last = new StatementAnalysis(keys, Collections.unmodifiableList(reqs), Collections.unmodifiableList(tch),
        q == null ? List.of() : q.names, q == null ? ArtifactSearchPath.SESSION : q.setting, beforeChanges, roles, role,
        pathsAfter, rolesAfter);
    readings++;
    return last;
  }

  /**
   * Starts reading {@code statements} on a daemon thread, for a run that will ask for them soon
   * (P1's privilege check): the analysis is offline and needs only the CPU, so it can be read
   * while the run connects. Whoever asks meanwhile waits for it and shares it ({@link #of} is one
   * reading at a time); should the analyzer fail, the check that asks reads again and reports it.
   * Once another reading has been made since it was started, it reads nothing (null).
   */
  public static java.util.concurrent.FutureTask<StatementAnalysis> readAhead(List<ExecStatement> statements) {
    long before;
    synchronized (StatementAnalysis.class) {
      before = readings;
    }
    return dev.cutter.core.Background.start("cutter-ddl-analysis", () -> {
      synchronized (StatementAnalysis.class) {
        if (readings != before) {
          return null; // someone read statements since: what they read stays the last reading
        }
        try {
          return of(statements);
        } catch (RuntimeException e) {
          return null;
        }
      }
    });
  }

  /** Every object the statements touch, in order (as {@link DdlAnalyzer#touches} statement by statement). */
  public static List<Touch> touches(List<ExecStatement> statements) {
    return of(statements).allTouches;
  }

  /** What the statements need, in order (as {@link DdlAnalyzer#analyze} statement by statement). */
  public static List<Requirement> requirements(List<ExecStatement> statements) {
    return of(statements).allRequirements;
  }

  /**
   * The objects the statements name unqualified while a search_path the artifact set itself is in
   * effect ({@link ArtifactSearchPath}), in order: their touches and requirements name them in the
   * schema each records, which {@link ArtifactNames} proves.
   */
  public static ArtifactSearchPath.Setting finalSearchPath(List<ExecStatement> statements) {
    return of(statements).finalSearchPath;
  }

  /**
   * Of the statements, each one followed by a statement that gives the search_path a setting, by its index, with the
   * setting the text leaves after it (none where cutter cannot follow it): a setting a function made unseen must
   * be found right after it, as the artifact's own SET or RESET that follows gives the expected one back (R58).
   */
  public static java.util.Map<Integer, ArtifactSearchPath.Setting> beforePathChanges(List<ExecStatement> statements) {
    return of(statements).beforePathChanges;
  }

  /**
   * Of the statements, each one followed by a statement that switches the role or gives the search_path a setting,
   * by its index, with the role the text leaves after it: {@code ""} the session's at BEGIN, else the role a plain
   * {@code SET ROLE r} named (none where the text cannot tell). A function that switches the role unseen changes
   * what {@code "$user"} names and which schemas of the path the server searches (R60).
   */
  public static java.util.Map<Integer, String> rolesBefore(List<ExecStatement> statements) {
    return of(statements).rolesBefore;
  }

  /**
   * By position, what the session must show after each statement in autocommit mode, where each statement commits on
   * its own (R61): the search_path setting and the role the text leaves there, as {@link #beforePathChanges} and
   * {@link #rolesBefore} read them, but a local setting ({@code SET LOCAL}, {@code set_config(…, true)}) ends with its
   * own statement and leaves the one before it.
   */
  public static List<SessionAfter> autocommitSessions(List<ExecStatement> statements) {
    StatementAnalysis a = of(statements);
    int n = a.keys.length;
    if (a.pathsAfter == null) {
      return Collections.nCopies(n, SessionAfter.UNCHANGED); // no statement may change either
    }
    List<SessionAfter> out = new ArrayList<>(n);
    ArtifactSearchPath.Setting read = ArtifactSearchPath.SESSION;
    ArtifactSearchPath.Setting lasting = ArtifactSearchPath.SESSION;
    SessionAfter previous = SessionAfter.UNCHANGED;
    for (int i = 0; i < n; i++) {
      ArtifactSearchPath.Setting now = a.pathsAfter[i];
      if (now != read) {
        read = now; // this statement gave the path a setting
        if (!(now instanceof ArtifactSearchPath.Set set && set.local())) {
          lasting = now;
        }
      }
      String role = a.rolesAfter[i];
      if (previous.path() != lasting || !java.util.Objects.equals(previous.role(), role)) {
        previous = new SessionAfter(lasting, role);
      }
      out.add(previous);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The search_path setting and the role a statement leaves the autocommit session with: {@code role} {@code ""} the
   * session's at BEGIN, else the role a plain {@code SET ROLE r} named, null where the text cannot tell (not compared).
   */
  public record SessionAfter(ArtifactSearchPath.Setting path, String role) {
    /** What BEGIN read: the session's own path and role. */
    public static final SessionAfter UNCHANGED = new SessionAfter(ArtifactSearchPath.SESSION, "");
  }

  /** The role the statements leave, as {@link #rolesBefore} tells it (null: the text cannot tell). */
  public static String finalRole(List<ExecStatement> statements) {
    return of(statements).finalRole;
  }

  /**
   * The objects the statements name unqualified while a search_path the artifact set itself is in
   * effect, in order (see {@link #pathNames(List)}'s callers); {@link #finalSearchPath} is the setting after the last.
   */
  public static List<ArtifactSearchPath.PathName> pathNames(List<ExecStatement> statements) {
    return of(statements).pathNames;
  }

  /**
   * Follows the search_path the artifact sets and names each object a statement names unqualified
   * under it in the first schema that setting lists (see {@link ArtifactSearchPath}); under the
   * session's own, names stay as written.
   */
  private static final class Qualifier {
    private ArtifactSearchPath.Setting setting = ArtifactSearchPath.SESSION;
    /** Relations created temporary under an unqualified name (and not dropped since): the temporary schema holds them. */
    private final java.util.Set<String> temporary = new java.util.HashSet<>();
    private final java.util.Set<String> createdSchemas = new java.util.HashSet<>();
    /** What the artifact created so far, by namespace family and qualified name. */
    private final java.util.Set<String> created = new java.util.HashSet<>();
    /** What the artifact dropped, renamed or moved out of its schema (and did not create again), and how. */
    private final java.util.Map<String, String> takenAway = new java.util.HashMap<>();
    /** The schemas the artifact dropped (and did not create again), and where. */
    private final java.util.Map<String, String> droppedSchemas = new java.util.HashMap<>();
    /** How and where the artifact switched the role its statements run as, null before. */
    private String roleSwitch;
    /** A PREPARE or DECLARE whose statement may change the search_path or the role when run, null before. */
    private String deferred;
    private boolean deferredRole;
    /** Where the artifact first drops with CASCADE (or DROP OWNED): what depended on it, anywhere, is gone. */
    private String cascade;
    /** The role the artifact switched to by name ({@code SET ROLE r}), null: apply_role. */
    private String role;
    private final List<ArtifactSearchPath.PathName> names = new ArrayList<>();
    /** The readings before the artifact first sets a search_path (null since): tracked only once it does. */
    private List<DdlAnalyzer.Reading> pending = new ArrayList<>();

    DdlAnalyzer.Reading qualify(DdlAnalyzer.Reading r) {
      List<Requirement> reqs = r.requirements();
      List<Touch> touches = r.touches();
      if (!(setting instanceof ArtifactSearchPath.SessionDefault)) {
        String schema = setting instanceof ArtifactSearchPath.Set set ? set.first() : null;
        List<Touch> qt = new ArrayList<>(touches.size());
        for (Touch t : touches) {
          if (!underPath(t.kind(), t.object())) {
            qt.add(t);
            continue;
          }
          ObjectName there = schema == null ? null : t.object().in(schema);
          String gone = schema == null || t.action() == Touch.Action.CREATE ? null : droppedSchemas.getOrDefault(schema, takenAway.get(key(t.kind(), there)));
          names.add(new ArtifactSearchPath.PathName(t.kind(), t.object().name(), setting, schema,
              t.action() == Touch.Action.CREATE || (schema != null && created.contains(key(t.kind(), there))),
              schema != null && createdSchemas.contains(schema), t.statement(), t.line(), t.action(), gone, role,
              schema == null || t.action() == Touch.Action.CREATE || created.contains(key(t.kind(), there)) ? null : cascade));
          qt.add(schema == null ? t : t.named(there));
        }
        touches = qt;
        if (schema != null) {
          List<Requirement> qr = new ArrayList<>(reqs.size());
          for (Requirement x : reqs) {
            qr.add(qualified(x, schema));
          }
          reqs = List.copyOf(qr);
        }
      }
      DdlAnalyzer.Reading read = new DdlAnalyzer.Reading(reqs, touches);
      if (pending != null) {
        pending.add(read); // no path set yet: what it created or dropped is read once one is
      } else {
        track(reqs, touches);
      }
      return read;
    }

    /** Tracks the readings kept while no path was set. */
    private void trackPending() {
      if (pending != null) {
        pending.forEach(r -> track(r.requirements(), r.touches()));
        pending.clear();
      }
    }

    /**
     * What a statement leaves for the names after it: temporary relations, created and dropped schemas and
     * objects, renamed or moved ones.
     */
    private void track(List<Requirement> reqs, List<Touch> touches) {
      for (Requirement x : reqs) {
        if (x instanceof Requirement.CreateTemporary ct && !ct.object().qualified()) {
          temporary.add(ct.object().name());
        }
      }
      for (Touch t : touches) {
        if (t.action() == Touch.Action.CREATE) {
          if (t.kind() == ObjectKind.SCHEMA) {
            createdSchemas.add(t.object().name());
            droppedSchemas.remove(t.object().name());
          } else if (t.object().qualified()) {
            created.add(key(t.kind(), t.object()));
            takenAway.remove(key(t.kind(), t.object()));
          }
        } else if (t.action() == Touch.Action.DROP) {
          String where = "statement " + t.statement() + " (line " + t.line() + ")";
          if (t.kind() == ObjectKind.SCHEMA) {
            droppedSchemas.put(t.object().name(), "the artifact drops schema " + t.object() + " at " + where);
            createdSchemas.remove(t.object().name());
          } else if (t.object().qualified()) {
            takenAway.put(key(t.kind(), t.object()), "the artifact drops it at " + where);
            created.remove(key(t.kind(), t.object()));
          } else if (t.kind().isRelation()) {
            temporary.remove(t.object().name()); // the temporary relation, searched first, is the one dropped
          }
        }
      }
      // ALTER … RENAME TO / SET SCHEMA: the old name is gone from its schema
      for (Requirement x : reqs) {
        if (x instanceof Requirement.Owns o && o.verb().equals("ALTER") && o.object().qualified()) {
          for (Requirement y : reqs) {
            if (y instanceof Requirement.CreateIn ci && ArtifactNames.family(ci.kind()).equals(ArtifactNames.family(o.kind()))
                && !ci.object().equals(o.object())) {
              takenAway.put(key(o.kind(), o.object()), "the artifact renames or moves it at statement " + o.statement()
                  + " (line " + o.line() + ")");
              created.remove(key(o.kind(), o.object()));
            }
          }
        }
      }
    }

    /** Past statement {@code s}: the setting the next one runs under. */
    void after(ExecStatement s) {
      if (cascade == null && ArtifactSearchPath.containsIgnoringCase(s.text(), "drop") && dropsDependents(s.text())) {
        cascade = "statement " + s.index() + " (line " + s.line() + ")";
      }
      if (deferred != null && runsDeferred(s.text())) {
        // EXECUTE of a prepared statement, FETCH or MOVE of a cursor: runs what PREPARE or DECLARE named
        setting = new ArtifactSearchPath.Unfollowed(s.index(), s.line(), "running " + deferred);
        if (deferredRole) {
          roleSwitch = "running " + deferred + " at statement " + s.index() + " (line " + s.line() + ")";
        }
      }
      if (ArtifactSearchPath.mayChange(s.text()) && defersChange(s.text())) {
        deferred = "what it prepared or declared at statement " + s.index() + " (line " + s.line() + ")";
        deferredRole |= ArtifactSearchPath.switchesRole(s.text()) != null;
        return; // PREPARE and DECLARE run nothing yet
      }
      if (ArtifactSearchPath.mayChange(s.text())) {
        setting = ArtifactSearchPath.after(setting, s.text(), s.index(), s.line());
        String how = ArtifactSearchPath.switchesRole(s.text());
        String to = how == null ? null : ArtifactSearchPath.roleSwitchedTo(s.text());
        if (to != null) {
          role = to; // a role named plainly: P1 and BEGIN prove its USAGE instead of apply_role's
        } else if (how != null) {
          roleSwitch = how + " at statement " + s.index() + " (line " + s.line() + ")";
        }
        if (discardsTemporary(s.text())) {
          trackPending(); // what was created before is gone now, not when a path is first set
          temporary.clear();
        }
      }
      if (pending != null && !(setting instanceof ArtifactSearchPath.SessionDefault)) {
        trackPending();
        pending = null;
      }
      if (roleSwitch != null && setting instanceof ArtifactSearchPath.Set) {
        // the server searches the path with the privileges of the role in effect; P1 proves apply_role's
        setting = new ArtifactSearchPath.Unfollowed(s.index(), s.line(), "switching the role its statements run as ("
            + roleSwitch + "), whose USAGE on each schema cutter does not prove");
      }
    }

    /** {@code PREPARE} or {@code DECLARE} of a statement that may change the search_path or the role. */
    private static boolean defersChange(String text) {
      List<SqlTokens.Token> t = SqlTokens.of(text);
      return !t.isEmpty() && (t.get(0).is("prepare") || t.get(0).is("declare"))
          && (!(ArtifactSearchPath.after(ArtifactSearchPath.SESSION, text, 0, 0) instanceof ArtifactSearchPath.SessionDefault)
              || ArtifactSearchPath.switchesRole(text) != null);
    }

    /** {@code DROP … CASCADE}, {@code ALTER … DROP … CASCADE} or {@code DROP OWNED}: drops what the text does not name. */
    private static boolean dropsDependents(String text) {
      List<SqlTokens.Token> t = SqlTokens.of(text);
      if (t.size() > 1 && t.get(0).is("drop") && t.get(1).is("owned")) {
        return true;
      }
      boolean drop = false;
      for (SqlTokens.Token k : t) {
        drop |= k.is("drop");
        if (drop && k.is("cascade")) {
          return true;
        }
      }
      return false;
    }

    private static boolean runsDeferred(String text) {
      List<SqlTokens.Token> t = SqlTokens.of(text);
      return !t.isEmpty() && (t.get(0).is("execute") || t.get(0).is("fetch") || t.get(0).is("move"));
    }

    private static boolean discardsTemporary(String text) {
      List<SqlTokens.Token> t = SqlTokens.of(text);
      return t.size() > 1 && t.get(0).is("discard") && (t.get(1).is("all") || t.get(1).is("temp") || t.get(1).is("temporary"));
    }

    private boolean underPath(ObjectKind kind, ObjectName name) {
      return !name.qualified() && kind.inSchema() && !(kind.isRelation() && temporary.contains(name.name()) && temporaryFirst());
    }

    /** Whether the server searches the temporary schema before the first one the path lists: unless listed after it. */
    private boolean temporaryFirst() {
      if (!(setting instanceof ArtifactSearchPath.Set set) || set.first() == null) {
        return true;
      }
      int temp = set.elements().indexOf("pg_temp");
      return temp < 0 || temp < set.elements().indexOf(set.first());
    }

    private Requirement qualified(Requirement r, String schema) {
      if (r instanceof Requirement.CreateIn ci && underPath(ci.kind(), ci.object())) {
        return new Requirement.CreateIn(ci.kind(), ci.object().in(schema), ci.statement(), ci.line(), ci.mayCreateNothing());
      } else if (r instanceof Requirement.CreateIndex ix && underPath(ObjectKind.TABLE, ix.table())) {
        return new Requirement.CreateIndex(ix.table().in(schema), ix.statement(), ix.line());
      } else if (r instanceof Requirement.Owns o && underPath(o.kind(), o.object())) {
        return new Requirement.Owns(o.kind(), o.object().in(schema), o.ifExists(), o.verb(), o.statement(), o.line());
      } else if (r instanceof Requirement.References ref && underPath(ObjectKind.TABLE, ref.table())) {
        return new Requirement.References(ref.table().in(schema), ref.statement(), ref.line());
      }
      return r;
    }

    /** Relations share one namespace, types and domains another, routines a third. */
    static String key(ObjectKind kind, ObjectName name) {
      return ArtifactNames.family(kind) + " " + name;
    }
  }

  /** The touches of the statement at {@code position} (0-based) of the list read. */
  public List<Touch> touchesAt(int position) {
    return touches.get(position);
  }

  private boolean holds(List<ExecStatement> statements) {
    return ExecStatement.sameAs(statements, keys);
  }
}

package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the search_path the artifact sets, statement by statement, and names each object a statement names
 * unqualified under it in the first schema that setting lists (see {@link ArtifactSearchPath}); under the
 * session's own, names stay as written. It also keeps, for the comparisons the apply makes while the change runs,
 * the setting (R58) and the role (R60) the text leaves before each statement that may change them.
 */
final class SearchPathFollower {

  /** Whether some statement may change the search_path: only then does it leave the session's, and is followed. */
  private final boolean following;
  /** Each statement followed by one that may change the search_path, by index, with the setting after it. */
  private final java.util.Map<Integer, ArtifactSearchPath.Setting> beforeChanges = new java.util.HashMap<>();
  /** Each statement followed by one that switches the role or gives the path a setting, with the role the text leaves after it. */
  private final java.util.Map<Integer, ExpectedRole> roles = new java.util.HashMap<>();
  /** The role the statements run as, as the text tells. */
  private ExpectedRole roleLeft = ExpectedRole.AT_BEGIN;
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
  /** By position, the setting and the role each statement leaves as the text tells (null: nothing followed). */
  private final ArtifactSearchPath.Setting[] pathsAfter;
  private final ExpectedRole[] rolesAfter;
  /** The readings before the artifact first sets a search_path (null since): tracked only once it does. */
  private List<DdlAnalyzer.Reading> pending = new ArrayList<>();

  /** A follower for {@code statements}, which follows them only where some statement may change the search_path. */
  SearchPathFollower(ExecStatement[] statements) {
    boolean may = false;
    for (ExecStatement s : statements) {
      if (ArtifactSearchPath.mayChange(s.text())) {
        may = true;
        break;
      }
    }
    this.following = may;
    this.pathsAfter = may ? new ArtifactSearchPath.Setting[statements.length] : null;
    this.rolesAfter = may ? new ExpectedRole[statements.length] : null;
  }

  /**
   * Statement {@code i} of {@code statements} as read ({@code r}), with what it names unqualified named under the
   * setting in effect; then moves past it.
   */
  DdlAnalyzer.Reading follow(ExecStatement[] statements, int i, DdlAnalyzer.Reading r) {
    if (!following) {
      return r;
    }
    ExecStatement s = statements[i];
    r = qualify(r);
    after(s);
    roleLeft = ArtifactSearchPath.roleAfter(roleLeft, s.text());
    boolean assigns = i + 1 < statements.length && ArtifactSearchPath.assigns(statements[i + 1].text());
    if (assigns && !(setting instanceof ArtifactSearchPath.Unfollowed)) {
      beforeChanges.put(s.index(), setting);
    }
    if (!(roleLeft instanceof ExpectedRole.Unknown) && i + 1 < statements.length && (assigns
        || ArtifactSearchPath.mayChange(statements[i + 1].text())
        && ArtifactSearchPath.switchesRole(statements[i + 1].text()) != null)) {
      roles.put(s.index(), roleLeft);
    }
    pathsAfter[i] = setting;
    rolesAfter[i] = roleLeft;
    return r;
  }

  /** The objects named unqualified under a search_path the artifact set itself, in order. */
  List<ArtifactSearchPath.PathName> names() {
    return names;
  }

  /** The search_path in effect after the statements followed so far. */
  ArtifactSearchPath.Setting setting() {
    return setting;
  }

  /** By position, the setting each statement leaves as the text tells; null where nothing is followed. */
  ArtifactSearchPath.Setting[] pathsAfter() {
    return pathsAfter;
  }

  /** By position, the role each statement leaves as the text tells; null where nothing is followed. */
  ExpectedRole[] rolesAfter() {
    return rolesAfter;
  }

  /** See {@link StatementAnalysis#beforePathChanges}. */
  java.util.Map<Integer, ArtifactSearchPath.Setting> beforePathChanges() {
    return beforeChanges;
  }

  /** See {@link StatementAnalysis#rolesBefore}. */
  java.util.Map<Integer, ExpectedRole> rolesBefore() {
    return roles;
  }

  /** The role the statements followed so far leave. */
  ExpectedRole roleLeft() {
    return roleLeft;
  }

  private DdlAnalyzer.Reading qualify(DdlAnalyzer.Reading r) {
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
  private void after(ExecStatement s) {
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
  private static String key(ObjectKind kind, ObjectName name) {
    return ArtifactNames.family(kind) + " " + name;
  }
}

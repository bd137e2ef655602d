package dev.cutter.core.scaffold;

import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.check.derived.DdlAnalyzer;
import dev.cutter.core.check.derived.Requirement;
import dev.cutter.core.check.derived.StatementAnalysis;
import dev.cutter.core.check.derived.Touch;
import dev.cutter.core.exec.ExecStatement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks {@code cutter package new} derives from a change's SQL ({@link StatementAnalysis}'s
 * touches, the analysis every run uses) and the target's catalog as it is now. Before the change:
 * what it creates is absent, what it alters, drops, indexes, references or writes is present, and
 * every schema it touches exists. After it: what it created is present, what it dropped absent.
 * Before a rollback: what the rollback alters or drops is present (unless it says IF EXISTS), what
 * it creates absent. Where the live catalog contradicts the SQL (a CREATE of something that exists,
 * an ALTER of something that does not), the check is left out and a warning says why: the derived
 * preflight holds on the target as it is, and the rehearsal shows whether the SQL does.
 */
public final class ScaffoldDerivation {

  /** An object as placed in the catalog: {@code schema} is null for a schema itself. */
  public record Placed(ObjectKind kind, String schema, String name) {

    /** As a message names it: {@code table app.invoices}. */
    public String shown() {
      return kind.sqlName() + " " + Identifiers.qualified(schema, name);
    }
  }

  /** What the derivation asks of the target's catalog. */
  public interface Catalog {

    /**
     * The schema an unqualified name resolves to when the change runs as apply_role: the first
     * schema of its search_path holding such an object, else the creation schema; empty when
     * apply_role has no schema to create in.
     */
    Optional<String> resolve(ObjectKind kind, String name);

    /** apply_role's creation schema (the first usable schema of its search_path), if any. */
    Optional<String> creationSchema();

    /** Which of {@code objects} exist now (schemas as {@code Placed(SCHEMA, null, name)}). */
    Set<Placed> existing(Collection<Placed> objects);
  }

  /**
   * Something the reviewer should know: {@code statement} and {@code line} in its artifact (0 when
   * it is about no one statement). A warning contradicts the live catalog and is also printed.
   */
  public record Note(String file, int statement, int line, String text, boolean warning) {}

  /**
   * What was derived. Object lists keep the SQL's order; {@code schemas} are the touched schemas
   * that exist now (schema_exists, baseline and the backup scope), in the order first named.
   */
  public record Derived(
      List<String> schemas,
      List<Placed> absentBefore,
      List<Placed> presentBefore,
      List<String> schemasCreated,
      List<Placed> presentAfter,
      List<Placed> absentAfter,
      List<Placed> rollbackPresent,
      List<Placed> rollbackAbsent,
      List<Note> notes) {

    public Derived {
      schemas = List.copyOf(schemas);
      absentBefore = List.copyOf(absentBefore);
      presentBefore = List.copyOf(presentBefore);
      schemasCreated = List.copyOf(schemasCreated);
      presentAfter = List.copyOf(presentAfter);
      absentAfter = List.copyOf(absentAfter);
      rollbackPresent = List.copyOf(rollbackPresent);
      rollbackAbsent = List.copyOf(rollbackAbsent);
      notes = List.copyOf(notes);
    }

    public List<Note> warnings() {
      return notes.stream().filter(Note::warning).toList();
    }
  }

  /** The kinds {@code objects_absent}/{@code objects_present} can list (roles aside: the analysis finds none). */
  static final Set<ObjectKind> LISTABLE = Set.of(ObjectKind.TABLE, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW,
      ObjectKind.INDEX, ObjectKind.SEQUENCE, ObjectKind.FUNCTION, ObjectKind.TYPE);

  /** How the SQL treats one object: its first touch (in {@code file}) and whether it exists at the end. */
  private static final class Track {
    final String file;
    final Touch first;
    Boolean presentAtEnd;

    Track(String file, Touch first) {
      this.file = file;
      this.first = first;
    }
  }

  private final Catalog catalog;
  private final List<Note> notes = new ArrayList<>();

  private ScaffoldDerivation(Catalog catalog) {
    this.catalog = catalog;
  }

  /**
   * Derives the checks of a package whose change is {@code change} (from {@code changeFile}) and
   * whose rollback, if any, is {@code rollback} (from {@code rollbackFile}).
   */
  public static Derived derive(String changeFile, List<ExecStatement> change, String rollbackFile,
      List<ExecStatement> rollback, Catalog catalog) {
    return derive(changeFile, change, null, List.of(), rollbackFile, rollback, catalog);
  }

  /**
   * As {@link #derive(String, List, String, List, Catalog)}, with the statements of the online step
   * ({@code onlineFile}), which run after the change: what they create (an index built
   * concurrently) is absent before and present after, what they work on present before.
   */
  public static Derived derive(String changeFile, List<ExecStatement> change, String onlineFile,
      List<ExecStatement> online, String rollbackFile, List<ExecStatement> rollback, Catalog catalog) {
    return new ScaffoldDerivation(catalog).run(changeFile, change, onlineFile, online, rollbackFile, rollback);
  }

  private Derived run(String changeFile, List<ExecStatement> change, String onlineFile, List<ExecStatement> online,
      String rollbackFile, List<ExecStatement> rollback) {
    Map<String, String> createdUnqualified = new HashMap<>();
    List<String> touchedSchemas = new ArrayList<>();
    Map<Placed, Track> tracks = new LinkedHashMap<>();
    track(changeFile, change, createdUnqualified, touchedSchemas, tracks);
    notDerived(changeFile, change);
    if (!online.isEmpty()) {
      track(onlineFile, online, createdUnqualified, touchedSchemas, tracks);
      notDerived(onlineFile, online);
    }

    Set<Placed> ask = new LinkedHashSet<>(tracks.keySet());
    touchedSchemas.forEach(s -> ask.add(schema(s)));
    Set<Placed> existing = catalog.existing(ask);

    List<String> schemas = new ArrayList<>();
    for (String s : touchedSchemas) {
      Track t = tracks.get(schema(s));
      if (existing.contains(schema(s))) {
        schemas.add(s);
      } else if (t == null || t.first.action() != Touch.Action.CREATE) {
        Touch first = t != null ? t.first : null;
        notes.add(new Note(t != null ? t.file : changeFile, first == null ? 0 : first.statement(),
            first == null ? 0 : first.line(),
            "schema " + Identifiers.quote(s) + " does not exist on the target now and the change does not create it:"
                + " no schema_exists, baseline or backup for it (statements on it fail)", true));
      }
    }
    List<Placed> absentBefore = new ArrayList<>();
    List<Placed> presentBefore = new ArrayList<>();
    List<String> schemasCreated = new ArrayList<>();
    List<Placed> presentAfter = new ArrayList<>();
    List<Placed> absentAfter = new ArrayList<>();
    tracks.forEach((p, t) -> {
      Touch first = t.first;
      if (p.kind() == ObjectKind.SCHEMA) {
        if (Boolean.TRUE.equals(t.presentAtEnd)) {
          schemasCreated.add(p.name());
        } else if (Boolean.FALSE.equals(t.presentAtEnd)) {
          notes.add(new Note(t.file, first.statement(), first.line(), "schema " + Identifiers.quote(p.name())
              + " is dropped: no check lists an absent schema, so verify does not check it", false));
        }
        if (first.action() == Touch.Action.CREATE && existing.contains(p)) {
          notes.add(new Note(t.file, first.statement(), first.line(), "schema " + Identifiers.quote(p.name())
              + " exists already: the CREATE SCHEMA fails unless it says IF NOT EXISTS", true));
        }
        return;
      }
      if (!LISTABLE.contains(p.kind())) {
        notes.add(new Note(t.file, first.statement(), first.line(), p.kind().sqlName() + " "
            + Identifiers.qualified(p.schema(), p.name()) + ": no object check lists " + p.kind().key()
            + "; add a sql check if it matters", false));
        return;
      }
      boolean created = first.action() == Touch.Action.CREATE;
      if (created && existing.contains(p)) {
        notes.add(new Note(t.file, first.statement(), first.line(), shown(p) + " exists already: objects_absent"
            + " left out (the CREATE fails unless it says IF NOT EXISTS or OR REPLACE)", true));
      } else if (created) {
        absentBefore.add(p);
      } else if (existing.contains(p)) {
        presentBefore.add(p);
      } else {
        notes.add(new Note(t.file, first.statement(), first.line(), shown(p) + " does not exist on the target now:"
            + " objects_present left out (the statement fails unless it says IF EXISTS)", true));
      }
      if (Boolean.TRUE.equals(t.presentAtEnd)) {
        presentAfter.add(p);
      } else if (Boolean.FALSE.equals(t.presentAtEnd)) {
        absentAfter.add(p);
      }
    });

    List<Placed> rollbackPresent = new ArrayList<>();
    List<Placed> rollbackAbsent = new ArrayList<>();
    if (!rollback.isEmpty()) {
      Set<String> conditional = conditionalDrops(rollback);
      Map<Placed, Track> back = new LinkedHashMap<>();
      track(rollbackFile, rollback, createdUnqualified, new ArrayList<>(), back);
      back.forEach((p, t) -> {
        if (!LISTABLE.contains(p.kind())) {
          return;
        }
        if (t.first.action() == Touch.Action.CREATE) {
          rollbackAbsent.add(p);
        } else if (!conditional.contains(key(t.first))) {
          rollbackPresent.add(p);
        }
      });
      notDerived(rollbackFile, rollback);
    }
    return new Derived(schemas, absentBefore, presentBefore, schemasCreated, presentAfter, absentAfter, rollbackPresent,
        rollbackAbsent, notes);
  }

  /**
   * Follows every object the statements touch, placed as the server would place it: a qualified
   * name as written, an unqualified one where an earlier CREATE of the script put it, else through
   * apply_role's search_path, into {@code tracks}. {@code touchedSchemas} collects the schemas in the
   * order first named.
   */
  private void track(String file, List<ExecStatement> statements, Map<String, String> createdUnqualified,
      List<String> touchedSchemas, Map<Placed, Track> tracks) {
    Map<String, Optional<String>> resolved = new HashMap<>();
    StatementAnalysis analysis = StatementAnalysis.of(statements);
    for (int i = 0; i < statements.size(); i++) {
      ExecStatement s = statements.get(i);
      List<Touch> touches = new ArrayList<>(analysis.touchesAt(i));
      DdlAnalyzer.createdIndex(s.index(), s.line(), s.text()).ifPresent(ix ->
          touches.add(new Touch(ObjectKind.INDEX, ix, Touch.Action.CREATE, s.index(), s.line())));
      for (Touch t : touches) {
        Placed p = place(file, t, createdUnqualified, resolved);
        if (p == null) {
          continue;
        }
        String schema = p.kind() == ObjectKind.SCHEMA ? p.name() : p.schema();
        if (!touchedSchemas.contains(schema)) {
          touchedSchemas.add(schema);
        }
        Track track = tracks.computeIfAbsent(p, k -> new Track(file, t));
        if (t.action() == Touch.Action.CREATE) {
          track.presentAtEnd = true;
        } else if (t.action() == Touch.Action.DROP) {
          track.presentAtEnd = false;
        }
      }
    }
  }

  private Placed place(String file, Touch t, Map<String, String> createdUnqualified,
      Map<String, Optional<String>> resolved) {
    ObjectName o = t.object();
    if (t.kind() == ObjectKind.SCHEMA) {
      return schema(o.name());
    }
    if (o.qualified()) {
      return new Placed(t.kind(), o.schema(), o.name());
    }
    String k = t.kind() + "\u0000" + o.name();
    String schema = createdUnqualified.get(k);
    if (schema == null) {
      Optional<String> found = t.action() == Touch.Action.CREATE ? catalog.creationSchema()
          : resolved.computeIfAbsent(k, x -> catalog.resolve(t.kind(), o.name()));
      if (found.isEmpty()) {
        notes.add(new Note(file, t.statement(), t.line(), t.kind().sqlName() + " " + Identifiers.quote(o.name())
            + " is not schema-qualified and apply_role has no schema on its search_path for it: no check derived", true));
        return null;
      }
      schema = found.get();
      if (t.action() == Touch.Action.CREATE) {
        createdUnqualified.put(k, schema);
      }
    }
    return new Placed(t.kind(), schema, o.name());
  }

  /**
   * Statements the analysis reads nothing from (GRANT, COMMENT, DO, CREATE ROLE, …), one note per
   * command with the statements it stands in.
   */
  private void notDerived(String file, List<ExecStatement> statements) {
    StatementAnalysis analysis = StatementAnalysis.of(statements);
    Set<Integer> touching = new HashSet<>();
    for (int i = 0; i < statements.size(); i++) {
      if (!analysis.touchesAt(i).isEmpty()) {
        touching.add(statements.get(i).index());
      }
    }
    Map<String, List<Requirement.NotDerived>> byCommand = new LinkedHashMap<>();
    for (Requirement r : StatementAnalysis.requirements(statements)) {
      if (r instanceof Requirement.NotDerived nd && !touching.contains(nd.statement())) {
        byCommand.computeIfAbsent(nd.command(), c -> new ArrayList<>()).add(nd);
      }
    }
    byCommand.forEach((command, list) -> {
      List<String> where = list.stream().limit(10).map(n -> String.valueOf(n.statement())).toList();
      String more = list.size() > 10 ? " and " + (list.size() - 10) + " more" : "";
      notes.add(new Note(file, list.get(0).statement(), list.get(0).line(), command + " (statement"
          + (list.size() == 1 ? " " : "s ") + String.join(", ", where) + more + "): nothing is derived from it;"
          + " check what it does by hand (privilege, sql)", false));
    });
  }

  /** Statement and object of each ALTER/DROP … IF EXISTS in {@code statements}. */
  private static Set<String> conditionalDrops(List<ExecStatement> statements) {
    Set<String> out = new HashSet<>();
    for (Requirement r : StatementAnalysis.requirements(statements)) {
      if (r instanceof Requirement.Owns o && o.ifExists()) {
        out.add(o.statement() + "\u0000" + o.kind() + "\u0000" + o.object());
      }
    }
    return out;
  }

  private static String key(Touch t) {
    return t.statement() + "\u0000" + t.kind() + "\u0000" + t.object();
  }

  private static Placed schema(String name) {
    return new Placed(ObjectKind.SCHEMA, null, name);
  }

  private static String shown(Placed p) {
    return p.shown();
  }
}

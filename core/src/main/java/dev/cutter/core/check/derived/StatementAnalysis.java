package dev.cutter.core.check.derived;

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
  private final java.util.Map<Integer, ExpectedRole> rolesBefore;
  private final ExpectedRole finalRole;
  /** By position, the search_path setting and the role each statement leaves as the text tells (null: nothing followed). */
  private final ArtifactSearchPath.Setting[] pathsAfter;
  private final ExpectedRole[] rolesAfter;

  private static StatementAnalysis last;
  /** How many readings {@link #of} has made: a reading ahead started before the latest one is moot. */
  private static long readings;

  private StatementAnalysis(ExecStatement[] keys, List<List<Requirement>> requirements, List<List<Touch>> touches,
      SearchPathFollower path) {
    this.beforePathChanges = java.util.Map.copyOf(path.beforePathChanges());
    this.rolesBefore = java.util.Map.copyOf(path.rolesBefore());
    this.finalRole = path.roleLeft();
    this.pathsAfter = path.pathsAfter();
    this.rolesAfter = path.rolesAfter();
    this.pathNames = List.copyOf(path.names());
    this.finalSearchPath = path.setting();
    this.keys = keys;
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
    SearchPathFollower path = new SearchPathFollower(keys);
    for (int i = 0; i < keys.length; i++) {
      ExecStatement s = keys[i];
      DdlAnalyzer.Reading r = path.follow(keys, i, DdlAnalyzer.both(s.index(), s.line(), s.text()));
      reqs.add(r.requirements());
      tch.add(Collections.unmodifiableList(r.touches()));
    }
    last = new StatementAnalysis(keys, Collections.unmodifiableList(reqs), Collections.unmodifiableList(tch), path);
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
   * by its index, with the role the text leaves after it: the session's at BEGIN, else the role a plain {@code SET
   * ROLE r} named (none where the text cannot tell). A function that switches the role unseen changes what {@code
   * "$user"} names and which schemas of the path the server searches (R60).
   */
  public static java.util.Map<Integer, ExpectedRole> rolesBefore(List<ExecStatement> statements) {
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
      ExpectedRole role = a.rolesAfter[i];
      if (previous.path() != lasting || !previous.role().equals(role)) {
        previous = new SessionAfter(lasting, role);
      }
      out.add(previous);
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The search_path setting and the role a statement leaves the autocommit session with ({@link ExpectedRole.Unknown}:
   * the text cannot tell, not compared).
   */
  public record SessionAfter(ArtifactSearchPath.Setting path, ExpectedRole role) {
    /** What BEGIN read: the session's own path and role. */
    public static final SessionAfter UNCHANGED = new SessionAfter(ArtifactSearchPath.SESSION, ExpectedRole.AT_BEGIN);
  }

  /** The role the statements leave, as {@link #rolesBefore} tells it ({@link ExpectedRole#UNKNOWN}: the text cannot tell). */
  public static ExpectedRole finalRole(List<ExecStatement> statements) {
    return of(statements).finalRole;
  }

  /**
   * The objects the statements name unqualified while a search_path the artifact set itself is in
   * effect, in order (see {@link #pathNames(List)}'s callers); {@link #finalSearchPath} is the setting after the last.
   */
  public static List<ArtifactSearchPath.PathName> pathNames(List<ExecStatement> statements) {
    return of(statements).pathNames;
  }

  /** The touches of the statement at {@code position} (0-based) of the list read. */
  public List<Touch> touchesAt(int position) {
    return touches.get(position);
  }

  private boolean holds(List<ExecStatement> statements) {
    return ExecStatement.sameAs(statements, keys);
  }
}

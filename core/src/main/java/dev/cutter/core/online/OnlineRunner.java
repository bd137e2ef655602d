package dev.cutter.core.online;

import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.db.DbErrors.ServerError;
import dev.cutter.core.exec.AdvisoryLock;
import dev.cutter.core.exec.ChangeKeyReleased;
import dev.cutter.core.exec.CreatedElsewhere;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.OnlineStep;
import dev.cutter.core.online.OnlineInfo.Cleanup;
import dev.cutter.core.online.OnlineInfo.CleanupStatus;
import dev.cutter.core.online.OnlineInfo.RunStatus;
import dev.cutter.core.online.OnlineInfo.StatementRun;
import dev.cutter.core.online.OnlineStatement.IndexBuild;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs the online step on a session that already acts as apply_role: each statement in its own
 * autocommit under the step's lock_timeout and statement_timeout, stopping at the first error.
 * When an index build fails, the INVALID index it left is found exactly — by the name the
 * statement gave, in its table's schema, and only if no relation of that name was there before
 * (for REINDEX: the {@code _ccnew}/{@code _ccold} indexes in its scope that were not there
 * before) — and dropped with {@code DROP INDEX CONCURRENTLY IF EXISTS}.
 */
public final class OnlineRunner {

  /** REINDEX CONCURRENTLY names its transient indexes {@code <index>_ccnew[N]} and {@code <index>_ccold[N]}. */
  /*
   * The step's session keeps apply_role's search_path, which may name a schema of apply_role's
   * before pg_catalog: every operator and type of the catalog reads on it is the catalog's by name
   * (a look-alike = could make an index that was there before look like the failed build's own).
   */
  private static final String TRANSIENT = "c.relname operator(pg_catalog.~) '_cc(new|old)[0-9]*$'";

  private static final String INVALID_INDEXES = "select c.oid, n.nspname, c.relname from pg_catalog.pg_index i"
      + " join pg_catalog.pg_class c on c.oid operator(pg_catalog.=) i.indexrelid"
      + " join pg_catalog.pg_namespace n on n.oid operator(pg_catalog.=) c.relnamespace"
      + " where not i.indisvalid and ";

  private OnlineRunner() {}

  /** Runs {@code script} on {@code c} (autocommit, as apply_role, holding the change key). */
  public static OnlineInfo run(Connection c, OnlineScript script, OnlineStep step) throws SQLException {
    c.setAutoCommit(true);
    List<StatementRun> runs = new ArrayList<>();
    List<Cleanup> cleanup = new ArrayList<>();
    int done = 0;
    List<OnlineStatement> all = script.statements();
    // a session that holds the change key must still hold it before each next statement (O17), and show the
    // search_path (set at its start, R51) and the role it had before the first (R61): one query before each
    AdvisoryLock.Between start = AdvisoryLock.between(c);
    boolean keyed = start.holdsChange();
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      for (int k = 0; k < all.size(); k++) {
        OnlineStatement s = all.get(k);
        Before before = Before.NOTHING; // a statement kept back leaves nothing to clean up
        long t0 = System.nanoTime();
        try {
          if (k > 0) {
            asBeforeTheFirst(c, start, keyed, s, all.get(k - 1).index());
          }
          before = before(c, s); // its names resolved as the statement's will be
          st.execute("set lock_timeout = " + millis(step.lockTimeout()));
          st.execute("set statement_timeout = " + millis(step.statementTimeout()));
          // the online artifact was split with standard_conforming_strings on (it holds no SET); a
          // function an earlier statement ran (a check constraint's, an index expression's) may have
          // turned it off with set_config, and the server would read a string of this one as the
          // end of it and what follows as another statement the split, the judge and the review
          // never had: the server reads it as split
          st.execute("set standard_conforming_strings = on");
          t0 = System.nanoTime();
          st.execute(s.text());
          while (st.getMoreResults() || st.getUpdateCount() != -1) {
            // consume every result, as psql does
          }
          runs.add(new StatementRun(s.index(), s.line(), s.summary(), RunStatus.DONE, elapsed(t0), null, null));
          done++;
        } catch (SQLException e) {
          ServerError err = ServerError.of(e);
          runs.add(new StatementRun(s.index(), s.line(), s.summary(), RunStatus.FAILED, elapsed(t0), err.sqlstate(),
              err.message()));
          cleanup.addAll(cleanUp(c, s, before, err));
          for (OnlineStatement rest : all.subList(k + 1, all.size())) {
            runs.add(new StatementRun(rest.index(), rest.line(), rest.summary(), RunStatus.NOT_RUN, null, null, null));
          }
          break;
        }
      }
    } finally {
      try (Statement st = c.createStatement()) {
        st.execute("reset lock_timeout");
        st.execute("reset statement_timeout");
      } catch (SQLException ignored) {
        // the session may be gone
      }
    }
    return new OnlineInfo(done == all.size() ? OnlineInfo.Outcome.DONE : OnlineInfo.Outcome.FAILED, all.size(), done,
        ApplySettings.describe(step.lockTimeout()), ApplySettings.describe(step.statementTimeout()), runs, cleanup, null);
  }

  /**
   * Throws, keeping {@code s} back, when an earlier statement ({@code last}, or one before it) gave up the change key
   * the session held before the first ({@code keyed}: O17), or set the search_path or switched the role for the
   * session ({@code start}: the session's before the first, R51's path): {@code s}'s names would resolve where P1
   * proved nothing (R61): a function such a statement runs (a check constraint's, which VALIDATE CONSTRAINT
   * evaluates) may. One query.
   */
  private static void asBeforeTheFirst(Connection c, AdvisoryLock.Between start, boolean keyed, OnlineStatement s, int last)
      throws SQLException {
    AdvisoryLock.Between now = AdvisoryLock.between(c);
    if (keyed) {
      ChangeKeyReleased.check(now.holdsChange(), s.index(), s.line(), last);
    }
    boolean sameRole = now.user().equals(start.user());
    if (!sameRole || !dev.cutter.core.check.derived.ArtifactSearchPath.holds(
        dev.cutter.core.check.derived.ArtifactSearchPath.SESSION, start.searchPath(), now.searchPath())) {
      throw CreatedElsewhere.searchPathChangedUnseenBefore(last, now.searchPath() + (sameRole ? "" : " as role " + now.user()),
          start.searchPath() + (sameRole ? "" : " as role " + start.user()));
    }
  }

  /** The step did not run at all: {@code why}. */
  public static OnlineInfo refused(OnlineScript script, OnlineStep step, String why) {
    List<StatementRun> runs = script.statements().stream()
        .map(s -> new StatementRun(s.index(), s.line(), s.summary(), RunStatus.NOT_RUN, null, null, null)).toList();
    return new OnlineInfo(OnlineInfo.Outcome.FAILED, runs.size(), 0, ApplySettings.describe(step.lockTimeout()),
        ApplySettings.describe(step.statementTimeout()), runs, List.of(), why);
  }

  /**
   * What stood before an index build. For CREATE INDEX: the oid of its table's schema (null when
   * the table is not there, so the build cannot leave anything) and whether a relation of the
   * index's name was already there (then nothing of that name is ever dropped). For REINDEX: the
   * INVALID transient indexes in its scope, which are not its own.
   */
  private record Before(Long schemaOid, boolean nameTaken, Set<Long> invalidBefore) {
    static final Before NOTHING = new Before(null, true, Set.of());
  }

  /** As {@link #lookBefore}; a catalog that cannot be read leaves nothing cutter may drop. */
  private static Before before(Connection c, OnlineStatement s) {
    try {
      return lookBefore(c, s);
    } catch (SQLException e) {
      return Before.NOTHING;
    }
  }

  private static Before lookBefore(Connection c, OnlineStatement s) throws SQLException {
    if (s.builds().isEmpty()) {
      return Before.NOTHING;
    }
    IndexBuild b = s.builds().get();
    if (s.kind() == OnlineKind.CREATE_INDEX) {
      try (PreparedStatement ps = c.prepareStatement("select t.relnamespace::pg_catalog.int8, exists (select 1"
          + " from pg_catalog.pg_class x where x.relnamespace operator(pg_catalog.=) t.relnamespace"
          + " and x.relname operator(pg_catalog.=) ?::pg_catalog.name)"
          + " from pg_catalog.pg_class t where t.oid operator(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text)")) {
        ps.setString(1, Identifiers.truncate(b.indexName()));
        ps.setString(2, qualified(b.relation()));
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new Before(rs.getLong(1), rs.getBoolean(2), Set.of()) : Before.NOTHING;
        }
      }
    }
    return new Before(null, false, transientInvalid(c, b).stream().map(Found::oid).collect(Collectors.toSet()));
  }

  /** An INVALID index found after a failure. */
  private record Found(long oid, String schema, String name) {
    String qualified() {
      return Identifiers.quoteAlways(schema) + "." + Identifiers.quoteAlways(name);
    }
  }

  private static List<Found> transientInvalid(Connection c, IndexBuild b) throws SQLException {
    String scope = switch (b.scope()) {
      case "INDEX" -> "i.indrelid operator(pg_catalog.=) (select x.indrelid from pg_catalog.pg_index x"
          + " where x.indexrelid operator(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text))";
      case "TABLE" -> "i.indrelid operator(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text)";
      case "SCHEMA" -> "c.relnamespace operator(pg_catalog.=) (select x.oid from pg_catalog.pg_namespace x"
          + " where x.nspname operator(pg_catalog.=) ?::pg_catalog.name)";
      default -> "true";
    };
    try (PreparedStatement ps = c.prepareStatement(INVALID_INDEXES + TRANSIENT + " and " + scope)) {
      if (!b.scope().equals("DATABASE")) {
        ps.setString(1, b.scope().equals("SCHEMA") ? b.relation().get(b.relation().size() - 1) : qualified(b.relation()));
      }
      return found(ps);
    }
  }

  private static List<Found> found(PreparedStatement ps) throws SQLException {
    List<Found> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new Found(rs.getLong(1), rs.getString(2), rs.getString(3)));
      }
    }
    return out;
  }

  /** Finds the INVALID indexes the failed statement {@code s} left and drops each; what became of them. */
  private static List<Cleanup> cleanUp(Connection c, OnlineStatement s, Before before, ServerError err) {
    if (s.builds().isEmpty() || before == Before.NOTHING) {
      return List.of();
    }
    IndexBuild b = s.builds().get();
    String expected = s.kind() == OnlineKind.CREATE_INDEX ? b.indexName() : "the _ccnew/_ccold indexes of the REINDEX";
    if (err.connectionLost()) {
      return List.of(new Cleanup(expected, CleanupStatus.NOT_DROPPED, "the connection was lost: look for it in"
          + " pg_index (indisvalid = false) and drop it with DROP INDEX CONCURRENTLY"));
    }
    List<Found> left;
    try {
      left = leftBehind(c, b, before);
    } catch (SQLException e) {
      ServerError why = ServerError.of(e);
      return List.of(new Cleanup(expected, CleanupStatus.NOT_DROPPED, "could not look for it: " + why.message()
          + (why.sqlstate() == null ? "" : " (SQLSTATE " + why.sqlstate() + ")")));
    }
    List<Cleanup> out = new ArrayList<>();
    for (Found f : left) {
      try (Statement st = c.createStatement()) {
        st.execute("drop index concurrently if exists " + f.qualified());
        out.add(new Cleanup(f.qualified(), CleanupStatus.DROPPED, null));
      } catch (SQLException e) {
        ServerError why = ServerError.of(e);
        out.add(new Cleanup(f.qualified(), CleanupStatus.NOT_DROPPED, "DROP INDEX CONCURRENTLY failed: " + why.message()
            + (why.sqlstate() == null ? "" : " (SQLSTATE " + why.sqlstate() + ")")));
      }
    }
    return out;
  }

  private static List<Found> leftBehind(Connection c, IndexBuild b, Before before) throws SQLException {
    if (b.indexName() != null) {
      if (before.schemaOid() == null || before.nameTaken()) {
        return List.of(); // no table, or the name was another relation's before: nothing here is ours
      }
      try (PreparedStatement ps = c.prepareStatement(INVALID_INDEXES + "c.relnamespace operator(pg_catalog.=) ?::pg_catalog.oid"
          + " and c.relname operator(pg_catalog.=) ?::pg_catalog.name")) {
        ps.setString(1, Long.toString(before.schemaOid())); // a long is sent as '…'::int8, a type looked up by the path
        ps.setString(2, Identifiers.truncate(b.indexName()));
        return found(ps);
      }
    }
    Set<Long> old = new HashSet<>(before.invalidBefore());
    return transientInvalid(c, b).stream().filter(f -> !old.contains(f.oid())).toList();
  }

  /** Parts of a name as written, quoted for to_regclass. */
  private static String qualified(List<String> parts) {
    return parts.stream().map(Identifiers::quoteAlways).collect(Collectors.joining("."));
  }

  private static Long elapsed(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0).toMillis();
  }

  private static String millis(Duration d) {
    return "'" + Math.max(0, d.toMillis()) + "ms'";
  }
}

package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.derived.SqlTokens;
import dev.cutter.core.check.derived.SqlTokens.Kind;
import dev.cutter.core.check.derived.SqlTokens.Token;
import dev.cutter.core.exec.ExecStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * When P1's rehearsal may start as soon as its session is open, beside the other checks and the
 * run's readings for BEGIN, instead of after them ({@link CheckType#runsAlone}).
 *
 * <p>What runs beside it reads only the system catalog and cutter's journal, so it takes nothing
 * but ACCESS SHARE locks; the only lock that conflicts with ACCESS SHARE is ACCESS EXCLUSIVE.
 * Nothing can then wait for the other if the rehearsal takes no ACCESS EXCLUSIVE lock on a relation
 * that existed before it (one it created is invisible to every other session), and an uncommitted
 * change is invisible to every catalog read. So the rehearsal goes beside them only when:
 * <ul>
 *   <li>every other P1 check is of a type that reads only the catalog ({@link
 *       CheckType#readsOnlyTheCatalog}: no {@code sql} check, which reads what the package's author
 *       chose, {@code pg_stat_activity} and {@code pg_locks} among it, where the rehearsal's session
 *       shows);</li>
 *   <li>every statement of the artifact is one whose locks on existing relations are weaker than
 *       ACCESS EXCLUSIVE ({@link #statementsAllow}): {@code CREATE} of a table (not {@code AS}, not
 *       {@code PARTITION OF}, not {@code INHERITS}), index, sequence, view, schema (without elements), type,
 *       domain, function, procedure or trigger, never {@code OR REPLACE}; {@code COMMENT ON}, {@code GRANT},
 *       {@code REVOKE}, {@code SET}, {@code RESET}. Every other form keeps the rehearsal alone.</li>
 * </ul>
 * Code a statement runs that the form does not show (an index expression's function) could still
 * take a lock: then one side waits for the other, or the server ends a deadlock. So a rehearsal that
 * ran beside the others and did not pass runs again alone, after them, and a check or reading that
 * ran beside it and was stopped by a lock or a timeout ({@link #stoppedByALock}) runs again after it:
 * every result is then the one the sequential order gives.
 */
public final class RehearsalBeside {

  private RehearsalBeside() {}

  /** SQLSTATEs of a statement stopped by a lock or a timeout: deadlock, lock_timeout, statement_timeout. */
  private static final Set<String> LOCK_STOPS = Set.of("40P01", "55P03", "57014");

  /** Whether a check's result says a lock or a timeout stopped its query (typed: the cause's SQLSTATE). */
  public static boolean stoppedByALock(CheckResult r) {
    return r.cause() instanceof Cause.SqlError e && e.sqlstate() != null && LOCK_STOPS.contains(e.sqlstate());
  }

  /** Whether {@code e} is a query stopped by a lock or a timeout. */
  public static boolean stoppedByALock(SQLException e) {
    return e.getSQLState() != null && LOCK_STOPS.contains(e.getSQLState());
  }

  /** Whether every statement is of a form that takes no ACCESS EXCLUSIVE lock on a relation that existed before it. */
  public static boolean statementsAllow(List<ExecStatement> statements) {
    for (ExecStatement s : statements) {
      if (!allowed(SqlTokens.of(s.text()))) {
        return false;
      }
    }
    return true;
  }

  /** The set of leading words accepted as they are. */
  private static final Set<String> AS_THEY_ARE = Set.of("grant", "revoke", "set", "reset");

  /** What may follow CREATE (after its modifiers) as it is. */
  private static final Set<String> CREATED_AS_THEY_ARE = Set.of("sequence", "view", "schema", "type", "domain",
      "function", "procedure", "trigger");

  private static final Set<String> TABLE_MODIFIERS = Set.of("global", "local", "temp", "temporary", "unlogged");

  static boolean allowed(List<Token> t) {
    if (t.isEmpty()) {
      return true;
    }
    Token first = t.get(0);
    if (AS_THEY_ARE.stream().anyMatch(first::is)) {
      return true;
    }
    if (first.is("comment")) {
      return t.size() > 1 && t.get(1).is("on");
    }
    if (!first.is("create")) {
      return false;
    }
    int p = 1;
    if (p < t.size() && t.get(p).is("or")) {
      return false; // OR REPLACE: the object may exist, and replacing it locks it ACCESS EXCLUSIVE
    }
    if (p < t.size() && t.get(p).is("unique")) {
      p++;
    }
    if (p < t.size() && t.get(p).is("index")) {
      return true; // SHARE on the table: no conflict with ACCESS SHARE
    }
    if (p < t.size() && t.get(p).is("constraint")) {
      p++; // CREATE CONSTRAINT TRIGGER
    }
    boolean modified = false;
    while (p < t.size() && t.get(p).kind() == Kind.WORD && TABLE_MODIFIERS.stream().anyMatch(t.get(p)::is)) {
      p++;
      modified = true;
    }
    if (p < t.size() && t.get(p).is("recursive")) {
      p++;
    }
    if (p >= t.size()) {
      return false;
    }
    Token what = t.get(p);
    if (what.is("table")) {
      return table(t, p + 1);
    }
    if (what.is("schema")) {
      return bareSchema(t, p + 1);
    }
    return CREATED_AS_THEY_ARE.stream().anyMatch(what::is) && (!modified || what.is("sequence") || what.is("view"));
  }

  /**
   * {@code CREATE SCHEMA} without elements: an element's {@code CREATE TABLE … PARTITION OF} an
   * existing table takes ACCESS EXCLUSIVE on that table, so any element (a {@code CREATE} or {@code
   * GRANT} after the name) keeps the rehearsal alone.
   */
  private static boolean bareSchema(List<Token> t, int p) {
    for (int i = p; i < t.size(); i++) {
      if (t.get(i).is("create") || t.get(i).is("grant")) {
        return false;
      }
    }
    return true;
  }

  /** {@code CREATE TABLE [IF NOT EXISTS] name ( … )} with nothing after the list that reads or locks another relation. */
  private static boolean table(List<Token> t, int p) {
    if (p + 2 < t.size() && t.get(p).is("if") && t.get(p + 1).is("not") && t.get(p + 2).is("exists")) {
      p += 3;
    }
    // the name: one to three parts
    while (p < t.size() && (t.get(p).isName())) {
      p++;
      if (p < t.size() && t.get(p).isPunct('.')) {
        p++;
      } else {
        break;
      }
    }
    if (p >= t.size() || !t.get(p).isPunct('(')) {
      return false; // AS query, PARTITION OF, OF type
    }
    int depth = 0;
    for (int i = p; i < t.size(); i++) {
      Token x = t.get(i);
      if (x.isPunct('(')) {
        depth++;
      } else if (x.isPunct(')')) {
        depth--;
      } else if (depth == 0 && (x.is("as") || x.is("inherits") || x.is("select"))) {
        return false;
      }
    }
    return depth == 0;
  }
}

package dev.cutter.core.check;

import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;
import dev.cutter.core.cause.Cause;

/**
 * What a running check may use: a connection to the target already in a READ ONLY transaction
 * (rolled back after the check) for cutter's own catalog queries, {@link #packageQuery} for SQL
 * text that comes from the package, the package, the artifact's statements as the executor will
 * send them, and the target's roles. The result helpers stamp the check's id.
 */
public final class CheckContext {

  private final String id;
  private final Connection connection;
  private final ApplyPackage pkg;
  private final List<ExecStatement> statements;
  private final TargetAccess target;
  private final PackageQueries queries;
  private final java.util.function.Consumer<dev.cutter.core.lock.LockPlan> lockPlans;
  /** Sessions as a role opened before this check ran (null: none). */
  private final RoleSessionsAhead ahead;

  /**
   * A context whose {@link #packageQuery} runs on {@code connection} itself, which must then run
   * as apply_role (see {@link PackageQueries#onSession}).
   */
  public CheckContext(String id, Connection connection, ApplyPackage pkg, List<ExecStatement> statements,
      TargetAccess target) {
    this(id, connection, pkg, statements, target, PackageQueries.onSession(connection, pkg.target().applyRole()));
  }

  public CheckContext(String id, Connection connection, ApplyPackage pkg, List<ExecStatement> statements,
      TargetAccess target, PackageQueries queries) {
    this(id, connection, pkg, statements, target, queries, plan -> { });
  }

  /** As above; {@code lockPlans} takes the lock plan a rehearsal measured (see {@link #recordLockPlan}). */
  public CheckContext(String id, Connection connection, ApplyPackage pkg, List<ExecStatement> statements,
      TargetAccess target, PackageQueries queries, java.util.function.Consumer<dev.cutter.core.lock.LockPlan> lockPlans) {
    this(id, connection, pkg, statements, target, queries, lockPlans, null);
  }

  /** As above; {@code ahead} holds the sessions as a role opened before the check ran (see {@link #openAs}). */
  public CheckContext(String id, Connection connection, ApplyPackage pkg, List<ExecStatement> statements,
      TargetAccess target, PackageQueries queries, java.util.function.Consumer<dev.cutter.core.lock.LockPlan> lockPlans,
      RoleSessionsAhead ahead) {
    this.ahead = ahead;
    this.lockPlans = lockPlans;
    this.id = id;
    this.connection = connection;
    this.pkg = pkg;
    this.statements = List.copyOf(statements);
    this.target = target;
    this.queries = queries;
  }

  /** The id the result carries: {@code identity}, {@code privilege#3}, … */
  public String id() {
    return id;
  }

  /**
   * The target as the login role, in a READ ONLY transaction with search_path {@code pg_catalog,
   * pg_temp}: for cutter's own catalog queries, with values from the package only as bind
   * parameters. Never send SQL text from the package here: use {@link #packageQuery}.
   */
  public Connection connection() {
    return connection;
  }

  /**
   * Runs SQL text from the package as a check (exactly one query, READ ONLY, as apply_role,
   * search_path {@code pg_catalog, pg_temp}; see {@link PackageQueries}) and hands its result
   * to {@code rows}. Text that is not one query is refused before anything is sent.
   */
  public <T> T packageQuery(String sql, PackageQueries.Rows<T> rows) throws SQLException {
    return queries.run(sql, rows);
  }

  public ApplyPackage pkg() {
    return pkg;
  }

  /** The artifact's statements, in order, as apply will send them. */
  public List<ExecStatement> statements() {
    return statements;
  }

  /** The role the artifact runs as. */
  public String applyRole() {
    return pkg.target().applyRole();
  }

  /**
   * A session as {@code role} named {@code purpose}: the one P1 opened ahead for this check while
   * the others ran ({@link CheckType#sessionAhead}), else one opened now; as {@link TargetAccess#openAs}.
   */
  public TargetAccess.RoleSession openAs(String role, String purpose) throws SQLException {
    return ahead == null ? target.openAs(role, purpose) : ahead.openAs(target, role, purpose);
  }

  /**
   * As {@link #openAs(String, String)}, on which {@code first} has looked (ahead, right after the
   * login, when P1 started the session with that look: {@link CheckType#firstLook}); a refusal
   * closes the session and is thrown as {@link RoleSessionsAhead.LookRefused}.
   */
  public TargetAccess.RoleSession openAs(String role, String purpose, RoleSessionsAhead.FirstLook first)
      throws SQLException, RoleSessionsAhead.LookRefused {
    return ahead == null ? RoleSessionsAhead.openNow(target, role, purpose, first)
        : ahead.openAs(target, role, purpose, first);
  }

  /** Connections beyond the read-only one; only rehearsal uses them. */
  public TargetAccess target() {
    return target;
  }

  /** Hands the lock plan a rehearsal measured to the run's report. */
  public void recordLockPlan(dev.cutter.core.lock.LockPlan plan) {
    lockPlans.accept(plan);
  }

  public CheckResult pass(String expected, String actual, String message) {
    return CheckResult.pass(id, expected, actual, message);
  }

  /** A FAIL because of {@code cause}; the texts are for people. */
  public CheckResult fail(Cause cause, String expected, String actual, String message) {
    return CheckResult.fail(id, cause, expected, actual, message);
  }

  /** PASS when {@code held}, else FAIL because of {@code cause}, with the same texts. */
  public CheckResult result(boolean held, Supplier<Cause> cause, String expected, String actual, String message) {
    return held ? pass(expected, actual, message) : fail(cause.get(), expected, actual, message);
  }

  /** The check could not run, because of {@code cause}. */
  public CheckResult error(Cause cause, String message) {
    return CheckResult.error(id, cause, message);
  }

  /**
   * A FAIL without a typed cause, for code written before {@link Cause}: its diagnosis is an
   * internal error naming the check, until the check says why with {@link #fail(Cause, String, String, String)}.
   */
  @Deprecated
  public CheckResult fail(String expected, String actual, String message) {
    return fail(untyped(), expected, actual, message);
  }

  /** As {@link #fail(String, String, String)}, PASS when {@code held}. */
  @Deprecated
  public CheckResult result(boolean held, String expected, String actual, String message) {
    return result(held, this::untyped, expected, actual, message);
  }

  /** As {@link #error(Cause, String)} without a typed cause (code written before {@link Cause}). */
  @Deprecated
  public CheckResult error(String message) {
    return error(untyped(), message);
  }

  private Cause untyped() {
    return new Cause.InternalError("check " + id + " failed without a typed cause");
  }

  public CheckResult skipped(String reason) {
    return CheckResult.skipped(id, reason);
  }
}

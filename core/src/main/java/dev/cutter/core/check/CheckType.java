package dev.cutter.core.check;

import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;

/**
 * A kind of check a package may list under {@code preflight}, {@code verify} or a rollback
 * {@code precondition}, named by the single key of the list entry ({@code - baseline: {...}}).
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader} (register the class in
 * {@code META-INF/services/dev.cutter.core.check.CheckType}) and need a public no-argument
 * constructor. They are stateless and thread-safe.
 *
 * <p>{@link #validate} runs when a package is loaded, {@link #run} when the check runs against
 * a target, in a read-only transaction. SQL text taken from the package must go through {@link
 * CheckContext#packageQuery} (one query, as apply_role), never to {@link CheckContext#connection()},
 * which is the login role's.
 */
public interface CheckType {

  /** The name used as the entry's key in package.yaml, e.g. {@code schema_exists}. Unique. */
  String name();

  /**
   * Reports every problem with {@code args} (the value under the check's name, with positions)
   * to {@code problems}, whose {@link Problems#context()} is the entry's field path. Must not
   * throw for any input: a value of the wrong shape is a problem to report, not an exception.
   */
  void validate(YamlValue args, Problems problems);

  /**
   * Runs the check with {@code args} (already validated) against the target. {@link
   * CheckContext#connection()} is in a READ ONLY transaction that is rolled back afterwards; an
   * {@link SQLException} becomes an ERROR result naming the SQLSTATE. A type that only validates
   * (a test double) inherits an ERROR result, so it can never pass by accident.
   */
  default CheckResult run(YamlValue args, CheckContext context) throws SQLException {
    return context.error(new dev.cutter.core.cause.Cause.InvalidCheck(context.id()), "check type " + name() + " only validates its arguments; it cannot run");
  }

  /**
   * True for a check that takes locks on the target (the rehearsal): it runs after every other
   * check has finished, so that the other checks' transactions cannot make it wait for a lock
   * (and fail on lock_timeout) and it cannot make them wait; beside them only where {@link
   * RehearsalBeside} shows neither can happen.
   */
  default boolean runsAlone() {
    return false;
  }

  /**
   * True for a check that runs alone only because it runs the package's artifact (the rehearsal):
   * {@link RehearsalBeside} judges the artifact's statements, and only such a check may then run
   * beside the others. Another check that runs alone (a type from another jar) keeps every check
   * that runs alone after the others: what it locks or writes is not the artifact's to judge.
   */
  default boolean runsOnlyTheArtifact() {
    return false;
  }

  /**
   * True for a check that reads only the system catalog (and cutter's journal) through cutter's own
   * queries, never the package's SQL: it takes nothing but ACCESS SHARE locks and cannot see an
   * uncommitted change, so a check that runs alone may run beside it when the artifact's statements
   * allow it ({@link RehearsalBeside}). False (the default) keeps the rehearsal after it.
   */
  default boolean readsOnlyTheCatalog() {
    return false;
  }

  /**
   * The application name of the session as apply_role that a check with {@code args} will open
   * ({@link CheckContext#openAs}), so that P1 can open it while the other checks run; null (the
   * default) when it opens none. Opening a session takes no lock, so a check that runs alone may
   * have its session opened beside the others.
   */
  default String sessionAhead(dev.cutter.core.model.YamlValue args) {
    return null;
  }

  /**
   * A read-only look the check takes first on the session {@link #sessionAhead} names, taken on
   * the thread that opened it right after its login ({@link CheckContext#openAs(String, String,
   * RoleSessionsAhead.FirstLook)}); null (the default) for none.
   */
  default RoleSessionsAhead.FirstLook firstLook() {
    return null;
  }

  /**
   * True for a check whose fact another session can change between P1 and the apply (a
   * {@code sql} query, objects present or absent): it runs again inside the apply's transaction,
   * as the apply session, right before the first statement. It must then be one read-only query.
   */
  default boolean rechecksAtBegin() {
    return false;
  }
}

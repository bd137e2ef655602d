package dev.cutter.core.run;

/** What kind of run a report describes. */
public enum RunMode {
  APPLY, DRY_RUN, PREFLIGHT, VERIFY, ROLLBACK, BACKUP,
  /**
   * {@code cutter preflight --unsigned}: a read-only look at the target before the package is
   * signed. Only cutter's built-in catalog checks and the derived checks run; never a {@code sql}
   * check, a rehearsal or an installed check type. Not an authorization, whatever its verdict.
   */
  UNSIGNED_PREFLIGHT
}

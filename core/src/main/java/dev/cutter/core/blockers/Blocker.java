package dev.cutter.core.blockers;

/**
 * A session that keeps the change from starting, or kept an attempt waiting, as the report names
 * it. {@code transactionAgeMs} is null outside a transaction; {@code query} is the session's
 * current or last statement with every literal masked and cut to {@link QueryText#MAX_LENGTH};
 * {@code lock} the lock it holds (or awaits) on a relation the change locks; {@code cutterRun}
 * the run id when it is a session of an earlier cutter run ("unknown" when its name carries
 * none), else null; {@code advice} what the operator can do about it.
 */
public record Blocker(int pid, String user, String applicationName, String clientAddress, String state,
    Long transactionAgeMs, Reason reason, String lock, String query, String cutterRun, String advice) {

  /** Why the session counts as a blocker, most serious first. */
  public enum Reason {
    /** Holds a lock that conflicts with one the change will take. */
    HOLDS_CONFLICTING_LOCK,
    /** Waits for a lock that conflicts with one the change will take: the change would queue behind it. */
    AWAITS_CONFLICTING_LOCK,
    /** Idle in a transaction that holds a lock on a relation the change locks. */
    IDLE_IN_TRANSACTION,
    /** A transaction older than apply.max_blocker_age holding a lock on a relation the change locks. */
    OLD_TRANSACTION,
    /** Held up an attempt of the apply (seen waiting on it while the attempt ran). */
    BLOCKED_THE_APPLY,
    /** The session of an earlier run that still changes the target (it holds the change key). */
    EARLIER_RUN_CHANGING;

    /** As the report writes it. */
    public String yamlName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}

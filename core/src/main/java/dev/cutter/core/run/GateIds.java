package dev.cutter.core.run;

import java.util.List;

/** Gate ids, in the order a run takes them (SPEC sections 3 and 5). */
public final class GateIds {
  public static final String SIGNATURE = "signature";
  public static final String ARTIFACT_INTEGRITY = "P3_artifact_integrity";
  public static final String AUTHORIZATION = "authorization";
  /** The trust policy's TLS requirement on the connection to the target. */
  public static final String TLS = "tls";
  public static final String LOCK = "lock";
  /** The target is the approved one; in apply it is P1's first check, in the other verbs its own gate. */
  public static final String IDENTITY = "identity";
  /** A rollback's own gate: this package's journal row on this target. */
  public static final String JOURNAL = "journal";
  public static final String PREFLIGHT = "P1_preflight";
  public static final String BACKUP = "P2_backup";
  /** Right before BEGIN: no session in the way of the locks the change takes (issue 12). */
  public static final String BLOCKERS = "blockers";
  public static final String APPLY = "apply";
  /** The package's online step, after the change committed and before verify; listed only when the package has one. */
  public static final String ONLINE = "online";
  public static final String VERIFY = "verify";
  public static final String ROLLBACK = "rollback";

  public static final List<String> APPLY_ORDER =
      List.of(SIGNATURE, ARTIFACT_INTEGRITY, AUTHORIZATION, TLS, LOCK, PREFLIGHT, BACKUP, BLOCKERS, APPLY, VERIFY, ROLLBACK);

  private GateIds() {}
}

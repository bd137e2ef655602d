package dev.cutter.core.run;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.CheckSpec;
import java.util.List;

/**
 * The gates a run is assembled from. core defines them; the checks, backup and integrity code
 * implements them and the cli wires them, so that core depends on none of those modules.
 */
public final class Steps {

  private Steps() {}

  /** Signatures, artifact hashes and authorization expiry, offline (SPEC step 2). */
  public interface Integrity {
    /** @param signaturesRequired false in a dry-run: signatures are reported, not required */
    IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired);

    /**
     * As {@link #check(ApplyPackage, boolean)}, for a run that connects to {@code target}: with
     * the gate {@link GateIds#TLS} when the trust policy asks something of the connection.
     */
    default IntegrityOutcome check(ApplyPackage pkg, boolean signaturesRequired, ConnectionSpec target) {
      return check(pkg, signaturesRequired);
    }

    /**
     * An unsigned preflight's integrity step: signatures reported, not required (as in a dry-run),
     * but {@code target} is the real server, so the trust policy's TLS requirement holds as for a
     * signed run.
     */
    default IntegrityOutcome checkUnsigned(ApplyPackage pkg, ConnectionSpec target) {
      return check(pkg, false, target);
    }
  }

  /** The integrity gates' results, and the fingerprints of the valid signers (for the journal). */
  public record IntegrityOutcome(List<GateResult> gates, List<String> signers) {
    public IntegrityOutcome {
      gates = List.copyOf(gates);
      signers = List.copyOf(signers);
    }

    public boolean passed() {
      return gates.stream().noneMatch(g -> g.status() == GateStatus.FAIL);
    }
  }

  /**
   * P1's check results, the lock-hazard findings behind its {@code lock_hazards} check (null: not
   * linted) and the lock plan its rehearsal measured (null when none ran).
   */
  public record P1(List<CheckResult> results, List<dev.cutter.core.lint.LintFinding> lint,
      dev.cutter.core.lock.LockPlan lockPlan) {
    public P1 {
      results = List.copyOf(results);
      lint = lint == null ? null : List.copyOf(lint);
    }
  }

  /** Read-only checks against the target. */
  public interface Checks {
    /**
     * P1: identity (reported SKIPPED in a sandbox), the journal, every package check and the
     * derived privilege checks, in package order.
     */
    List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox);

    /**
     * P1 as {@link #preflight}, with the lock-hazard findings (null when this implementation does not lint)
     * and the lock plan its rehearsal measured (null when nothing was rehearsed).
     */
    default P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
      return new P1(preflight(target, pkg, sandbox), null, null);
    }

    /**
     * P1 as {@link #preflightWithLint(ConnectionSpec, ApplyPackage, boolean)}, once the identity
     * check held (or was skipped in a sandbox), while the other checks run: {@code identityHeld} at
     * once (on the calling thread, or on a thread of P1's beside it while P1's own logins started
     * ahead are under way), and {@code routesKnown} on the calling thread once those logins ended,
     * so that their route to apply_role is known. Both have ended before any check that runs alone
     * starts and before this returns; neither is called when the identity failed. By default
     * neither is called.
     */
    default P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
        Runnable routesKnown) {
      return preflightWithLint(target, pkg, sandbox);
    }

    /** A list of checks from the package (verify, rollback precondition), in order. */
    List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> checks);

    /**
     * The integrity gate passed: P1's sessions to {@code target} may start opening while the run
     * takes its lock. Nothing by default.
     */
    default void connectAhead(ConnectionSpec target) {
    }

    /**
     * The identity check (not in a sandbox) and the package's P1 checks that say what the data
     * and objects are ({@link dev.cutter.core.check.CheckType#rechecksAtBegin()}), run again on
     * the apply session {@code c} inside its transaction, each read-only; ids as in P1. None by default.
     */
    /**
     * Verify checks derived from the artifact's DDL, for a package whose {@code verify} list is
     * empty (objects created present, objects dropped absent); empty when nothing can be derived.
     */
    default List<CheckSpec> derivedVerify(ConnectionSpec target, ApplyPackage pkg) {
      return List.of();
    }

    default List<CheckResult> recheck(java.sql.Connection c, ConnectionSpec login, ApplyPackage pkg,
        List<dev.cutter.core.exec.ExecStatement> statements, boolean sandbox) {
      return List.of();
    }
  }

  /** The P2 backup; {@code status} of the result is PASS or FAIL (with {@code reason}). */
  public interface Backup {
    RunReport.BackupInfo run(ConnectionSpec backupTarget, ApplyPackage pkg, String runId);
  }
}

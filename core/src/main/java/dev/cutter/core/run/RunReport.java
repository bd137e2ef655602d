package dev.cutter.core.run;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lock.LockPlan;
import java.time.Instant;
import java.util.List;

/**
 * Everything a run found, in the shape of SPEC section 5; the report module renders it as YAML
 * and Markdown. Nullable members are sections a run did not reach. {@code lockPlan} holds the
 * plans its rehearsals measured (P1's rehearse, a dry-run's apply and its rollback rehearsal).
 */
public record RunReport(
    String runId,
    RunMode mode,
    PackageInfo pkg,
    TargetInfo target,
    Verdict verdict,
    int exitCode,
    boolean productionChanged,
    List<GateResult> gates,
    BackupInfo backup,
    ApplyInfo apply,
    VerificationInfo verification,
    RollbackInfo rollback,
    String rootCause,
    List<Remediation> remediation,
    String nextAction,
    Instant started,
    Instant finished,
    ApplySettingsInfo applySettings,
    dev.cutter.core.exec.StatementTimings statements,
    dev.cutter.core.online.OnlineInfo online,
    dev.cutter.core.blockers.BlockersInfo blockers,
    Provenance provenance,
    List<dev.cutter.core.lint.LintFinding> lint,
    List<LockPlan> lockPlan) {

  public static final int REPORT_VERSION = 1;

  public RunReport {
    gates = List.copyOf(gates);
    remediation = remediation == null ? List.of() : List.copyOf(remediation);
  }

  /** A report without the later sections (timings, online step, blockers, …): a run that did not reach them. */
  public RunReport(String runId, RunMode mode, PackageInfo pkg, TargetInfo target, Verdict verdict, int exitCode,
      boolean productionChanged, List<GateResult> gates, BackupInfo backup, ApplyInfo apply,
      VerificationInfo verification, RollbackInfo rollback, String rootCause, List<Remediation> remediation,
      String nextAction, Instant started, Instant finished, ApplySettingsInfo applySettings) {
    this(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply, verification, rollback,
        rootCause, remediation, nextAction, started, finished, applySettings, null, null, null, null, null, null);
  }

  /** A report that does not record the apply settings (null: the run had no package settings to record). */
  public RunReport(String runId, RunMode mode, PackageInfo pkg, TargetInfo target, Verdict verdict, int exitCode,
      boolean productionChanged, List<GateResult> gates, BackupInfo backup, ApplyInfo apply,
      VerificationInfo verification, RollbackInfo rollback, String rootCause, List<Remediation> remediation,
      String nextAction, Instant started, Instant finished) {
    this(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply, verification, rollback,
        rootCause, remediation, nextAction, started, finished, null);
  }

  /** This report with the failure's diagnosis (root cause, remediation options, next action) set. */
  public RunReport withDiagnosis(String rootCause, List<Remediation> remediation, String nextAction) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, blockers, provenance, lint, lockPlan);
  }

  /** This report recording {@code settings} as the effective apply settings. */
  public RunReport withApplySettings(ApplySettingsInfo settings) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, settings, statements, online,
        blockers, provenance, lint, lockPlan);
  }

  /** This report with its apply section replaced (e.g. its failed statement masked). */
  public RunReport withApply(ApplyInfo value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, value,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, blockers, provenance, lint, lockPlan);
  }

  /** This report with the statements the apply ran and their times (section {@code statements}). */
  public RunReport withStatements(dev.cutter.core.exec.StatementTimings value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, value, online,
        blockers, provenance, lint, lockPlan);
  }

  /** This report with the online step's outcome. */
  public RunReport withOnline(dev.cutter.core.online.OnlineInfo value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        value, blockers, provenance, lint, lockPlan);
  }

  /** This report with the blockers gate's findings and the apply's attempts. */
  public RunReport withBlockers(dev.cutter.core.blockers.BlockersInfo value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, value, provenance, lint, lockPlan);
  }

  /** This report recording which build ran and the sessions it opened ({@link Provenance}). */
  public RunReport withProvenance(Provenance value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, blockers, value, lint, lockPlan);
  }

  /** This report with P1's lock-hazard findings (section {@code lint}). */
  public RunReport withLint(List<dev.cutter.core.lint.LintFinding> value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, blockers, provenance, value, lockPlan);
  }

  /** This report with the lock plans its rehearsals measured (null or empty: none). */
  public RunReport withLockPlan(List<LockPlan> value) {
    return new RunReport(runId, mode, pkg, target, verdict, exitCode, productionChanged, gates, backup, apply,
        verification, rollback, rootCause, remediation, nextAction, started, finished, applySettings, statements,
        online, blockers, provenance, lint,
        value == null || value.isEmpty() ? null : value);
  }

  /**
   * The apply settings in effect (issue 19.11): mode, and each timeout as {@code off} or
   * milliseconds; {@code retries}: how often a lock timeout is retried (apply.retries).
   */
  public record ApplySettingsInfo(String mode, String lockTimeout, String statementTimeout, Integer retries) {
    public static ApplySettingsInfo of(dev.cutter.core.model.ApplySettings s) {
      return s == null ? null : new ApplySettingsInfo(s.mode().name().toLowerCase(java.util.Locale.ROOT),
          dev.cutter.core.model.ApplySettings.describe(s.lockTimeout()),
          dev.cutter.core.model.ApplySettings.describe(s.statementTimeout()), s.retries());
    }
  }

  /** The package as the report echoes it. */
  public record PackageInfo(String id, String sha256, String title, List<String> signedBy,
      String authorizationRef, Instant expiresAt, String risk, List<String> chain) {}

  /**
   * The target as found (not only as pinned). {@code tls} is how the run's connection to it was
   * protected (null when no connection was made); every connection to the target uses the same
   * settings. {@code roleSession} says how the session that ran an artifact came to act as
   * apply_role (null when none ran); {@code privilegedLoginAllowed} is true only when it reached
   * apply_role by SET ROLE from a login role holding more, which the trust policy allowed: a
   * statement could then act as the login role.
   */
  public record TargetInfo(String database, String systemIdentifier, String serverVersion, String loginRole, String applyRole,
      TlsState tls, String roleSession, boolean privilegedLoginAllowed) {

    public TargetInfo(String database, String systemIdentifier, String serverVersion, String loginRole, String applyRole) {
      this(database, systemIdentifier, serverVersion, loginRole, applyRole, null, null, false);
    }

    public TargetInfo(String database, String systemIdentifier, String serverVersion, String loginRole, String applyRole,
        TlsState tls) {
      this(database, systemIdentifier, serverVersion, loginRole, applyRole, tls, null, false);
    }

    /** This target with how the artifact's session reached apply_role. */
    public TargetInfo withRoleSession(String how, boolean privilegedLogin) {
      return new TargetInfo(database, systemIdentifier, serverVersion, loginRole, applyRole, tls, how,
          privilegedLoginAllowed || privilegedLogin);
    }
  }

  /**
   * The P2 backup's envelope, or why there is none. {@code systemIdentifier} is the server the
   * dump came from; {@code tls} how the backup role's connection was protected; {@code pointInTime}
   * where the dump sits in the server's WAL history; {@code restoreProof} what the restore proof
   * compared (null when none ran); {@code files} every file of a directory-format backup (null for
   * a single-file archive).
   */
  public record BackupInfo(RunStatus.Backup status, String path, String format, String archiveVersion, Long bytes, String sha256,
      String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
      String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason, String systemIdentifier,
      TlsState tls, dev.cutter.core.cause.Cause refusal, PointInTime pointInTime, RestoreProofInfo restoreProof,
      List<BackupFile> files) {

    public BackupInfo {
      files = files == null ? null : List.copyOf(files);
    }

    /** As the canonical constructor, without the file list of a directory-format backup. */
    public BackupInfo(RunStatus.Backup status, String path, String format, String archiveVersion, Long bytes, String sha256,
        String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
        String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason, String systemIdentifier,
        TlsState tls, dev.cutter.core.cause.Cause refusal, PointInTime pointInTime, RestoreProofInfo restoreProof) {
      this(status, path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier, tls, refusal, pointInTime,
          restoreProof, null);
    }

    /** This backup with the files of its directory-format archive (null: a single-file archive). */
    public BackupInfo withFiles(List<BackupFile> value) {
      return new BackupInfo(status, path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier, tls, refusal, pointInTime,
          restoreProof, value);
    }

    /** As the canonical constructor, without a point-in-time anchor or restore proof. */
    public BackupInfo(RunStatus.Backup status, String path, String format, String archiveVersion, Long bytes, String sha256,
        String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
        String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason, String systemIdentifier,
        TlsState tls, dev.cutter.core.cause.Cause refusal) {
      this(status, path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier, tls, refusal, null, null);
    }

    /** This backup with its point-in-time anchor and restore proof. */
    public BackupInfo withEvidence(PointInTime anchor, RestoreProofInfo proof) {
      return new BackupInfo(status, path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier, tls, refusal, anchor, proof,
          files);
    }
    /** A backup without a typed refusal (a PASS, or one read back from a report). */
    public BackupInfo(RunStatus.Backup status, String path, String format, String archiveVersion, Long bytes, String sha256,
        String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
        String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason, String systemIdentifier,
        TlsState tls) {
      this(status, path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier, tls, null);
    }

    public BackupInfo(String status, String path, String format, String archiveVersion, Long bytes, String sha256,
        String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
        String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason, String systemIdentifier,
        TlsState tls) {
      this(RunStatus.of(RunStatus.Backup.class, status), path, format, archiveVersion, bytes, sha256, plaintextSha256,
          encryptedTo, tocEntries, tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, systemIdentifier,
          tls, null);
    }

    /** A refused backup: {@code refusal} says why, as data; {@code reason} for people. */
    public static BackupInfo refused(String reason, dev.cutter.core.cause.Cause refusal) {
      return new BackupInfo(RunStatus.Backup.FAIL, null, null, null, null, null, null, null, null, null, null, null, null, reason,
          null, null, refusal);
    }

    public BackupInfo(String status, String path, String format, String archiveVersion, Long bytes, String sha256,
        String plaintextSha256, List<String> encryptedTo, Integer tocEntries, Integer tableDataEntries,
        String pgDumpVersion, Instant startedUtc, Instant finishedUtc, String reason) {
      this(RunStatus.of(RunStatus.Backup.class, status), path, format, archiveVersion, bytes, sha256, plaintextSha256, encryptedTo, tocEntries,
          tableDataEntries, pgDumpVersion, startedUtc, finishedUtc, reason, null, null, null);
    }
  }

  /**
   * Where a dump sits in the server's history: {@code walLsn} ({@code pg_current_wal_lsn()}, on a
   * standby {@code pg_last_wal_replay_lsn()}; null when none) and the xmin of the dump's snapshot,
   * both read in the transaction whose snapshot the dump imported.
   */
  public record PointInTime(String walLsn, boolean standby, String snapshotXmin) {}

  /**
   * One file of a directory-format backup: its name in the archive, its plaintext size and
   * sha256; when the backup is encrypted, the file stored in its place ({@code <name>.pgp}) with
   * its size and sha256 (all three null when the file is stored as it is).
   */
  public record BackupFile(String name, long bytes, String sha256, String storedName, Long storedBytes, String storedSha256) {}

  /** What a backup's restore proof compared with the source at the dump's snapshot, and every difference. */
  public record RestoreProofInfo(String scratch, int relationsCompared, int tablesCompared, long rowsCompared,
      List<String> differences) {
    public RestoreProofInfo {
      differences = differences == null ? List.of() : List.copyOf(differences);
    }
  }

  /** The apply step. {@code transaction} is committed, rolled_back, partially_committed, unknown or none. */
  public record ApplyInfo(RunStatus.Apply status, int statementsTotal, int statementsExecuted,
      RunStatus.Transaction transaction, boolean wrapperAbsorbed, List<Integer> committedStatements,
      FailedStatement failedStatement) {
    public ApplyInfo(String status, int statementsTotal, int statementsExecuted, String transaction,
        boolean wrapperAbsorbed, List<Integer> committedStatements, FailedStatement failedStatement) {
      this(RunStatus.of(RunStatus.Apply.class, status), statementsTotal, statementsExecuted,
          RunStatus.of(RunStatus.Transaction.class, transaction), wrapperAbsorbed, committedStatements, failedStatement);
    }
  }

  /** The first statement that failed (index 0 when the failure was at COMMIT). */
  public record FailedStatement(int index, int line, String sqlstate, String message, String detail, String hint,
      String where) {}

  /**
   * The verify checks and the baseline before and after. {@code status} is PASS, FAIL,
   * {@link #NOT_VERIFIED} (nothing could be checked), or UNCHANGED/CHANGED after a failed apply.
   */
  public record VerificationInfo(RunStatus.Verification status, List<CheckResult> checks, Baseline baselineBefore,
      Baseline baselineAfter, String note) {
    public static final String NOT_VERIFIED = "NOT_VERIFIED";

    public VerificationInfo(String status, List<CheckResult> checks, Baseline baselineBefore, Baseline baselineAfter,
        String note) {
      this(RunStatus.of(RunStatus.Verification.class, status), checks, baselineBefore, baselineAfter, note);
    }

    public boolean notVerified() {
      return status == RunStatus.Verification.NOT_VERIFIED;
    }
  }

  /** NOT_RUN, NOT_APPLICABLE, EXECUTED or FAILED, and why. */
  public record RollbackInfo(RunStatus.Rollback status, String reason) {
    public RollbackInfo(String status, String reason) {
      this(RunStatus.of(RunStatus.Rollback.class, status), reason);
    }
  }

  /** One way out, as option letter and action. */
  public record Remediation(String option, String action) {}
}

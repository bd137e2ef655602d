package dev.cutter.backup;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.Steps;

/** The backup gate as the run pipeline's P2 step: PASS with the envelope, or FAIL with the reason. */
public final class BackupStep implements Steps.Backup {

  private final BackupGate gate;

  public BackupStep(BackupSettings settings) {
    this.gate = new BackupGate(settings);
  }

  @Override
  public BackupInfo run(ConnectionSpec backupTarget, ApplyPackage pkg, String runId) {
    return toBackupInfo(gate.run(backupTarget, pkg.backup(), pkg.id(), runId), pkg.backup().encryptTo());
  }

  /** A gate result as the report's backup section. */
  public static BackupInfo toBackupInfo(BackupResult result, java.util.List<String> encryptTo) {
    if (result instanceof BackupResult.Passed p) {
      return p.envelope().toBackupInfo();
    }
    BackupResult.Blocked b = (BackupResult.Blocked) result;
    StringBuilder reason = new StringBuilder(b.reason());
    if (b.expected() != null || b.actual() != null) {
      reason.append(" (expected ").append(b.expected()).append(", actual ").append(b.actual()).append(')');
    }
    b.quarantined().ifPresent(q -> reason.append("; partial file quarantined at ").append(q));
    return new BackupInfo("FAIL", null, null, null, null, null, null, encryptTo, null, null, null, null, null,
        reason.toString());
  }
}

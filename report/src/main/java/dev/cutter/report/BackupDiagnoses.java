package dev.cutter.report;

import dev.cutter.core.run.GateResult;
import java.util.Locale;

/** Why a P2 backup failed, from its gate's message: the failures seen in practice first. */
final class BackupDiagnoses {

  private static final String SELFTEST = "Fix the cause, run cutter backup --selftest PKG, then re-run the apply;"
      + " nothing was changed.";

  private BackupDiagnoses() {}

  /** backup_role cannot read part of the backup scope (pg_dump failed, or a preflight check found it). */
  static Diagnosis unreadable(String found) {
    return Diagnosis.of(
        "backup_role cannot read everything in the backup scope: " + found + ". pg_dump would stop there, and a"
            + " backup without those objects is no backup.",
        SELFTEST,
        "Grant the backup role USAGE on the schema and SELECT on its tables and sequences, as a separate approved"
            + " change.",
        "Re-issue the package with a backup_role that can already read the whole scope.");
  }

  static Diagnosis diagnose(GateResult g) {
    String found = FailureClassifier.describe(g);
    String text = found.toLowerCase(Locale.ROOT);
    if (text.contains("permission denied")) {
      return unreadable(found);
    }
    if (text.contains("version mismatch") || text.contains("older than") || text.contains("pg_dump version")) {
      return Diagnosis.of(
          "pg_dump is older than the server's major version and cannot dump it: " + found + ".",
          SELFTEST,
          "Install pg_dump of the server's major version (or newer) and point cutter at it.");
    }
    if (text.contains("min_bytes") || text.contains("too small") || text.contains("smaller than")) {
      return Diagnosis.of(
          "The dump is smaller than min_bytes: an empty or truncated backup, which is never accepted: " + found + ".",
          SELFTEST,
          "Find why the dump is small (scope, privileges of the backup role, pg_dump errors) and fix it.",
          "If the database really is that small, re-issue the package with a lower min_bytes after review.");
    }
    if (text.contains("key") || text.contains("recipient") || text.contains("encrypt") || text.contains("gpg")) {
      return Diagnosis.of(
          "The backup could not be encrypted to the package's keys: " + found + ".",
          SELFTEST,
          "Import the backup public key (encrypt_to) into the keyring cutter uses, or set recipient_keys.",
          "Check that the fingerprints in encrypt_to (and their ${ENV} values) are the intended keys.");
    }
    if (text.contains("no space") || text.contains("disk")) {
      return Diagnosis.of(
          "The backup directory ran out of space: " + found + ".",
          SELFTEST,
          "Free space in the backup directory (old backups past retention), then re-run.",
          "Re-issue the package with a backup dir on a larger volume.");
    }
    return Diagnosis.of(
        "The P2 backup failed: " + found + ".",
        SELFTEST,
        "Fix what the backup gate names (tools, privileges of the backup role, key, directory) and re-run.");
  }
}

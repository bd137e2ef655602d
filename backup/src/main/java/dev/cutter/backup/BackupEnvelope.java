package dev.cutter.backup;

import dev.cutter.core.run.RunStatus;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one verified backup: where it is, how big, its digests (of the file as written
 * and of the plaintext archive), what the archive says about itself, what the TOC holds, to whom
 * it is encrypted, when it was taken (UTC), the system identifier of the server it was taken
 * from (null when the backup role may not read it), how the connection was protected, where the
 * dump sits in the server's WAL history ({@link PitAnchor}) and, when the package asked for it, what
 * the restore proof compared. A directory-format backup lists its {@code files} (null for the
 * custom format), and its {@code sha256} and {@code plaintextSha256} are those of the file lists
 * ({@link DirectoryArchive#manifestSha256}). An envelope with a required field missing is
 * incomplete, and an incomplete envelope blocks the run.
 */
public record BackupEnvelope(
    Path path,
    long bytes,
    String sha256,
    String plaintextSha256,
    long plaintextBytes,
    String format,
    String archiveVersion,
    String pgDumpVersion,
    String serverVersion,
    String database,
    int tocEntries,
    int tableDataEntries,
    List<String> encryptedTo,
    Instant started,
    Instant finished,
    String systemIdentifier,
    TlsState tls,
    PitAnchor anchor,
    ProofResult proof,
    List<ArchiveFile> files) {

  public BackupEnvelope {
    encryptedTo = encryptedTo == null ? null : List.copyOf(encryptedTo);
    files = files == null ? null : List.copyOf(files);
  }

  /** A custom-format backup's envelope (no file list). */
  public BackupEnvelope(Path path, long bytes, String sha256, String plaintextSha256, long plaintextBytes, String format,
      String archiveVersion, String pgDumpVersion, String serverVersion, String database, int tocEntries,
      int tableDataEntries, List<String> encryptedTo, Instant started, Instant finished, String systemIdentifier,
      TlsState tls, PitAnchor anchor, ProofResult proof) {
    this(path, bytes, sha256, plaintextSha256, plaintextBytes, format, archiveVersion, pgDumpVersion, serverVersion,
        database, tocEntries, tableDataEntries, encryptedTo, started, finished, systemIdentifier, tls, anchor, proof, null);
  }

  /** The names of required fields that are missing or empty; empty when the envelope is complete. */
  public List<String> missingFields() {
    List<String> missing = new ArrayList<>();
    require(missing, "path", path != null);
    require(missing, "bytes", bytes > 0);
    require(missing, "sha256", isSha256(sha256));
    require(missing, "plaintext_sha256", isSha256(plaintextSha256));
    require(missing, "format", present(format));
    require(missing, "archive_version", present(archiveVersion));
    require(missing, "pg_dump_version", present(pgDumpVersion));
    require(missing, "toc_entries", tocEntries > 0);
    require(missing, "encrypted_to", encryptedTo != null);
    require(missing, "started", started != null);
    require(missing, "finished", finished != null && started != null && !finished.isBefore(started));
    if ("directory".equals(format)) {
      require(missing, "files", files != null && !files.isEmpty()
          && files.stream().allMatch(f -> isSha256(f.sha256()) && isSha256(f.storedSha256()) && f.storedBytes() >= 0));
    }
    return missing;
  }

  public boolean encrypted() {
    return encryptedTo != null && !encryptedTo.isEmpty();
  }

  /** As the canonical constructor, without the point-in-time anchor and a restore proof. */
  public BackupEnvelope(Path path, long bytes, String sha256, String plaintextSha256, long plaintextBytes, String format,
      String archiveVersion, String pgDumpVersion, String serverVersion, String database, int tocEntries,
      int tableDataEntries, List<String> encryptedTo, Instant started, Instant finished, String systemIdentifier,
      TlsState tls) {
    this(path, bytes, sha256, plaintextSha256, plaintextBytes, format, archiveVersion, pgDumpVersion, serverVersion,
        database, tocEntries, tableDataEntries, encryptedTo, started, finished, systemIdentifier, tls, null, null);
  }

  /** As the canonical constructor, without the server's identity and TLS state. */
  public BackupEnvelope(Path path, long bytes, String sha256, String plaintextSha256, long plaintextBytes, String format,
      String archiveVersion, String pgDumpVersion, String serverVersion, String database, int tocEntries,
      int tableDataEntries, List<String> encryptedTo, Instant started, Instant finished) {
    this(path, bytes, sha256, plaintextSha256, plaintextBytes, format, archiveVersion, pgDumpVersion, serverVersion,
        database, tocEntries, tableDataEntries, encryptedTo, started, finished, null, null, null, null);
  }

  /** The envelope as the run report's backup section. */
  public RunReport.BackupInfo toBackupInfo() {
    return new RunReport.BackupInfo(RunStatus.Backup.PASS, path.toString(), format, archiveVersion, bytes, sha256, plaintextSha256,
        encryptedTo, tocEntries, tableDataEntries, pgDumpVersion, started, finished, null, systemIdentifier, tls)
        .withEvidence(anchor == null ? null : new RunReport.PointInTime(anchor.walLsn(), anchor.standby(), anchor.snapshotXmin()),
            proof == null ? null : new RunReport.RestoreProofInfo(proof.scratch(), proof.relationsCompared(),
                proof.tablesCompared(), proof.rowsCompared(), proof.differences()))
        .withFiles(files == null ? null : files.stream().map(f -> f.encrypted()
            ? new RunReport.BackupFile(f.name(), f.bytes(), f.sha256(), f.storedName(), f.storedBytes(), f.storedSha256())
            : new RunReport.BackupFile(f.name(), f.bytes(), f.sha256(), null, null, null)).toList());
  }

  private static void require(List<String> missing, String name, boolean ok) {
    if (!ok) {
      missing.add(name);
    }
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static boolean isSha256(String s) {
    return s != null && s.matches("[0-9a-f]{64}");
  }
}

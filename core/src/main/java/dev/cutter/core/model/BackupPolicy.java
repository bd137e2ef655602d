package dev.cutter.core.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The P2 backup gate. {@code schemas} empty means the whole database. {@code encryptTo} holds the
 * recipients as written (with {@code ${ENV}} unexpanded: expansion happens when the gate runs, so
 * that an unset variable is reported as BLOCKED naming it). {@code recipientKeys} is an armored
 * key file inside the package, else the user's GnuPG public keyring is used. {@code dir} is as
 * written: a relative path is resolved against the working directory when the gate runs (dry-run
 * replaces it with a temporary directory); it is null only when no backup is required and none
 * was named. {@code verify} is {@link Verify#RESTORE} when the package asks for the restore proof
 * ({@code backup.verify: restore}). {@code format} is pg_dump's archive format and {@code jobs} the
 * number of parallel pg_dump workers (more than 1 only for {@link Format#DIRECTORY}). {@code compression}
 * is pg_dump's gzip level, 0 (none) to 9 ({@code backup.compression}); empty leaves pg_dump's own default.
 */
public record BackupPolicy(
    boolean required,
    List<String> schemas,
    Path dir,
    long minBytes,
    List<String> encryptTo,
    Optional<Path> recipientKeys,
    Verify verify,
    Format format,
    int jobs,
    OptionalInt compression) {

  /** The most parallel pg_dump workers a package may ask for ({@code backup.jobs}). */
  public static final int MAX_JOBS = 32;

  /** The highest gzip level pg_dump takes ({@code backup.compression}, 0 to 9). */
  public static final int MAX_COMPRESSION = 9;

  /** pg_dump's archive format: one custom-format file, streamed; or a directory written by parallel workers. */
  public enum Format {
    /** {@code pg_dump --format=custom} to one file (the default). */
    CUSTOM,
    /** {@code pg_dump --format=directory --jobs=N}: toc.dat and one data file per table. */
    DIRECTORY
  }

  /** How far the backup is verified: the archive's structure (always), or also a restore and a comparison. */
  public enum Verify {
    /** The archive walk, pg_restore --list, TABLE DATA against the scope (the default). */
    ARCHIVE,
    /** Also restored into a scratch database and compared with the source at the dump's snapshot. */
    RESTORE
  }

  public BackupPolicy {
    schemas = List.copyOf(schemas);
    encryptTo = List.copyOf(encryptTo);
    verify = verify == null ? Verify.ARCHIVE : verify;
    format = format == null ? Format.CUSTOM : format;
    jobs = Math.max(1, jobs);
    compression = compression == null ? OptionalInt.empty() : compression;
  }

  /** A policy with pg_dump's own compression. */
  public BackupPolicy(boolean required, List<String> schemas, Path dir, long minBytes, List<String> encryptTo,
      Optional<Path> recipientKeys, Verify verify, Format format, int jobs) {
    this(required, schemas, dir, minBytes, encryptTo, recipientKeys, verify, format, jobs, OptionalInt.empty());
  }

  /** A policy of the custom format. */
  public BackupPolicy(boolean required, List<String> schemas, Path dir, long minBytes, List<String> encryptTo,
      Optional<Path> recipientKeys, Verify verify) {
    this(required, schemas, dir, minBytes, encryptTo, recipientKeys, verify, Format.CUSTOM, 1);
  }

  /** A policy verifying the archive only. */
  public BackupPolicy(boolean required, List<String> schemas, Path dir, long minBytes, List<String> encryptTo,
      Optional<Path> recipientKeys) {
    this(required, schemas, dir, minBytes, encryptTo, recipientKeys, Verify.ARCHIVE);
  }

  /** This policy with the restore proof asked for ({@code cutter backup --prove}). */
  public BackupPolicy withVerify(Verify v) {
    return new BackupPolicy(required, schemas, dir, minBytes, encryptTo, recipientKeys, v, format, jobs, compression);
  }

  /** This policy with another archive format and number of pg_dump workers. */
  public BackupPolicy withFormat(Format f, int j) {
    return new BackupPolicy(required, schemas, dir, minBytes, encryptTo, recipientKeys, verify, f, j, compression);
  }

  /** This policy with another gzip level for pg_dump (empty: pg_dump's default). */
  public BackupPolicy withCompression(OptionalInt level) {
    return new BackupPolicy(required, schemas, dir, minBytes, encryptTo, recipientKeys, verify, format, jobs, level);
  }

  /** No backup section: nothing is required. */
  public static BackupPolicy none() {
    return new BackupPolicy(false, List.of(), null, 0, List.of(), Optional.empty(), Verify.ARCHIVE);
  }

  public boolean wholeDatabase() {
    return schemas.isEmpty();
  }
}

package dev.cutter.core.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The P2 backup gate. {@code schemas} empty means the whole database. {@code encryptTo} holds the
 * recipients as written (with {@code ${ENV}} unexpanded: expansion happens when the gate runs, so
 * that an unset variable is reported as BLOCKED naming it). {@code recipientKeys} is an armored
 * key file inside the package, else the user's GnuPG public keyring is used. {@code dir} is as
 * written: a relative path is resolved against the working directory when the gate runs (dry-run
 * replaces it with a temporary directory); it is null only when no backup is required and none
 * was named.
 */
public record BackupPolicy(
    boolean required,
    List<String> schemas,
    Path dir,
    long minBytes,
    List<String> encryptTo,
    Optional<Path> recipientKeys) {

  public BackupPolicy {
    schemas = List.copyOf(schemas);
    encryptTo = List.copyOf(encryptTo);
  }

  /** No backup section: nothing is required. */
  public static BackupPolicy none() {
    return new BackupPolicy(false, List.of(), null, 0, List.of(), Optional.empty());
  }

  public boolean wholeDatabase() {
    return schemas.isEmpty();
  }
}

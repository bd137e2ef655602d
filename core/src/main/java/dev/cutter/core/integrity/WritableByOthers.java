package dev.cutter.core.integrity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a file that decides whose signatures count (the trust policy, its keyring) could be
 * changed by someone other than its owner: writable by its group or by others. Such a file is
 * refused, as ssh refuses a loose {@code authorized_keys}: anyone who can write it can approve.
 */
final class WritableByOthers {

  private WritableByOthers() {}

  /** Why {@code file} is too loose (e.g. {@code writable by others (mode rw-rw-rw-)}), or empty. */
  static Optional<String> check(Path file) {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.empty(); // no POSIX modes here; a missing or unreadable file is reported by the reader
    }
    String shown = " (mode " + PosixFilePermissions.toString(mode) + "); run chmod go-w on it";
    if (mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      return Optional.of("writable by others" + shown);
    }
    if (mode.contains(PosixFilePermission.GROUP_WRITE)) {
      return Optional.of("writable by its group" + shown);
    }
    return Optional.empty();
  }
}

package dev.cutter.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The backup directory: created 0700, locked against a second backup into it, files created 0600
 * under a temporary name, moved to the final name atomically only when complete, and partial files
 * moved to {@code quarantine/} with a reason file beside them.
 */
final class BackupDirectory implements AutoCloseable {

  static final String LOCK_FILE = ".cutter-backup.lock";
  static final String QUARANTINE = "quarantine";

  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private BackupDirectory(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Thrown when another backup holds the directory's lock. */
  static final class BusyException extends IOException {
    private static final long serialVersionUID = 1L;

    BusyException(Path dir) {
      super("another backup is writing into " + dir + " (it holds " + LOCK_FILE + ")");
    }
  }

  /** Creates {@code dir} (0700) when missing and takes its lock without waiting. */
  static BackupDirectory open(Path dir) throws IOException {
    createPrivateDirectories(dir);
    FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        fileMode());
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new BusyException(dir);
    }
    return new BackupDirectory(dir, ch, lock);
  }

  Path path() {
    return dir;
  }

  long usableSpace() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /** A new, empty 0600 file under a hidden temporary name for {@code finalName}. */
  Path createTemporary(String finalName) throws IOException {
    Path temp = dir.resolve("." + finalName + ".partial");
    if (Files.exists(temp)) {
      // we hold the lock, so this is left by a run that died without cleaning up
      quarantine(temp, "left under its temporary name by an earlier run that did not finish", Instant.now());
    }
    return Files.createFile(temp, fileMode());
  }

  /**
   * Moves a complete, fsynced file to its final name in one atomic rename and syncs the
   * directory; refuses to replace an existing file.
   */
  Path commit(Path temporary, String finalName) throws IOException {
    Path target = dir.resolve(finalName);
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "a backup with this name already exists");
    }
    try {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + dir + " cannot rename atomically", e);
    }
    syncDirectory(dir);
    return target;
  }

  /** Moves a partial file to {@code quarantine/} with a {@code .reason} file; returns its new path. */
  Optional<Path> quarantine(Path temporary, String reason, Instant when) {
    try {
      if (!Files.exists(temporary)) {
        return Optional.empty();
      }
      Path q = dir.resolve(QUARANTINE);
      createPrivateDirectories(q);
      String name = temporary.getFileName().toString().replaceFirst("^\\.", "");
      Path moved = q.resolve(name);
      Files.move(temporary, moved, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Path reasonFile = q.resolve(name + ".reason");
      Files.deleteIfExists(reasonFile);
      Files.createFile(reasonFile, fileMode());
      Files.writeString(reasonFile, "quarantined at " + when + "\n" + reason.strip() + "\n", StandardCharsets.UTF_8);
      syncDirectory(q);
      syncDirectory(dir);
      return Optional.of(moved);
    } catch (IOException e) {
      // the partial stays under its hidden temporary name, never at a final name
      return Optional.of(temporary);
    }
  }

  static void createPrivateDirectories(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      Path parent = d.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(d, PosixFilePermissions.asFileAttribute(DIR_MODE));
      } catch (FileAlreadyExistsException e) {
        // created concurrently: the permission check below still applies
      }
      Files.setPosixFilePermissions(d, DIR_MODE);
    }
  }

  static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void syncDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems cannot fsync a directory; the rename itself is still atomic
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> fileMode() {
    return PosixFilePermissions.asFileAttribute(FILE_MODE);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }
}

package dev.cutter.backup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The backup directory: created 0700, refused when another user owns it or group or others may
 * write to it (whoever created it, as ssh refuses a loose {@code ~/.ssh}), locked against a second
 * backup into it, files created 0600 and exclusively under a temporary name, never through a
 * symbolic link, moved to the final name atomically only when complete, and partial files moved
 * to {@code quarantine/} with a reason file beside them; the temporary files of earlier runs that
 * died are swept there when the lock is taken ({@link StaleTemporaries}).
 */
final class BackupDirectory implements AutoCloseable {

  static final String LOCK_FILE = ".cutter-backup.lock";
  static final String QUARANTINE = "quarantine";

  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  /** The stale temporary files of earlier runs this run moved to quarantine when it took the lock. */
  private List<Path> swept = List.of();

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

  /** Why a directory is not private enough to hold backups. */
  enum Problem {
    NOT_A_DIRECTORY("is not a directory"),
    NOT_OWNED("is not owned by the user running cutter"),
    GROUP_WRITABLE("is writable by its group"),
    OTHERS_WRITABLE("is writable by others"),
    PARENT_NOT_OWNED("lies in a directory another user owns"),
    PARENT_WRITABLE("lies in a directory others may write without its sticky bit");

    private final String text;

    Problem(String text) {
      this.text = text;
    }
  }

  /** Thrown when the directory (or its quarantine) could be changed by someone else than its user. */
  static final class UnsafeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;

    UnsafeException(Path dir, Problem problem, String found) {
      super("backup directory " + dir + " " + problem.text + " (" + found + "): refused, as ssh refuses a loose ~/.ssh");
      this.problem = problem;
    }

    Problem problem() {
      return problem;
    }

    /** What the operator can do. */
    String remedy(Path dir) {
      return switch (problem) {
        case NOT_A_DIRECTORY -> "point backup.dir at a directory";
        case NOT_OWNED -> "use a directory of the user that runs cutter, or have it chown'ed to that user";
        case GROUP_WRITABLE, OTHERS_WRITABLE -> "run chmod go-w " + dir + " (0700 is what cutter creates)";
        case PARENT_NOT_OWNED, PARENT_WRITABLE -> "choose a backup.dir whose every parent directory only root and the"
            + " user running cutter can write (or one with its sticky bit set, as /tmp)";
      };
    }
  }

  /** Creates {@code dir} (0700) when missing, checks that it is private, and takes its lock without waiting. */
  static BackupDirectory open(Path dir) throws IOException {
    createPrivateDirectories(dir);
    requirePrivate(dir);
    FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), fileMode());
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
    sweepPlaintext(dir);
    BackupDirectory opened = new BackupDirectory(dir, ch, lock);
    try {
      opened.swept = StaleTemporaries.sweep(opened, Instant.now());
    } catch (IOException e) {
      opened.close();
      throw e;
    }
    return opened;
  }

  /**
   * Deletes every {@code .<name>.plain} directory: the plaintext of an encrypted directory-format
   * backup whose run was killed before it could remove it. Only the lock holder writes here, so no
   * backup is using one.
   */
  private static void sweepPlaintext(Path dir) throws IOException {
    try (var s = Files.newDirectoryStream(dir, "." + "*" + PLAINTEXT_SUFFIX)) {
      for (Path p : s) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          DirectoryArchive.deleteTree(p);
        }
      }
    }
  }

  static final String PLAINTEXT_SUFFIX = ".plain";

  /**
   * A new, empty 0700 directory under a hidden temporary name for {@code finalName} (a
   * directory-format backup); one left by an earlier run is quarantined first.
   */
  Path createTemporaryDirectory(String finalName) throws IOException {
    Path temp = dir.resolve("." + finalName + ".partial");
    if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
      quarantine(temp, "left under its temporary name by an earlier run that did not finish", Instant.now());
    }
    return Files.createDirectory(temp, PosixFilePermissions.asFileAttribute(DIR_MODE));
  }

  /**
   * The private 0700 directory pg_dump writes the plaintext of an encrypted directory-format
   * backup into: each file is encrypted into the temporary directory and then removed, and the
   * directory itself is deleted (never quarantined) when the run ends, whichever way.
   */
  Path createPlaintextDirectory(String finalName) throws IOException {
    Path plain = dir.resolve("." + finalName + PLAINTEXT_SUFFIX);
    DirectoryArchive.deleteTree(plain);
    return Files.createDirectory(plain, PosixFilePermissions.asFileAttribute(DIR_MODE));
  }

  Path path() {
    return dir;
  }

  /** Where the stale temporary files found at {@link #open} went (in {@code quarantine/}). */
  List<Path> swept() {
    return swept;
  }

  long usableSpace() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /** A new, empty 0600 file under a hidden temporary name for {@code finalName}. */
  Path createTemporary(String finalName) throws IOException {
    Path temp = dir.resolve("." + finalName + ".partial");
    if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
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
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
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
      if (!Files.exists(temporary, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      Path q = dir.resolve(QUARANTINE);
      createPrivateDirectories(q);
      if (Files.isSymbolicLink(q)) {
        throw new UnsafeException(q, Problem.NOT_A_DIRECTORY, "a symbolic link");
      }
      requirePrivate(q);
      String name = temporary.getFileName().toString().replaceFirst("^\\.", "");
      Path moved = q.resolve(name);
      Files.move(temporary, moved, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Path reasonFile = q.resolve(name + ".reason");
      Files.deleteIfExists(reasonFile);
      try (FileChannel ch = FileChannel.open(reasonFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), fileMode())) {
        ch.write(ByteBuffer.wrap(("quarantined at " + when + "\n" + reason.strip() + "\n").getBytes(StandardCharsets.UTF_8)));
      }
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

  /**
   * Refuses a directory that someone other than the running user could change: owned by another
   * user, or writable by group or others. Checked every time, whether or not cutter created it.
   */
  static void requirePrivate(Path d) throws IOException {
    PosixFileAttributes attrs;
    try {
      attrs = Files.readAttributes(d, PosixFileAttributes.class);
    } catch (UnsupportedOperationException e) {
      return; // no POSIX owner and modes on this file system
    }
    if (!attrs.isDirectory()) {
      throw new UnsafeException(d, Problem.NOT_A_DIRECTORY, "a file");
    }
    String mode = PosixFilePermissions.toString(attrs.permissions());
    if (!OthersMayChange.ownedByRunningUser(d, attrs)) {
      throw new UnsafeException(d, Problem.NOT_OWNED, "owner " + attrs.owner().getName() + ", cutter runs as "
          + System.getProperty("user.name"));
    }
    if (attrs.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new UnsafeException(d, Problem.OTHERS_WRITABLE, "mode " + mode);
    }
    if (attrs.permissions().contains(PosixFilePermission.GROUP_WRITE)) {
      throw new UnsafeException(d, Problem.GROUP_WRITABLE, "mode " + mode);
    }
    requireSafeParents(d);
  }

  /**
   * Refuses a directory that lies in one another user could change: whoever may rename its entries
   * can move the private directory away after this check and put a link to one of their own in its
   * place. Every directory above it, as named and as resolved, must be owned by root or the running
   * user and writable by nobody else unless its sticky bit is set (as {@code /tmp}'s).
   */
  private static void requireSafeParents(Path d) throws IOException {
    Optional<OthersMayChange.Finding> f = OthersMayChange.above(d);
    if (f.isPresent()) {
      throw new UnsafeException(d, f.get().notOwned() ? Problem.PARENT_NOT_OWNED : Problem.PARENT_WRITABLE, f.get().found());
    }
  }

  static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      ch.force(true);
    }
  }

  static void syncDirectory(Path d) {
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

package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup directory keeps its owner's secrets: a directory someone else could write into is
 * refused whoever made it, and the lock, temporary and quarantine files are never reached through a
 * symbolic link.
 */
@WithPostgres
class BackupDirectoryTest {

  private static final String RUN_ID = "20261122T220000Z-0002";

  @TempDir Path tmp;

  private BackupResult backup(TestDatabase db, Path dir) {
    return BackupGateTest.gate(BackupGateTest.env(Map.of())).run(BackupGateTest.conn(db, "postgres"),
        BackupGateTest.policy(List.of(), dir, 1, List.of(), Optional.empty()), "pkg", RUN_ID);
  }

  @Test
  @Tag("pgdump")
  void aGroupWritableBackupDirectoryIsBlocked(TestDatabase db) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("loose"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));

    BackupResult result = backup(db, dir);

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.reason()).contains("writable by its group").contains("rwxrwx---").contains(dir.toString());
    assertThat(b.details()).contains("chmod go-w");
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).as("nothing was dumped into it").isEmpty();
    }
  }

  @Test
  @Tag("pgdump")
  void aDirectoryCutterCreatedIsRefusedOnceOthersMayWriteToIt(TestDatabase db) throws IOException {
    Path dir = tmp.resolve("made-by-cutter");
    BackupDirectory.open(dir).close();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    BackupResult result = backup(db, dir);

    assertThat(result).isInstanceOf(Blocked.class);
    assertThat(((Blocked) result).reason()).contains("writable by others");
  }

  /**
   * A private directory inside one that others may write is not private: another user renames it
   * away between cutter's check and its writes and puts a link to a directory of their own in its
   * place, where the archive is committed and can then be swapped or removed by them. Each
   * directory above it (as named and as resolved) must be owned by root or the running user and
   * writable by no one else, unless its sticky bit keeps others from renaming what is not theirs.
   */
  @Test
  void aPrivateDirectoryInsideOneOthersMayWriteIsRefusedAndAStickyOneIsNot() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path dir = shared.resolve("backups");

    assertThatThrownBy(() -> BackupDirectory.open(dir))
        .isInstanceOfSatisfying(BackupDirectory.UnsafeException.class, e -> {
          assertThat(e.problem()).isEqualTo(BackupDirectory.Problem.PARENT_WRITABLE);
          assertThat(e.getMessage()).contains(shared.toString()).contains("rwxrwxrwx");
        });
    Path link = Files.createSymbolicLink(tmp.resolve("link"), dir);
    assertThatThrownBy(() -> BackupDirectory.open(link)).as("through a link too")
        .isInstanceOf(BackupDirectory.UnsafeException.class);

    assertThat(new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor()).isZero();
    BackupDirectory.open(dir).close();
    BackupDirectory.open(link).close();
  }

  @Test
  void aDirectoryOwnedByAnotherUserIsRefused() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("theirs"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal other;
    try {
      other = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(dir, other);
    } catch (IOException e) {
      assumeTrue(false, "changing a directory's owner needs root");
      return;
    }

    assertThatThrownBy(() -> BackupDirectory.open(dir))
        .isInstanceOfSatisfying(BackupDirectory.UnsafeException.class,
            e -> assertThat(e.problem()).isEqualTo(BackupDirectory.Problem.NOT_OWNED))
        .hasMessageContaining("not owned by the user running cutter");
  }

  @Test
  void aSymlinkPlantedAsTheLockFileIsNotFollowed() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("d"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
    Files.createSymbolicLink(dir.resolve(BackupDirectory.LOCK_FILE), victim);

    assertThatThrownBy(() -> BackupDirectory.open(dir)).isInstanceOf(IOException.class);
    assertThat(Files.readString(victim)).isEqualTo("precious\n");
  }

  @Test
  void aSymlinkPlantedAsTheQuarantineLeavesThePartialInPlace() throws IOException {
    Path dir = tmp.resolve("q");
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    try (BackupDirectory bd = BackupDirectory.open(dir)) {
      Path partial = bd.createTemporary("pkg-x.dump");
      Files.createSymbolicLink(dir.resolve(BackupDirectory.QUARANTINE), elsewhere);

      Optional<Path> where = bd.quarantine(partial, "test", Instant.now());

      assertThat(where).contains(partial);
      assertThat(partial).exists();
      try (var files = Files.list(elsewhere)) {
        assertThat(files.toList()).as("nothing went through the link").isEmpty();
      }
    }
  }

  @Test
  void aTemporaryFileIsCreatedPrivateAndExclusively() throws IOException {
    Path dir = tmp.resolve("t");
    try (BackupDirectory bd = BackupDirectory.open(dir)) {
      Path partial = bd.createTemporary("pkg-y.dump");

      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(partial))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }
  }
}

package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The next run into a backup directory sweeps every temporary file an earlier run left (whatever
 * its run id) into quarantine with a reason, touches nothing else, and never a file of a run that
 * still holds the directory.
 */
class StaleTemporariesTest {

  @TempDir Path tmp;

  private static final List<String> STALE = List.of(".orders-20261122T220000Z-0a1b.dump.partial",
      ".orders-20261123T010203Z-ffff.dump.pgp.partial", ".registry-12-tables-20250101T000000Z-0000.dump.partial");

  /** Names near cutter's pattern that are not cutter's temporary files: never moved. */
  private static final List<String> OTHERS = List.of(".orders-20261122T220000Z-0a1b.dump", ".orders.dump.partial",
      ".orders-2026-11-22-0a1b.dump.partial", ".Orders-20261122T220000Z-0a1b.dump.partial",
      ".orders-20261122T220000Z-0a1b.dump.partial.keep", "orders-20261122T220000Z-0a1b.dump.partial",
      ".orders-20261122T220000Z-0A1B.dump.partial", ".bashrc", "notes.txt", "orders-20261122T220000Z-0a1b.dump");

  private Path dir() throws IOException {
    Path d = tmp.resolve("backups");
    BackupDirectory.createPrivateDirectories(d);
    return d;
  }

  private static List<String> names(Path d) throws IOException {
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void everyStaleTemporaryFileGoesToQuarantineWithItsReasonAndNothingElseMoves() throws IOException {
    Path d = dir();
    for (String n : STALE) {
      Files.writeString(d.resolve(n), "partial " + n);
    }
    for (String n : OTHERS) {
      Files.writeString(d.resolve(n), "other " + n);
    }

    List<Path> swept;
    try (BackupDirectory b = BackupDirectory.open(d)) {
      swept = b.swept();
    }

    assertThat(swept).extracting(p -> p.getFileName().toString()).containsExactly(
        "orders-20261122T220000Z-0a1b.dump.partial", "orders-20261123T010203Z-ffff.dump.pgp.partial",
        "registry-12-tables-20250101T000000Z-0000.dump.partial");
    for (String n : STALE) {
      String moved = n.substring(1);
      assertThat(d.resolve("quarantine").resolve(moved)).hasContent("partial " + n);
      assertThat(Files.readString(d.resolve("quarantine").resolve(moved + ".reason")))
          .matches("quarantined at \\S+\n" + java.util.regex.Pattern.quote(StaleTemporaries.REASON) + "\n");
    }
    for (String n : OTHERS) {
      assertThat(d.resolve(n)).as(n).hasContent("other " + n);
    }
    List<String> expected = new java.util.ArrayList<>(OTHERS);
    expected.addAll(List.of(BackupDirectory.LOCK_FILE, BackupDirectory.QUARANTINE));
    assertThat(names(d)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aLinkUnderATemporaryNameIsNeitherFollowedNorMoved() throws IOException {
    Path d = dir();
    Path outside = Files.writeString(tmp.resolve("elsewhere.txt"), "not a backup");
    Path link = Files.createSymbolicLink(d.resolve(STALE.get(0)), outside);

    try (BackupDirectory b = BackupDirectory.open(d)) {
      assertThat(b.swept()).isEmpty();
    }

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(outside).hasContent("not a backup");
    assertThat(d.resolve("quarantine")).doesNotExist();
  }

  @Test
  void theTemporaryFileOfARunThatHoldsTheDirectoryIsLeftAlone() throws IOException {
    Path d = dir();
    try (BackupDirectory running = BackupDirectory.open(d)) {
      Path live = running.createTemporary("orders-20261122T220000Z-0a1b.dump");
      Files.writeString(live, "being written");

      assertThatThrownBy(() -> BackupDirectory.open(d)).isInstanceOf(BackupDirectory.BusyException.class);

      assertThat(live).hasContent("being written");
      assertThat(d.resolve("quarantine")).doesNotExist();
    }
  }

  @Test
  void anEmptyDirectorySweepsNothing() throws IOException {
    Path d = dir();
    try (BackupDirectory b = BackupDirectory.open(d)) {
      assertThat(b.swept()).isEmpty();
    }
    assertThat(names(d)).containsExactly(BackupDirectory.LOCK_FILE);
  }
}

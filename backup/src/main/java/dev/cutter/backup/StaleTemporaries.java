package dev.cutter.backup;

import dev.cutter.core.run.RunIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The temporary files earlier runs left in a backup directory (a {@code kill -9}, a power cut):
 * swept into {@code quarantine/} with a reason by the next run, right after it took the
 * directory's lock. Holding that lock proves no other backup is writing into the directory (every
 * run holds it from before its temporary file exists until the file is renamed or quarantined),
 * so every file under cutter's temporary name there is stale. Only regular files whose name is
 * exactly cutter's temporary pattern are touched; anything else in the directory stays as it is.
 */
final class StaleTemporaries {

  /** {@code .<package-id>-<run-id>.dump[.pgp].partial}, as {@link BackupDirectory#createTemporary} names them. */
  static final Pattern NAME = Pattern.compile("\\.[a-z0-9][a-z0-9._-]{2,127}-" + RunIds.PATTERN.pattern()
      + "\\.dump(\\.pgp)?\\.partial");

  static final String REASON = "left under its temporary name by an earlier run that did not finish (killed, or the"
      + " machine stopped): no backup held the directory's lock when the next run took it";

  private StaleTemporaries() {}

  /** Moves every stale temporary file of {@code dir} to quarantine; returns where each went. */
  static List<Path> sweep(BackupDirectory dir, Instant now) throws IOException {
    List<Path> stale;
    try (Stream<Path> s = Files.list(dir.path())) {
      stale = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
    }
    List<Path> moved = new ArrayList<>();
    for (Path p : stale) {
      Optional<Path> q = dir.quarantine(p, REASON, now);
      q.filter(m -> !m.equals(p)).ifPresent(moved::add);
    }
    return moved;
  }
}

package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scratch template against another user who may write (or owns) a directory above the cache's
 * {@code cutter/}: that user could rename ours away between the check and the copy, or while the
 * template is made and started, and have the scratch start from a cluster of theirs (a
 * configuration that runs a program as the operator, catalogs that make a restore read as proven).
 */
class ScratchTemplateAttackTest {

  /** Only root can give a directory to another user. */
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  @TempDir Path tmp;

  private static void chmod(String mode, Path p) throws Exception {
    assertThat(new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start().waitFor()).isZero();
  }

  private static void chown(String owner, Path p) throws Exception {
    assertThat(new ProcessBuilder("chown", owner, p.toString()).inheritIO().start().waitFor()).isZero();
  }

  /** Runs a restore scratch with {@code cache}; true when its data directory was the template's copy. */
  private static boolean copied(Path cache) throws Exception {
    try (EmbeddedSandbox s = EmbeddedSandbox.startForRestore(Optional.of(cache));
        Connection c = Connections.open(s.superuser(), "test"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("show data_directory")) {
      rs.next();
      return Files.exists(Path.of(rs.getString(1)).resolve("template-marker"));
    }
  }

  private static Path template(Path cache) {
    return ScratchTemplate.under(cache, System.getenv()).orElseThrow().dir();
  }

  /** A cache whose template is made, and marked so that a copy of it can be told from an initdb. */
  private Path madeCache(String name) throws Exception {
    Path cache = Files.createDirectory(tmp.resolve(name));
    chmod("700", cache);
    assertThat(copied(cache)).as("made at the first start").isFalse();
    Files.writeString(template(cache).resolve("template-marker"), "x");
    assertThat(copied(cache)).as("an own cache in a private directory").isTrue();
    return cache;
  }

  @Test
  void aTemplateBelowADirectoryOthersMayWriteOrAnotherUserOwnsIsNotUsed() throws Exception {
    Path cache = madeCache("cache");

    chmod("777", cache);
    assertThat(copied(cache)).as("others may write the cache directory above cutter/").isFalse();
    chmod("1777", cache);
    assertThat(copied(cache)).as("sticky: only the owner of cutter/ may rename it").isTrue();
    chmod("700", cache);

    chmod("770", tmp);
    assertThat(copied(cache)).as("its group may write a directory further up").isFalse();
    chmod("700", tmp);

    if (ROOT) {
      chown("65534", cache);
      assertThat(copied(cache)).as("another user owns the cache directory (and may chmod or rename in it)").isFalse();
      chown("0", cache);
    }

    assertThat(copied(cache)).as("all back to private").isTrue();
  }

  @Test
  void noTemplateIsMadeOrStartedBelowADirectoryOthersMayWrite() throws Exception {
    Path cache = Files.createDirectory(tmp.resolve("open"));
    chmod("777", cache);
    assertThat(copied(cache)).isFalse();
    assertThat(Files.exists(cache.resolve("cutter"))).as("nothing made there").isFalse();
  }

  @Test
  void aCacheReachedThroughASymbolicLinkIsCheckedWhereItLies() throws Exception {
    Path cache = madeCache("real");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), cache);
    assertThat(copied(link)).as("a link to a private cache").isTrue();

    Path open = Files.createDirectory(tmp.resolve("open"));
    chmod("777", open);
    Path moved = Files.move(cache, open.resolve("real"));
    Files.delete(link);
    Files.createSymbolicLink(link, moved);
    assertThat(copied(link)).as("the link's target lies in a directory others may write").isFalse();
  }

  /** Writable by nobody else holds for everything in the template, not only its directory. */
  @Test
  void aTemplateWithADirectoryOrFileOthersMayWriteOrAnotherUserOwnsIsNotUsed() throws Exception {
    Path cache = madeCache("cache");
    Path template = template(cache);

    chmod("777", template.resolve("base"));
    assertThat(copied(cache)).as("others may write base/, the databases' files").isFalse();
    chmod("700", template.resolve("base"));

    Path conf = template.resolve("postgresql.auto.conf");
    chmod("664", conf);
    assertThat(copied(cache)).as("its group may write postgresql.auto.conf").isFalse();
    chmod("600", conf);

    if (ROOT) {
      chown("65534", template.resolve("global"));
      assertThat(copied(cache)).as("another user owns global/, the shared catalogs").isFalse();
      chown("0", template.resolve("global"));
    }

    assertThat(copied(cache)).as("all back to private").isTrue();
  }
}

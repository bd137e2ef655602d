package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore proof's scratch cluster copied from a template in the user's cache instead of an initdb per proof. */
class ScratchTemplateTest {

  @TempDir Path cache;

  private static String value(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private Path template() {
    return ScratchTemplate.under(cache, System.getenv()).orElseThrow().dir();
  }

  /** Starts a restore scratch with the cache, returns its data directory after checking it runs as one. */
  private Path startAndStop(String markerExpected) throws Exception {
    Path data;
    ConnectionSpec su;
    try (EmbeddedSandbox s = EmbeddedSandbox.startForRestore(Optional.of(cache)); Connection c = Connections.open(s.superuser(), "test");
        Statement st = c.createStatement()) {
      su = s.superuser();
      data = Path.of(value(st, "show data_directory"));
      assertThat(value(st, "show wal_level")).as("the restore's settings").isEqualTo("minimal");
      assertThat(value(st, "select count(*) from pg_database where datname in ('template0', 'template1', 'postgres')")).isEqualTo("3");
      assertThat(Files.exists(data.resolve("template-marker"))).as("a copy of the template: " + markerExpected)
          .isEqualTo(markerExpected.equals("copied"));
      ConnectionSpec bare = new ConnectionSpec(su.host(), su.port(), su.database(), su.user(), Optional.empty());
      assertThatThrownBy(() -> Connections.open(bare, "test").close()).as("a password is needed, as after an initdb")
          .isInstanceOf(CutterException.class);
    }
    assertThat(Files.exists(data)).as("the data directory goes with the server").isFalse();
    assertThatThrownBy(() -> Connections.open(su, "test").close()).isInstanceOf(CutterException.class);
    return data;
  }

  @Test
  void theFirstScratchMakesTheTemplateAndEveryLaterOneStartsFromACopyOfIt() throws Exception {
    Path template = template();
    assertThat(template.getParent()).isEqualTo(cache.resolve("cutter").resolve("scratch-templates"));
    assertThat(Files.exists(template)).isFalse();

    Path first = startAndStop("not yet made");

    assertThat(Files.isRegularFile(template.resolve("PG_VERSION"))).as("made at the first start").isTrue();
    assertThat(Files.exists(template.resolve("postmaster.pid"))).as("shut down cleanly").isFalse();
    assertThat(Files.getPosixFilePermissions(template)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(cache.resolve("cutter"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(first).isNotEqualTo(template);
    // a file only the template holds: an initdb would not make it, a copy has it
    Files.writeString(template.resolve("template-marker"), "x");

    Path second = startAndStop("copied");

    assertThat(second).isNotEqualTo(template).isNotEqualTo(first);
    assertThat(Files.exists(template.resolve("template-marker"))).as("the template itself stays as it was").isTrue();
    assertThat(Files.exists(template.resolve("postmaster.pid"))).isFalse();
  }

  @Test
  void aTemplateOthersCouldWriteThatIsIncompleteOrDoesNotStartIsNotUsedAndTheScratchRunsInitdb() throws Exception {
    startAndStop("not yet made");
    Path template = template();
    Files.writeString(template.resolve("template-marker"), "x");

    Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rwxrwx---"));
    startAndStop("not used: its group may write it");
    Files.setPosixFilePermissions(template, PosixFilePermissions.fromString("rwx------"));

    Files.setPosixFilePermissions(cache.resolve("cutter"), PosixFilePermissions.fromString("rwx-w--w-"));
    startAndStop("not used: others may write the cache above it");
    Files.setPosixFilePermissions(cache.resolve("cutter"), PosixFilePermissions.fromString("rwx------"));

    Files.writeString(template.resolve("postmaster.pid"), "1\n");
    startAndStop("not used: not shut down cleanly");
    Files.delete(template.resolve("postmaster.pid"));

    Path conf = template.resolve("postgresql.conf");
    String good = Files.readString(conf);
    Files.writeString(conf, good + "\nshared_buffers = 'none'\n");
    startAndStop("not used: its copy does not start");
    Files.writeString(conf, good);

    startAndStop("copied");
  }

  @Test
  void theTemplateIsNamedByTheBundledBinariesAndTheLocaleInitdbReads() {
    Path plain = ScratchTemplate.under(cache, Map.of()).orElseThrow().dir();
    Path german = ScratchTemplate.under(cache, Map.of("LANG", "de_DE.UTF-8")).orElseThrow().dir();
    Path collate = ScratchTemplate.under(cache, Map.of("LC_COLLATE", "de_DE.UTF-8")).orElseThrow().dir();
    Path unrelated = ScratchTemplate.under(cache, Map.of("PGDATA", "/elsewhere")).orElseThrow().dir();
    assertThat(plain.getFileName().toString()).matches("pg-[0-9a-f]{24}");
    assertThat(german).isNotEqualTo(plain).isNotEqualTo(collate);
    assertThat(collate).isNotEqualTo(plain);
    assertThat(unrelated).isEqualTo(plain);
    assertThat(ScratchTemplate.userCache(Map.of("XDG_CACHE_HOME", "/var/cache/x"))).isEqualTo(Path.of("/var/cache/x"));
    assertThat(ScratchTemplate.userCache(Map.of("XDG_CACHE_HOME", "relative")))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".cache"));
  }
}

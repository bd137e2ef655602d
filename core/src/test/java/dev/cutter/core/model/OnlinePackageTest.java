package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import dev.cutter.core.run.PackageScripts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package's {@code online} field: pinned like the other artifacts, its timeouts, and its statements judged at load. */
class OnlinePackageTest {

  @TempDir Path dir;

  private final PackageLoader loader = TestPackages.loader();

  private ApplyPackage load(String onlineSql, String onlineYaml) throws IOException {
    TestPackages.write(dir, MINIMAL + onlineYaml.formatted(Sha256.of(onlineSql.getBytes(StandardCharsets.UTF_8))));
    Files.writeString(dir.resolve("ddl/online.sql"), onlineSql);
    return loader.load(dir);
  }

  @Test
  void readsTheOnlineArtifactOnceWithDefaultTimeouts() throws IOException {
    String sql = "create index concurrently t_id on t (id);\n";
    ApplyPackage p = load(sql, "online: { path: ddl/online.sql, sha256: %s }\n");

    OnlineStep o = p.online().orElseThrow();
    assertThat(o.lockTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(o.statementTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(o.artifact().content().toByteArray()).isEqualTo(sql.getBytes(StandardCharsets.UTF_8));
    assertThat(p.artifacts()).as("P3 hashes it with the others").extracting(ArtifactRef::path)
        .containsExactly("ddl/change.sql", "ddl/online.sql");
    assertThat(PackageScripts.of(p).online().orElseThrow().statements()).hasSize(1);
  }

  @Test
  void takesItsOwnTimeouts() throws IOException {
    ApplyPackage p = load("analyze;\n", "online:\n  path: ddl/online.sql\n  sha256: %s\n  lock_timeout: 2s\n"
        + "  statement_timeout: off\n");
    assertThat(p.online().orElseThrow().lockTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.online().orElseThrow().statementTimeout()).isEqualTo(ApplySettings.OFF);
  }

  @Test
  void badFieldsAreInvalidWithTheirPosition() throws IOException {
    assertThatThrownBy(() -> load("analyze;\n", "online: { path: ddl/online.sql, sha256: %s, lock_timeout: 0s, when: later }\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("package.yaml:16:121: online.lock_timeout: a zero timeout is not allowed")
        .hasMessageContaining("package.yaml:16:125: online.when: unknown key; allowed: path, sha256, lock_timeout,"
            + " statement_timeout");
  }

  @Test
  void aForbiddenOnlineStatementMakesThePackageInvalid() throws IOException {
    ApplyPackage p = load("analyze t;\n\n  create index t_id on t (id);\n",
        "online: { path: ddl/online.sql, sha256: %s }\n");
    assertThatThrownBy(() -> PackageScripts.of(p)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      assertThat(e.exitCode()).isEqualTo(2);
      assertThat(e.diagnostics()).singleElement().hasToString("ddl/online.sql:3:3: online step: `create index t_id on …`"
          + " builds an index without CONCURRENTLY, which blocks writes to the table for the whole build; write"
          + " CREATE INDEX CONCURRENTLY");
    });
  }

  @Test
  void packageHashPinsTheOnlineArtifactToo() throws IOException {
    load("analyze;\n", "online: { path: ddl/online.sql, sha256: %s }\n");
    Files.writeString(dir.resolve("ddl/online.sql"), "analyze t;\n");
    PackageHasher.Result r = new PackageHasher(loader).compute(dir);
    assertThat(r.changes()).singleElement().satisfies(c -> {
      assertThat(c.field()).isEqualTo("online.sha256");
      assertThat(c.newValue()).isEqualTo(Sha256.of("analyze t;\n".getBytes(StandardCharsets.UTF_8)));
    });
  }
}

package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.CHANGE_SHA;
import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageHasherTest {

  private static final String ROLLBACK_SHA = Sha256.of("drop table t;\n".getBytes(StandardCharsets.UTF_8));
  private static final String STALE = "0".repeat(64);

  @TempDir Path dir;

  private final PackageHasher hasher = new PackageHasher(TestPackages.loader());

  @Test
  void reportsUpToDateWithoutTouchingTheText() {
    Path file = TestPackages.write(dir, MINIMAL);

    PackageHasher.Result r = hasher.compute(dir);

    assertThat(r.upToDate()).isTrue();
    assertThat(r.updatedText()).isEqualTo(MINIMAL);
    assertThat(r.file()).isEqualTo(file);
  }

  @Test
  void rewritesOnlyTheHashesKeepingCommentsOrderAndQuoting() {
    String before = MINIMAL.replace("sha256: " + CHANGE_SHA, "sha256: '" + STALE + "'   # pinned by the author 🔒")
        .replace("title: Test package", "title: \"Test package ✓ 𝔘nicode\"  # comment with 🙂")
        + "rollback:\n  artifact: { path: \"ddl/rollback.sql\", sha256: \"garbage\" }   # keep me\n  precondition: none\n";
    TestPackages.write(dir, before);

    PackageHasher.Result r = hasher.compute(dir);

    String expected = before.replace("'" + STALE + "'", "'" + CHANGE_SHA + "'").replace("\"garbage\"", "\"" + ROLLBACK_SHA + "\"");
    assertThat(r.updatedText()).isEqualTo(expected);
    assertThat(r.changes()).extracting(Object::toString).containsExactly(
        "artifact.sha256 (ddl/change.sql): " + STALE + " -> " + CHANGE_SHA,
        "rollback.artifact.sha256 (ddl/rollback.sql): garbage -> " + ROLLBACK_SHA);
  }

  @Test
  void addsMissingHashesInBlockAndFlowMappings() {
    String before = MINIMAL.replace("  sha256: " + CHANGE_SHA + "\n", "")
        .replace("path: ddl/change.sql", "path: ddl/change.sql  # the change")
        + "rollback:\n  artifact: {path: ddl/rollback.sql}\n  precondition: none\n";
    TestPackages.write(dir, before);

    PackageHasher.Result r = hasher.compute(dir);

    assertThat(r.updatedText()).isEqualTo(before
        .replace("path: ddl/change.sql  # the change", "path: ddl/change.sql  # the change\n  sha256: " + CHANGE_SHA)
        .replace("{path: ddl/rollback.sql}", "{path: ddl/rollback.sql, sha256: " + ROLLBACK_SHA + "}"));
    assertThat(r.changes()).extracting(PackageHasher.Change::oldValue).containsExactly("", "");
  }

  @Test
  void fillsAnEmptyValueAndKeepsWindowsLineEndings() {
    String before = MINIMAL.replace("sha256: " + CHANGE_SHA, "sha256:").replace("\n", "\r\n");
    TestPackages.write(dir, before);

    PackageHasher.Result r = hasher.compute(dir);

    assertThat(r.updatedText()).isEqualTo(before.replace("sha256:", "sha256: " + CHANGE_SHA));
  }

  @Test
  void acceptsAnUppercaseHashThatMatches() {
    TestPackages.write(dir, MINIMAL.replace(CHANGE_SHA, CHANGE_SHA.toUpperCase()));

    assertThat(hasher.compute(dir).upToDate()).isTrue();
  }

  @Test
  void writesTheResultSoThatThePackageLoads() throws IOException {
    Path file = TestPackages.write(dir, MINIMAL.replace(CHANGE_SHA, STALE));
    Files.writeString(dir.resolve("ddl/change.sql"), "create table u (id int);\n");

    PackageHasher.write(hasher.compute(dir));

    assertThat(TestPackages.loader().load(dir).artifact().sha256()).isEqualTo(Sha256.of(dir.resolve("ddl/change.sql")));
    assertThat(hasher.compute(file).upToDate()).isTrue();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactlyInAnyOrder("package.yaml", "ddl");
    }
  }

  @Test
  void refusesAPackageThatIsInvalidOtherwise() {
    TestPackages.write(dir, MINIMAL.replace(CHANGE_SHA, STALE).replace("risk: low", "risk: unknown"));

    assertThatThrownBy(() -> hasher.compute(dir)).isInstanceOf(InvalidInputException.class).hasMessageContaining("authorization.risk");
  }
}

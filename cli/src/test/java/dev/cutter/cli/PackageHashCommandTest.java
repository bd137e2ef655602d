package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageHashCommandTest {

  private static final Path EXAMPLE = Path.of("").toAbsolutePath().getParent().resolve("packages-examples/narrow-grant");

  @TempDir Path tmp;
  private Path pkg;
  private String original;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void copyExample() throws IOException {
    pkg = tmp.resolve("narrow-grant");
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      files.forEach(f -> {
        try {
          Files.copy(f, pkg.resolve(EXAMPLE.relativize(f).toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    original = Files.readString(pkg.resolve("package.yaml"));
  }

  @Test
  void saysAllHashesAreUpToDate() {
    assertThat(run("package", "hash", pkg.toString(), "--check")).isZero();
    assertThat(out.toString()).isEqualTo("all hashes up to date\n");
  }

  @Test
  void checkExitsThreeAndChangesNothingWhenAnArtifactChanged() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), "GRANT SELECT ON sales.invoice TO reporting;\n-- edited\n");

    int exit = run("package", "hash", pkg.resolve("package.yaml").toString(), "--check");

    assertThat(exit).isEqualTo(3);
    assertThat(out.toString()).contains("artifact.sha256 (ddl/grant.sql): 7cc1f5f8").contains(" -> ").contains("1 of the package's hashes are out of date");
    assertThat(Files.readString(pkg.resolve("package.yaml"))).isEqualTo(original);
  }

  @Test
  void rewritesOnlyTheChangedHash() throws IOException {
    Files.writeString(pkg.resolve("ddl/revoke.sql"), "REVOKE SELECT ON sales.invoice FROM reporting;\n-- edited\n");

    assertThat(run("package", "hash", pkg.toString())).isZero();

    String updated = Files.readString(pkg.resolve("package.yaml"));
    assertThat(out.toString()).contains("rollback.artifact.sha256 (ddl/revoke.sql)").contains("updated ");
    assertThat(updated).isNotEqualTo(original);
    assertThat(updated.replaceAll("[0-9a-f]{64}", "H")).as("nothing else changed").isEqualTo(original.replaceAll("[0-9a-f]{64}", "H"));
    out.getBuffer().setLength(0);
    assertThat(run("package", "hash", pkg.toString(), "--check")).isZero();
  }

  @Test
  void anInvalidPackageExitsTwoWithPositionsAndNoStackTrace() throws IOException {
    Files.writeString(pkg.resolve("package.yaml"), original.replace("risk: low", "risk: tiny"));

    assertThat(run("package", "hash", pkg.toString())).isEqualTo(2);
    assertThat(err.toString()).matches("(?s).*package\\.yaml:\\d+:\\d+: authorization\\.risk: expected one of low, medium, high, critical, got 'tiny'\n")
        .doesNotContain("Exception").doesNotContain("\tat ");
  }

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }
}

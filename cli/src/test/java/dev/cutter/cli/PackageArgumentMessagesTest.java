package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What cutter says when PKG is not a package: one line naming what was given, exit 2. */
class PackageArgumentMessagesTest {

  @TempDir Path dir;

  @Test
  void aSqlFileAsPkgIsNotCalledInvalidYaml() throws Exception {
    Path sql = Files.writeString(dir.resolve("change.sql"), "create table t (id int);\n");
    Path reports = dir.resolve("reports");
    String expected = sql + ": not a package: PKG must be a package directory or its package.yaml\n";

    Cli apply = Cli.run("apply", sql.toString(), "--target", "postgresql://nobody@127.0.0.1:1/none",
        "--report-dir", reports.toString());
    Cli verify = Cli.run("package", "verify", sql.toString());
    Cli sign = Cli.run("package", "sign", sql.toString(), "--key", dir.resolve("none.sec.asc").toString());

    assertThat(sign.exit()).isEqualTo(2);
    assertThat(sign.err()).isEqualTo(expected);
    assertThat(apply.exit()).isEqualTo(2);
    assertThat(apply.err()).isEqualTo(expected);
    assertThat(reports.resolve("_unknown")).doesNotExist();
    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err()).isEqualTo(expected);
  }

  @Test
  void aMistypedPkgSaysPackageNotFoundAndWritesNoReport() {
    Path missing = dir.resolve("pakcage");
    Path reports = dir.resolve("reports");

    Cli apply = Cli.run("apply", missing.toString(), "--target", "postgresql://nobody@127.0.0.1:1/none",
        "--report-dir", reports.toString());
    Cli verify = Cli.run("package", "verify", missing.toString());

    String expected = missing
        + ": package not found: no such directory or file (PKG is a package directory or its package.yaml)\n";
    assertThat(apply.exit()).isEqualTo(2);
    assertThat(apply.err()).isEqualTo(expected);
    assertThat(reports.resolve("_unknown")).doesNotExist();
    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err()).isEqualTo(expected);
  }
}

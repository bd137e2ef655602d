package dev.cutter.core.model;

import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Problems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes small packages into a temporary directory for loader and hasher tests. */
final class TestPackages {

  static final String CHANGE_SQL = "create table t (id int);\n";
  static final String CHANGE_SHA = Sha256.of(CHANGE_SQL.getBytes(StandardCharsets.UTF_8));

  /** A minimal valid package; {@code %s} in templates stands for the change's hash. */
  static final String MINIMAL = """
      apiVersion: cutter/v1
      kind: ApplyPackage
      id: test-pkg
      title: Test package
      authorization:
        ref: CHG-1
        expires_at: 2030-01-01T00:00:00Z
        risk: low
      target:
        database: app
        system_identifier: "7611578671664259111"
        apply_role: app_owner
      artifact:
        path: ddl/change.sql
        sha256: %s
      """.formatted(CHANGE_SHA);

  private TestPackages() {}

  /** Writes package.yaml and ddl/change.sql (and ddl/rollback.sql) into {@code dir}. */
  static Path write(Path dir, String packageYaml) {
    return write(dir, packageYaml.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, byte[] packageYaml) {
    try {
      Files.createDirectories(dir.resolve("ddl"));
      Files.writeString(dir.resolve("ddl/change.sql"), CHANGE_SQL);
      Files.writeString(dir.resolve("ddl/rollback.sql"), "drop table t;\n");
      Path file = dir.resolve("package.yaml");
      Files.write(file, packageYaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PackageLoader loader() {
    return new PackageLoader(List.of(new NameCheck("schema_exists"), new FlagCheck()));
  }

  /** A check whose argument is one name. */
  record NameCheck(String name) implements CheckType {
    @Override
    public void validate(YamlValue args, Problems problems) {
      new YamlFields(problems).identifier(args, problems.context());
    }
  }

  /** A check whose argument is true or false. */
  static final class FlagCheck implements CheckType {
    @Override
    public String name() {
      return "rehearse";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {
      new YamlFields(problems).bool(args, problems.context());
    }
  }
}

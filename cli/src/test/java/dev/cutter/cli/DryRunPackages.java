package dev.cutter.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small hostile packages for the dry-run tests: a setup script, an artifact, optional verify checks. */
final class DryRunPackages {

  private DryRunPackages() {}

  /**
   * Writes a package for database {@code sbx} and apply_role {@code app_apply} into {@code dir}
   * and returns its directory. {@code verifyYaml} is the YAML list under {@code verify:} (or empty).
   */
  static Path write(Path dir, String setupSql, String artifactSql, String verifyYaml) {
    try {
      Files.createDirectories(dir.resolve("ddl"));
      Files.createDirectories(dir.resolve("sandbox"));
      Files.writeString(dir.resolve("ddl/change.sql"), artifactSql);
      Files.writeString(dir.resolve("sandbox/setup.sql"), setupSql);
      Files.writeString(dir.resolve("package.yaml"), """
          apiVersion: cutter/v1
          kind: ApplyPackage
          id: hostile-dry-run
          title: A package that tries to leave the sandbox
          authorization:
            ref: TEST-11
            expires_at: 2099-01-01T00:00:00Z
            risk: low
          target:
            database: sbx
            system_identifier: "7611578671664259111"
            apply_role: app_apply
          artifact:
            path: ddl/change.sql
            sha256: %s
          %s
          sandbox:
            setup: [ sandbox/setup.sql ]
          """.formatted(sha256(artifactSql), verifyYaml.isEmpty() ? "" : "verify:\n" + verifyYaml.indent(2)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A directory any server process may write into, so that a command that escapes would leave its mark. */
  static Path writableByAnyone(Path parent) {
    try {
      Path d = Files.createDirectories(parent.resolve("drop"));
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
      Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

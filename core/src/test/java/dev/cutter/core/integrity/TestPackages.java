package dev.cutter.core.integrity;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A minimal package on disk (package.yaml and one artifact) and its ApplyPackage record, built directly. */
final class TestPackages {

  static final String SQL = "create table app.t (id int primary key);\n";

  private TestPackages() {}

  static ApplyPackage write(Path dir, Instant expiresAt) {
    try {
      Path ddl = Files.createDirectories(dir.resolve("ddl"));
      Path artifact = Files.writeString(ddl.resolve("change.sql"), SQL);
      String artifactSha = Sha256.ofFile(artifact);
      Path yaml = Files.writeString(dir.resolve("package.yaml"), """
          apiVersion: cutter/v1
          kind: ApplyPackage
          id: test-change
          title: Test change
          authorization:
            ref: TEST-1
            expires_at: %s
            risk: low
          target:
            database: app
            system_identifier: "7611578671664259111"
            apply_role: app_owner
          artifact:
            path: ddl/change.sql
            sha256: %s
          """.formatted(expiresAt, artifactSha));
      return load(yaml, expiresAt, artifactSha);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The record a loader would build for package.yaml as it is on disk now. */
  static ApplyPackage load(Path yaml, Instant expiresAt, String artifactSha) throws IOException {
    Path dir = yaml.getParent();
    return new ApplyPackage(yaml, dir, Sha256.ofFile(yaml), "test-change", "Test change",
        new Authorization("TEST-1", expiresAt, Risk.LOW, List.of()),
        new Target("app", "7611578671664259111", Optional.empty(), "app_owner", Optional.empty()),
        new ArtifactRef("ddl/change.sql", dir.resolve("ddl/change.sql"), artifactSha, new SourcePosition(15, 11)),
        List.of(), BackupPolicy.none(), ApplySettings.defaults(), List.of(), Optional.empty(), Sandbox.empty());
  }
}

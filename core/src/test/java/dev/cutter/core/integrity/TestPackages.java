package dev.cutter.core.integrity;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.Sha256;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.fixtures.MinimalPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A minimal package on disk and the ApplyPackage record a loader would build for it, built directly. */
final class TestPackages {

  private TestPackages() {}

  static ApplyPackage write(Path dir, Instant expiresAt) {
    Path yaml = MinimalPackage.write(dir, expiresAt);
    try {
      Path artifact = dir.resolve(MinimalPackage.ARTIFACT);
      return new ApplyPackage(yaml, dir, Sha256.of(yaml), MinimalPackage.ID, "Test change",
          new Authorization("TEST-1", expiresAt, Risk.LOW, List.of()),
          new Target("app", "7611578671664259111", Optional.empty(), "app_owner", Optional.empty()),
          new ArtifactRef(MinimalPackage.ARTIFACT, artifact, Sha256.of(artifact), new SourcePosition(15, 11)),
          List.of(), BackupPolicy.none(), ApplySettings.defaults(), List.of(), Optional.empty(), Sandbox.empty());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
